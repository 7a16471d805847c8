/**
 * Engine differential: one corpus of requests (hand-written edge cases, then fast-check
 * generated items, seeded) against the default engine (dynalite behind the engine adapter) and
 * AWS's DynamoDB Local. Each case must end alike on both: the same stored value read back, or
 * the same error type. Only the operations the API and the seeding use: PutItem, GetItem,
 * Query, DeleteItem, BatchWriteItem.
 */
import fc from 'fast-check';
import { callDynamoDb } from '../../local/dynamodb/client';
import {
  isJavaAvailable,
  startDynamoDb,
  type DynamoDbEngineName,
  type RunningDynamoDb,
} from '../../local/dynamodb/engine';

const TABLE = 'differential';
const SEED = 20261130;

type Attr = Record<string, unknown>;
interface Case {
  name: string;
  action: 'PutItem' | 'GetItem' | 'Query' | 'DeleteItem' | 'BatchWriteItem';
  body: Record<string, unknown>;
}

/** What a case came to: the error type, or for a write the item read back afterwards. */
type Outcome = { error: string } | { stored: unknown } | { answer: unknown };

const key = (id: string, range: string) => ({ id: { S: id }, range: { S: range } });
const put = (name: string, item: Attr, range = name): Case => ({
  name,
  action: 'PutItem',
  body: { TableName: TABLE, Item: { ...key('diff', range), ...item } },
});
/** `{"M": {"a": ... }}` `levels` deep around a number. */
const nestedMaps = (levels: number): Attr => {
  let value: Attr = { N: '1' };
  for (let i = 0; i < levels; i++) value = { M: { a: value } };
  return value;
};
const nestedLists = (levels: number): Attr => {
  let value: Attr = { S: 'x' };
  for (let i = 0; i < levels; i++) value = { L: [value] };
  return value;
};
/** An item of about `bytes` bytes of UTF-8 made of `char` (1, 2, 3 or 4 bytes each). */
const filler = (char: string, bytes: number) =>
  char.repeat(Math.floor(bytes / Buffer.byteLength(char)));

const withProtoNames = (json: string): Attr => JSON.parse(json) as Attr;

