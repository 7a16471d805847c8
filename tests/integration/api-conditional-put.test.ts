/**
 * `If-None-Match: *` makes PUT create-only, in every form the header can reach the mapping
 * template: duplicated (joined with commas), padded, any letter case, after more than 1000
 * other headers (a `#foreach` stops after 1000 iterations, on AWS too), and with Node's own
 * 2000-header cap out of the way.
 */
import type { RunningLocalStage } from '../../local/start';
import { putItem, send, startPackagedLocalStage, TEST_API_KEY } from '../helpers/local-stage';

let stage: RunningLocalStage;
beforeAll(async () => {
  stage = await startPackagedLocalStage();
  expect((await putItem(stage.url, '/cond/existing', { version: 1 })).status).toBe(201);
});
afterAll(() => stage?.stop());

/** `count` distinct headers, as short as HTTP allows, so 2000+ fit in Node's 16 KB. */
const manyHeaders = (count: number): Record<string, string> =>
  Object.fromEntries(Array.from({ length: count }, (_, i) => [String(i), '']));

/** A PUT over the existing item with extra headers; Node sends array values as repeats. */
function overwrite(headers: Record<string, string | string[]>) {
  return send(stage.url, '/cond/existing', {
    method: 'PUT',
    headers: {
      'content-type': 'application/json',
      'x-api-key': TEST_API_KEY,
      ...(headers as Record<string, string>),
    },
    body: JSON.stringify({ version: 2 }),
  });
}

describe('PUT with If-None-Match: * never overwrites an existing item', () => {
  it.each<[string, Record<string, string | string[]>]>([
    ['plain', { 'If-None-Match': '*' }],
    ['lower case', { 'if-none-match': '*' }],
    ['mixed case', { 'iF-nOnE-mAtCh': '*' }],
    ['padded', { 'If-None-Match': ' * ' }],
    ['sent twice (joined as *,*)', { 'If-None-Match': ['*', '*'] }],
    ['in a list', { 'If-None-Match': '"abc", *' }],
    ['twice, one of them an entity tag', { 'If-None-Match': ['"abc"', '*'] }],
    ['after 1000 other headers', { ...manyHeaders(1000), 'If-None-Match': '*' }],
    [
      "after 2001 other headers (past Node's default cap)",
      { ...manyHeaders(2001), 'If-None-Match': '*' },
    ],
  ])('%s', async (_name, headers) => {
    const res = await overwrite(headers);
    expect(res.status).toBe(412);
    expect(res.json).toEqual({ message: 'Precondition failed: the item already exists' });
    const read = await send(stage.url, '/cond/existing');
    expect(read.json).toMatchObject({ version: 1 });
  });

  it('an If-None-Match that is not * does not make the write create-only', async () => {
    expect((await putItem(stage.url, '/cond/other', { version: 1 })).status).toBe(201);
    const res = await send(stage.url, '/cond/other', {
      method: 'PUT',
      headers: {
        'content-type': 'application/json',
        'x-api-key': TEST_API_KEY,
        'If-None-Match': '"*abc"',
      },
      body: JSON.stringify({ version: 2 }),
    });
    expect(res.status).toBe(200);
  });
});
