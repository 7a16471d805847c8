/**
 * What the embedded DynamoDB's table and item helpers decide without an engine: plain JSON →
 * DynamoDB types, and which template tables the local stage refuses to create.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { createTablesFromTemplate, TableDefinitionError } from '../../local/dynamodb/tables';
import type { CfnTemplate } from '../../lib/cloudformation';
import { toAttributeValue, toTypedItem } from '../../lib/items';

const FIXTURE = path.join(__dirname, '..', 'fixtures', 'dynamodb', 'template.json');
// Nothing listens there: every refusal must happen before the first call to DynamoDB.
const NO_ENDPOINT = 'http://127.0.0.1:9';

function configTableWith(props: Record<string, unknown>): CfnTemplate {
  const template = JSON.parse(readFileSync(FIXTURE, 'utf8')) as CfnTemplate;
  Object.assign(template.Resources.ConfigTable.Properties ?? {}, props);
  return template;
}

describe('plain JSON to DynamoDB types', () => {
  it.each([
    ['a string', 'é 中文 😀 "\'\\</script>\n', { S: 'é 中文 😀 "\'\\</script>\n' }],
    ['an empty string', '', { S: '' }],
    ['an integer', 42, { N: '42' }],
    ['a negative decimal', -1.25, { N: '-1.25' }],
    ['a large exponent', 1e21, { N: '1e+21' }],
    ['a small exponent', 1e-7, { N: '1e-7' }],
    ['negative zero', -0, { N: '0' }],
    ['true', true, { BOOL: true }],
    ['false', false, { BOOL: false }],
    ['null', null, { NULL: true }],
    ['an empty list', [], { L: [] }],
    ['an empty map', {}, { M: {} }],
    ['a mixed list', [1, 'a', null], { L: [{ N: '1' }, { S: 'a' }, { NULL: true }] }],
    ['a nested map', { a: { b: [true] } }, { M: { a: { M: { b: { L: [{ BOOL: true }] } } } } }],
  ])('converts %s', (_name, value, expected) => {
    expect(toAttributeValue(value)).toEqual(expected);
  });

  it('names the path of a value JSON cannot hold', () => {
    expect(() => toTypedItem({ id: 'x', meta: { list: [1, undefined] } })).toThrow(
      '$.meta.list[1]: a undefined is not a JSON value',
    );
    expect(() => toTypedItem({ n: Number.NaN })).toThrow('$.n: NaN is not a JSON number');
    expect(() => toTypedItem({ id: 'x', meta: { '': 1 } })).toThrow(
      '$.meta: an attribute name is empty (DynamoDB refuses it)',
    );
  });
});

describe('tables the local stage refuses to create', () => {
  it.each([
    [
      'an unresolved Ref as TableName',
      { TableName: { Ref: 'TableNameParam' } },
      /ConfigTable.*TableName must be a plain string.*\{"Ref":"TableNameParam"\}/,
    ],
    [
      'an Fn::Sub as TableName',
      { TableName: { 'Fn::Sub': '${AWS::StackName}-config' } },
      /TableName must be a plain string.*Fn::Sub/,
    ],
    ['no TableName', { TableName: undefined }, /TableName must be a plain string.*got nothing/],
    [
      'an intrinsic inside the key schema',
      { KeySchema: [{ AttributeName: { Ref: 'Key' }, KeyType: 'HASH' }] },
      /table config-store-test\): KeySchema\[0\]\.AttributeName is the unresolved intrinsic Ref/,
    ],
    [
      'an unknown table property',
      { ImportSourceSpecification: {} },
      /does not know the property ImportSourceSpecification/,
    ],
  ])('refuses %s, naming it', async (_name, props, message) => {
    const attempt = createTablesFromTemplate(configTableWith(props), NO_ENDPOINT);
    await expect(attempt).rejects.toThrow(TableDefinitionError);
    await expect(createTablesFromTemplate(configTableWith(props), NO_ENDPOINT)).rejects.toThrow(
      message,
    );
  });
});