const HAND_WRITTEN: Case[] = [
  // Keys: UTF-8 bytes, partition ≤ 2048, sort ≤ 1024.
  put('range-1024-ascii', {}, 'r'.repeat(1024)),
  put('range-1025-ascii', {}, 'r'.repeat(1025)),
  put('range-341-euro', {}, '€'.repeat(341)),
  put('range-342-euro', {}, '€'.repeat(342)),
  put('range-256-emoji', {}, '😀'.repeat(256)),
  put('range-257-emoji', {}, '😀'.repeat(257)),
  {
    name: 'id-682-euro',
    action: 'PutItem',
    body: { TableName: TABLE, Item: key('€'.repeat(682), 'x') },
  },
  {
    name: 'id-683-euro',
    action: 'PutItem',
    body: { TableName: TABLE, Item: key('€'.repeat(683), 'x') },
  },
  {
    name: 'get-long-range',
    action: 'GetItem',
    body: { TableName: TABLE, Key: key('diff', '€'.repeat(342)) },
  },
  {
    name: 'get-long-id',
    action: 'GetItem',
    body: { TableName: TABLE, Key: key('€'.repeat(683), 'x') },
  },
  {
    name: 'delete-long-id',
    action: 'DeleteItem',
    body: { TableName: TABLE, Key: key('€'.repeat(683), 'x') },
  },
  {
    name: 'query-long-id',
    action: 'Query',
    body: {
      TableName: TABLE,
      KeyConditionExpression: 'id = :id',
      ExpressionAttributeValues: { ':id': { S: '€'.repeat(683) } },
    },
  },
  put('empty-range', {}, ''),
  // Item size: 400 KB of names and values in UTF-8.
  put('item-600KB-euro', { s: { S: '€'.repeat(200_000) } }),
  put('item-399KB-euro', { s: { S: filler('€', 399 * 1024) } }),
  put('item-401KB-ascii', { s: { S: filler('a', 401 * 1024) } }),
  // (DynamoDB Local answers InternalFailure for long names (60 KB): not compared.)
  put('item-over-by-name', { [filler('n', 2048)]: { S: filler('v', 399 * 1024) } }),
  put('item-many-numbers', {
    l: {
      L: Array.from({ length: 20_000 }, () => ({ N: '12345678901234567890123456789012345678' })),
    },
  }),
  // Attribute names.
  put('empty-name-top', { '': { N: '1' } }),
  put('empty-name-nested', { m: { M: { '': { N: '1' } } } }),
  put('empty-name-in-list', { l: { L: [{ M: { '': { S: 'x' } } }] } }),
  put('proto-top', withProtoNames('{"__proto__": {"S": "x"}, "constructor": {"N": "1"}}')),
  put(
    'proto-nested',
    withProtoNames('{"m": {"M": {"__proto__": {"N": "5"}, "toString": {"S": "t"}}}}'),
  ),
  put('proto-null', withProtoNames('{"__proto__": {"NULL": true}}')),
  put('proto-list', withProtoNames('{"l": {"L": [{"M": {"__proto__": {"BOOL": false}}}]}}')),
  put('escape-char-name', { '\uE000__proto__': { S: 'y' }, '\uE000': { S: 'z' } }),
  // null where an AttributeValue belongs (this used to end dynalite with a TypeError).
  put('null-top', withProtoNames('{"x": null}')),
  put('null-in-list', withProtoNames('{"x": {"L": [null]}}')),
  put('null-in-map', withProtoNames('{"x": {"M": {"a": null}}}')),
  put('null-deep', withProtoNames('{"x": {"L": [{"M": {"a": null}}]}}')),
  put('empty-value-in-list', withProtoNames('{"x": {"L": [{}]}}')),
  {
    name: 'get-null-key',
    action: 'GetItem',
    body: { TableName: TABLE, Key: { id: { S: 'diff' }, range: null } },
  },
  // Nesting depth.
  put('maps-31', { x: nestedMaps(31) }),
  put('maps-32', { x: nestedMaps(32) }),
  put('lists-31', { x: nestedLists(31) }),
  put('lists-32', { x: nestedLists(32) }),
  // Numbers: 38 significant digits, magnitude 1E-130 .. 9.99E+125.
  put('num-38-digits', { n: { N: '12345678901234567890123456789012345678' } }),
  put('num-39-digits', { n: { N: '123456789012345678901234567890123456789' } }),
  put('num-trailing-zeros', { n: { N: '1234567890123456789012345678901234567800000' } }),
  put('num-max', { n: { N: '9.9999999999999999999999999999999999999E+125' } }),
  put('num-overflow', { n: { N: '1E+126' } }),
  put('num-min', { n: { N: '1E-130' } }),
  put('num-underflow', { n: { N: '1E-131' } }),
  put('num-negative-zero', { n: { N: '-0' } }),
  put('num-not-a-number', { n: { N: 'abc' } }),
  // Batch writes (seeding).
  {
    name: 'batch-ok',
    action: 'BatchWriteItem',
    body: {
      RequestItems: {
        [TABLE]: [{ PutRequest: { Item: { ...key('diff', 'batch-ok'), v: { S: 'é' } } } }],
      },
    },
  },
  {
    name: 'batch-empty-name',
    action: 'BatchWriteItem',
    body: {
      RequestItems: {
        [TABLE]: [{ PutRequest: { Item: { ...key('diff', 'b'), '': { N: '1' } } } }],
      },
    },
  },
  {
    name: 'batch-long-range',
    action: 'BatchWriteItem',
    body: { RequestItems: { [TABLE]: [{ PutRequest: { Item: key('diff', '€'.repeat(342)) } }] } },
  },
  {
    name: 'batch-delete-long-id',
    action: 'BatchWriteItem',
    body: { RequestItems: { [TABLE]: [{ DeleteRequest: { Key: key('€'.repeat(683), 'x') } }] } },
  },
];

/** A DynamoDB value the API's templates can produce: S, N, BOOL, NULL, L, M. */
const attributeValue: fc.Arbitrary<Attr> = fc.letrec<{ value: Attr }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.string({ unit: 'grapheme', maxLength: 20 }).map((s) => ({ S: s })),
    fc.oneof(fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true })).map((n) => ({
      N: String(n),
    })),
    fc.boolean().map((b) => ({ BOOL: b })),
    fc.constant({ NULL: true }),
    fc.array(tie('value'), { maxLength: 4 }).map((l) => ({ L: l })),
    fc
      .dictionary(attributeName(), tie('value'), { maxKeys: 4, noNullPrototype: true })
      .map((m) => ({ M: m })),
  ),
})).value;

function attributeName(): fc.Arbitrary<string> {
  return fc.oneof(
    fc.string({ unit: 'grapheme', maxLength: 8 }),
    fc.constantFrom('__proto__', 'constructor', 'toString', 'hasOwnProperty', '', '\uE000x'),
  );
}

function generatedCases(count: number): Case[] {
  const items = fc.sample(
    fc.record({
      range: fc.string({ unit: 'grapheme', minLength: 1, maxLength: 12 }),
      attributes: fc.dictionary(attributeName(), attributeValue, {
        maxKeys: 5,
        noNullPrototype: true,
      }),
    }),
    { seed: SEED, numRuns: count },
  );
  return items.map(({ range, attributes }, i) =>
    put(`generated-${i}`, attributes, `gen-${i}-${range}`),
  );
}

async function call(endpoint: string, action: string, body: unknown) {
  const res = await callDynamoDb(endpoint, action, JSON.stringify(body));
  return { status: res.status, body: JSON.parse(res.body) as Record<string, unknown> };
}

/** The error type after '#', or what the operation did. */
async function run(endpoint: string, c: Case): Promise<Outcome> {
  const res = await call(endpoint, c.action, c.body);
  if (res.status !== 200) return { error: String(res.body.__type).split('#').pop()! };
  if (c.action === 'PutItem') {
    const item = c.body.Item as Record<string, Attr>;
    const read = await call(endpoint, 'GetItem', {
      TableName: TABLE,
      Key: { id: item.id, range: item.range },
      ConsistentRead: true,
    });
    return { stored: read.body.Item };
  }
  if (c.action === 'BatchWriteItem') return { answer: res.body.UnprocessedItems };
  if (c.action === 'Query') return { answer: res.body.Items };
  return { answer: res.body.Item ?? null };
}

/**
 * A number's value, not its spelling: dynalite spells `1.5e+92` out in digits, DynamoDB Local
 * keeps the exponent; both are the same DynamoDB number (and the same JSON number).
 */
function canonicalNumber(text: string): string {
  const match = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/.exec(text.trim());
  if (!match) return text;
  const [, sign, whole = '', fraction = '', exponent = '0'] = match;
  const digits = `${whole}${fraction}`;
  const leading = digits.length - digits.replace(/^0+/, '').length;
  const significant = digits.replace(/^0+/, '').replace(/0+$/, '');
  if (significant === '') return '0';
  // value = 0.<significant> × 10^power
  const power = Number(exponent) + whole.length - leading;
  return `${sign === '-' ? '-' : ''}0.${significant}e${power}`;
}

/** Items as data: attribute order is not part of an item, a number's spelling neither. */
function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (value !== null && typeof value === 'object') {
    return Object.keys(value)
      .sort()
      .map((k) => {
        const inner = (value as Attr)[k];
        if (k === 'N' && typeof inner === 'string') return [k, canonicalNumber(inner)];
        return [k, canonical(inner)];
      });
  }
  return value;
}

const sameOutcome = (a: Outcome, b: Outcome): boolean =>
  JSON.stringify(canonical(a)) === JSON.stringify(canonical(b));

it('names every hand-written case once, so a failure names its case', () => {
  expect(new Set(HAND_WRITTEN.map((c) => c.name)).size).toBe(HAND_WRITTEN.length);
});

const javaMissing = !isJavaAvailable();
if (javaMissing && process.env.REQUIRE_REFERENCE_ENGINE === '1') {
  // CI installs a JDK with the reference engine (.ci/run): there, no Java is a failure.
  it('has the Java that DynamoDB Local needs', () => {
    throw new Error('Java 17 is required (REQUIRE_REFERENCE_ENGINE=1) but java does not run');
  });
} else if (javaMissing) {
  console.warn('Engine differential not run: Java 17 is not installed (DynamoDB Local needs it)');
}

if (!javaMissing) {
  describe('engine differential: dynalite (through the adapter) vs DynamoDB Local', () => {
    const engines = new Map<DynamoDbEngineName, RunningDynamoDb>();
    beforeAll(async () => {
      const started = await Promise.all(
        (['dynalite', 'dynamodb-local'] as const).map((engine) => startDynamoDb({ engine })),
      );
      for (const db of started) {
        engines.set(db.engine, db);
        const created = await call(db.endpoint, 'CreateTable', {
          TableName: TABLE,
          KeySchema: [
            { AttributeName: 'id', KeyType: 'HASH' },
            { AttributeName: 'range', KeyType: 'RANGE' },
          ],
          AttributeDefinitions: [
            { AttributeName: 'id', AttributeType: 'S' },
            { AttributeName: 'range', AttributeType: 'S' },
          ],
          BillingMode: 'PAY_PER_REQUEST',
        });
        expect(created.status).toBe(200);
      }
    }, 60_000);
    afterAll(async () => {
      await Promise.all([...engines.values()].map((db) => db.stop()));
    });

    const outcomes = async (c: Case) => {
      const [dynalite, local] = await Promise.all([
        run(engines.get('dynalite')!.endpoint, c),
        run(engines.get('dynamodb-local')!.endpoint, c),
      ]);
      return { dynalite, local };
    };

    it.each(HAND_WRITTEN.map((c) => [c.name, c] as const))('%s', async (_name, c) => {
      const { dynalite, local } = await outcomes(c);
      expect(canonical(dynalite)).toEqual(canonical(local));
    });

    it(`ends ${200} generated items alike (seed ${SEED})`, async () => {
      const mismatches: string[] = [];
      for (const c of generatedCases(200)) {
        const { dynalite, local } = await outcomes(c);
        if (!sameOutcome(dynalite, local)) {
          mismatches.push(
            `${c.name} ${JSON.stringify(c.body.Item)}\n  dynalite: ${JSON.stringify(dynalite)}\n  dynamodb-local: ${JSON.stringify(local)}`,
          );
        }
      }
      expect(mismatches.slice(0, 5)).toEqual([]);
    }, 60_000);
  });
}
