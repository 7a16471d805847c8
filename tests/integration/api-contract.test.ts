/**
 * The HTTP contract (docs/http-api.md), row by row, against the packaged `local` stage served
 * by the local gateway over each embedded DynamoDB engine this machine runs. The table starts with
 * the items of tests/fixtures/api-items/ (startPackagedLocalStage), not the sample data in data/.
 *
 * The stage enforces the throttling its template declares, and the writer key's usage plan
 * limits writes (100 requests/s, bursts of 200 in the development profile). The suite
 * writes as a well-behaved client does: requests with the key wait for a token of a client-side
 * bucket slightly inside the plan's limits. Nothing here expects a 429, so any throttling fails
 * a test: that is the check that the packaged limits leave this client alone.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import {
  DynamoDBClient,
  GetItemCommand,
  ScanCommand,
  type AttributeValue,
} from '@aws-sdk/client-dynamodb';
import { LOCAL_REGION } from '../../lib/aws-constants';
import { LOCAL_CREDENTIALS } from '../../local/dynamodb/client';
import { buildApiModel, readTemplate } from '../../local/gateway';
import { TokenBucket } from '../../local/gateway/throttling';
import type { RunningLocalStage } from '../../local/start';
import {
  INTERNAL_DETAIL,
  putItem as putItemUnpaced,
  send as sendUnpaced,
  startPackagedLocalStage,
  TEST_API_KEY,
  TEST_ENGINES,
  type RawRequest,
  type RawResponse,
} from '../helpers/local-stage';
import { templatePath } from '../helpers/packaged';

type Item = Record<string, unknown> & { id: string; range: string };
interface Page {
  id: string;
  items: Item[];
  nextToken?: string;
}

const enc = encodeURIComponent;

function expectCors(res: RawResponse): void {
  expect(res.headers['access-control-allow-origin']).toBe('*');
}

/** Every error: JSON `{"message": "..."}`, CORS, nothing internal. */
function expectJsonError(res: RawResponse, status: number, message?: string | RegExp): void {
  expect({ status: res.status, body: res.body }).toEqual({ status, body: expect.any(String) });
  expectCors(res);
  expect(res.headers['content-type']).toMatch(/^application\/json/);
  expect(res.json).toEqual({ message: expect.any(String) });
  const actual = (res.json as { message: string }).message;
  if (typeof message === 'string') expect(actual).toBe(message);
  else if (message) expect(actual).toMatch(message);
  expect(res.body).not.toMatch(INTERNAL_DETAIL);
}

/** Quotes, backslashes, ', unicode, an encoded slash, newlines, markup and 1 KB. */
const HOSTILE_VALUES: [string, string][] = [
  ['double quote', 'say "hi"'],
  ['backslash', 'back\\slash\\'],
  ['single quote', "it's"],
  ['e acute', 'café'],
  ['chinese', '中文'],
  ['emoji', 'emoji 😀'],
  ['slash', 'a/b'],
  ['newline', 'line1\nline2'],
  ['script tag', '</script><script>alert(1)</script>'],
  ['dollar and hash', '$input.body #set($x = 1)'],
  ['1 KB', 'x'.repeat(1024)],
];

/** The writer key's usage-plan throttle in the packaged template. */
const KEY_LIMITS = (() => {
  const plan = buildApiModel(readTemplate(templatePath('local'))).usagePlans.get(TEST_API_KEY);
  if (!plan?.throttle) throw new Error('The packaged local stage has no usage plan for its key');
  return plan.throttle;
})();

/** Waits for a token of a bucket 10% slower and 2 smaller than the key's (timing margin). */
function keyPacer(): () => Promise<void> {
  const bucket = new TokenBucket(
    { rateLimit: KEY_LIMITS.rateLimit * 0.9, burstLimit: Math.max(1, KEY_LIMITS.burstLimit - 2) },
    Date.now(),
  );
  return async () => {
    while (!bucket.take(Date.now())) await sleep(1000 / KEY_LIMITS.rateLimit / 2);
  };
}

const hasTestKey = (headers: Record<string, string> = {}) =>
  Object.entries(headers).some(([k, v]) => k.toLowerCase() === 'x-api-key' && v === TEST_API_KEY);

describe.each(TEST_ENGINES)('HTTP contract (local stage on %s)', (engine) => {
  let stage: RunningLocalStage;
  let url: string;
  let dynamo: DynamoDBClient;
  const pace = keyPacer();

  async function send(base: string, path: string, req: RawRequest = {}): Promise<RawResponse> {
    if (hasTestKey(req.headers)) await pace();
    return sendUnpaced(base, path, req);
  }

  async function putItem(
    base: string,
    path: string,
    item: unknown,
    headers: Record<string, string> = {},
  ): Promise<RawResponse> {
    await pace();
    return putItemUnpaced(base, path, item, headers);
  }

  /** Items in the table: what a refused write must leave unchanged. */
  async function tableCount(): Promise<number> {
    let count = 0;
    let start: Record<string, AttributeValue> | undefined;
    do {
      const out = await dynamo.send(
        new ScanCommand({ TableName: stage.tables[0], Select: 'COUNT', ExclusiveStartKey: start }),
      );
      count += out.Count ?? 0;
      start = out.LastEvaluatedKey;
    } while (start);
    return count;
  }

  beforeAll(async () => {
    stage = await startPackagedLocalStage({ engine });
    url = stage.url;
    dynamo = new DynamoDBClient({
      endpoint: stage.dynamoEndpoint,
      region: LOCAL_REGION,
      credentials: LOCAL_CREDENTIALS,
      maxAttempts: 1,
    });
  }, 60_000);

  afterAll(async () => {
    dynamo?.destroy();
    await stage?.stop();
  });

  async function getPage(path: string): Promise<Page> {
    const res = await send(url, path);
    expect({ path, status: res.status }).toEqual({ path, status: 200 });
    expectCors(res);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    return res.json as Page;
  }

  async function allPages(id: string, limit: number): Promise<{ pages: Page[]; items: Item[] }> {
    const pages: Page[] = [];
    let token: string | undefined;
    do {
      const page = await getPage(
        `/${enc(id)}?limit=${limit}${token ? `&nextToken=${enc(token)}` : ''}`,
      );
      pages.push(page);
      token = page.nextToken;
    } while (token && pages.length < 100);
    return { pages, items: pages.flatMap((p) => p.items) };
  }

  describe('GET /{id}', () => {
    it.each(['payments-service', 'search-service', 'tenant:acme'])(
      '%s: every item of the id, ordered by range, no nextToken when all fit',
      async (id) => {
        const page = await getPage(`/${id}`);
        expect(page.id).toBe(id);
        expect(page.items.length).toBeGreaterThan(0);
        expect(page.items.every((item) => item.id === id)).toBe(true);
        const ranges = page.items.map((item) => item.range);
        expect(ranges).toEqual([...ranges].sort());
        expect(page).not.toHaveProperty('nextToken');
      },
    );

    it('pages at the default limit of 25 and returns every item exactly once', async () => {
      const first = await getPage('/feature-flags');
      expect(first.items).toHaveLength(25);
      expect(first.nextToken).toEqual(expect.any(String));
      const { pages, items } = await allPages('feature-flags', 25);
      expect(pages.map((p) => p.items.length)).toEqual([25, 25, 14]);
      expect(pages[pages.length - 1]).not.toHaveProperty('nextToken');
      const ranges = items.map((i) => i.range);
      expect(new Set(ranges).size).toBe(64);
      expect(ranges).toEqual([...ranges].sort());
    });

    it.each([1, 7, 64, 100])(
      'limit=%d: pages of at most that size cover all 64 items once',
      async (limit) => {
        const { pages, items } = await allPages('feature-flags', limit);
        expect(pages.every((p) => p.items.length <= limit)).toBe(true);
        expect(items.map((i) => i.range)).toEqual(
          (await allPages('feature-flags', 100)).items.map((i) => i.range),
        );
        expect(pages[pages.length - 1]).not.toHaveProperty('nextToken');
      },
    );

    it.each([
      ['flag:billing', 'flag%3Abilling'],
      ['flag:checkout:', 'flag:checkout:'],
    ])('prefix=%s: only ranges that begin with it', async (prefix, sent) => {
      const page = await getPage(`/feature-flags?prefix=${sent}&limit=100`);
      expect(page.items.length).toBeGreaterThan(0);
      expect(page.items.every((item) => item.range.startsWith(prefix))).toBe(true);
    });

    it('prefix that matches nothing: 404 Not found', async () => {
      expectJsonError(await send(url, '/feature-flags?prefix=zzz-none'), 404, 'Not found');
    });

    it.each(['0', '101', 'abc', '-1', '1.5', '', '1e2'])('limit=%j: 400 JSON', async (limit) => {
      const res = await send(url, `/feature-flags?limit=${limit}`);
      if (limit === '') {
        // An empty limit is no limit: the default applies.
        expect(res.status).toBe(200);
        return;
      }
      expectJsonError(res, 400);
    });

    it('an id with no items: 404 {"message": "Not found"}', async () => {
      expectJsonError(await send(url, '/no-such-service'), 404, 'Not found');
    });

    it('an id with no items but a nextToken: 200 with items []', async () => {
      const first = await getPage('/feature-flags?limit=1');
      const page = await getPage(`/no-such-service?nextToken=${enc(first.nextToken as string)}`);
      expect(page).toEqual({ id: 'no-such-service', items: [] });
    });

    it.each([
      ['garbage', 'not-a-token!!'],
      ['base64 of another id', Buffer.from('config').toString('base64')],
      [
        'base64 of a quote',
        Buffer.from('"}, "id": {"S": "payments-service"').toString('base64url'),
      ],
      ['very long', 'A'.repeat(3000)],
      ['empty base64', '...'],
    ])('forged nextToken (%s): 200 or 400, never 5xx, never another id', async (_, token) => {
      const res = await send(url, `/feature-flags?nextToken=${enc(token)}`);
      expect([200, 400]).toContain(res.status);
      expectCors(res);
      if (res.status === 200) {
        const page = res.json as Page;
        expect(page.id).toBe('feature-flags');
        expect(page.items.every((item) => item.id === 'feature-flags')).toBe(true);
      } else {
        expectJsonError(res, 400);
      }
    });
  });

  describe('GET /{id}/{range}', () => {
    it('an existing item: 200 with every attribute as plain JSON', async () => {
      const res = await send(url, '/payments-service/config');
      expect(res.status).toBe(200);
      expectCors(res);
      expect(res.json).toMatchObject({
        id: 'payments-service',
        range: 'config',
        enabled: true,
        timeoutMs: 2500,
        maxAmount: 1000000.5,
        owner: { team: 'payments', oncall: null },
      });
    });

    it('an absent item: 404 {"message": "Not found"}', async () => {
      expectJsonError(await send(url, '/payments-service/no-such-range'), 404, 'Not found');
    });
  });

  describe('PUT and DELETE /{id}/{range}', () => {
    it('PUT creates (201), replaces (200), reads back; id and range come from the path', async () => {
      const created = await putItem(url, '/put-test/a', { v: 1, id: 'ignored', range: 'ignored' });
      expect({ status: created.status, body: created.json }).toEqual({
        status: 201,
        body: { id: 'put-test', range: 'a' },
      });
      expectCors(created);
      const replaced = await putItem(url, '/put-test/a', { v: 2 });
      expect({ status: replaced.status, body: replaced.json }).toEqual({
        status: 200,
        body: { id: 'put-test', range: 'a' },
      });
      expect((await send(url, '/put-test/a')).json).toEqual({ id: 'put-test', range: 'a', v: 2 });
    });

    it('If-None-Match: * creates once, then 412 and the item is unchanged', async () => {
      const headers = { 'If-None-Match': '*' };
      expect((await putItem(url, '/inm-test/a', { v: 1 }, headers)).status).toBe(201);
      expectJsonError(await putItem(url, '/inm-test/a', { v: 2 }, headers), 412);
      expect((await send(url, '/inm-test/a')).json).toEqual({ id: 'inm-test', range: 'a', v: 1 });
    });

    it('DELETE: 204 when the item existed, then 404', async () => {
      await putItem(url, '/delete-test/a', { v: 1 });
      const deleted = await send(url, '/delete-test/a', {
        method: 'DELETE',
        headers: { 'x-api-key': TEST_API_KEY },
      });
      expect({ status: deleted.status, body: deleted.body }).toEqual({ status: 204, body: '' });
      expectCors(deleted);
      expectJsonError(await send(url, '/delete-test/a'), 404, 'Not found');
      expectJsonError(
        await send(url, '/delete-test/a', {
          method: 'DELETE',
          headers: { 'x-api-key': TEST_API_KEY },
        }),
        404,
        'Not found',
      );
    });

    it.each([
      ['PUT without a key', 'PUT', undefined],
      ['PUT with a wrong key', 'PUT', 'wrong-key-0123456789abcdef'],
      ['PUT with the key in another case', 'PUT', TEST_API_KEY.toUpperCase()],
      ['DELETE without a key', 'DELETE', undefined],
      ['DELETE with a wrong key', 'DELETE', 'wrong-key-0123456789abcdef'],
    ])('%s: 403 Forbidden and nothing changes', async (_, method, key) => {
      await putItem(url, '/key-test/a', { v: 1 });
      const res = await send(url, '/key-test/a', {
        method,
        headers: { 'Content-Type': 'application/json', ...(key ? { 'x-api-key': key } : {}) },
        body: method === 'PUT' ? '{"v": 2}' : undefined,
      });
      expectJsonError(res, 403, 'Forbidden');
      expect((await send(url, '/key-test/a')).json).toEqual({ id: 'key-test', range: 'a', v: 1 });
    });

    it.each([
      ['a JSON array', 'application/json', '[1, 2]', 400],
      ['a JSON string', 'application/json', '"text"', 400],
      ['a JSON number', 'application/json', '42', 400],
      ['JSON null', 'application/json', 'null', 400],
      ['not JSON', 'application/json', '{"a": ', 400],
      ['form data', 'application/x-www-form-urlencoded', 'a=1', 415],
      ['plain text', 'text/plain', '{"a": 1}', 415],
    ])('PUT with %s: %d JSON and nothing stored', async (_, contentType, body, status) => {
      const res = await send(url, '/invalid-body-test/a', {
        method: 'PUT',
        headers: { 'Content-Type': contentType, 'x-api-key': TEST_API_KEY },
        body,
      });
      expectJsonError(res, status);
      expectJsonError(await send(url, '/invalid-body-test/a'), 404, 'Not found');
    });

    it('stores typed attributes (N, M, L, BOOL, NULL, S), read back from the table', async () => {
      const item = {
        n: 1.5,
        big: 12345678901,
        s: 'x',
        b: false,
        z: null,
        m: { k: [1, 'two', { t: true }] },
      };
      expect((await putItem(url, '/typed-test/a', item)).status).toBe(201);
      const out = await dynamo.send(
        new GetItemCommand({
          TableName: stage.tables[0],
          Key: { id: { S: 'typed-test' }, range: { S: 'a' } },
        }),
      );
      expect(out.Item).toEqual({
        id: { S: 'typed-test' },
        range: { S: 'a' },
        n: { N: '1.5' },
        big: { N: '12345678901' },
        s: { S: 'x' },
        b: { BOOL: false },
        z: { NULL: true },
        m: { M: { k: { L: [{ N: '1' }, { S: 'two' }, { M: { t: { BOOL: true } } }] } } },
      });
      expect((await send(url, '/typed-test/a')).json).toEqual({
        id: 'typed-test',
        range: 'a',
        ...item,
      });
    });
  });

  describe('hostile ids, ranges and values round-trip unchanged', () => {
    it.each(HOSTILE_VALUES)('%s', async (_, value) => {
      const id = `hostile ${value}`;
      const path = `/${enc(id)}/${enc(value)}`;
      const put = await putItem(url, path, { value, [value]: value });
      expect({ status: put.status, body: put.json }).toEqual({
        status: 201,
        body: { id, range: value },
      });
      const item = await send(url, path);
      expect({ status: item.status, body: item.json }).toEqual({
        status: 200,
        body: { id, range: value, value, [value]: value },
      });
      const stored = await dynamo.send(
        new GetItemCommand({
          TableName: stage.tables[0],
          Key: { id: { S: id }, range: { S: value } },
        }),
      );
      expect(stored.Item?.value).toEqual({ S: value });
      const page = await getPage(`/${enc(id)}?prefix=${enc(value)}`);
      expect(page.id).toBe(id);
      expect(page.items.map((i) => i.range)).toEqual([value]);
    });
  });

  describe('paths that are not valid percent-encoding', () => {
    it.each([
      ['GET', '/bad%ZZid'],
      ['GET', '/bad%ZZid/r'],
      ['GET', '/a/%E0%A4%A'],
      ['PUT', '/bad%ZZid/r'],
      ['PUT', '/a/%E0%A4%A'],
      ['PUT', '/a%/b'],
      ['DELETE', '/bad%ZZid/r'],
      ['DELETE', '/a/%E0%A4%A'],
    ])('%s %s: 400 JSON and nothing written', async (method, path) => {
      const before = await tableCount();
      const res = await send(url, path, {
        method,
        headers: { 'Content-Type': 'application/json', 'x-api-key': TEST_API_KEY },
        body: method === 'PUT' ? '{"v": 1}' : undefined,
      });
      expectJsonError(res, 400);
      expect(await tableCount()).toBe(before);
    });
  });

  describe('path segments are percent-decoded once, and + stays a plus', () => {
    it.each([
      ['+ is a plus', '/plus+id/c+d', 'plus+id', 'c+d'],
      ['%2B is a plus', '/pct2b%2Bid/r%2Br', 'pct2b+id', 'r+r'],
      ['%20 is a space', '/space%20id/r%20r', 'space id', 'r r'],
      ['%2F is a slash inside one segment', '/slash%2Fid/r%2Fr', 'slash/id', 'r/r'],
      ['%25 is a percent sign, decoded once', '/pct%2525id/r%2541', 'pct%25id', 'r%41'],
    ])('%s: %s stores id %j, range %j', async (_, path, id, range) => {
      const put = await putItem(url, path, { v: 1 });
      expect({ status: put.status, body: put.json }).toEqual({ status: 201, body: { id, range } });
      const stored = await dynamo.send(
        new GetItemCommand({
          TableName: stage.tables[0],
          Key: { id: { S: id }, range: { S: range } },
        }),
      );
      expect(stored.Item).toEqual({ id: { S: id }, range: { S: range }, v: { N: '1' } });
      expect((await send(url, path)).json).toEqual({ id, range, v: 1 });
      const idPath = path.split('/')[1];
      expect((await getPage(`/${idPath}`)).items).toEqual([{ id, range, v: 1 }]);
    });
  });

  describe('conditional create, whatever the header case', () => {
    it.each([['if-none-match'], ['IF-NONE-MATCH'], ['If-None-Match']])(
      '%s: * on an existing item is 412 and the item is unchanged',
      async (header) => {
        const path = `/inm-case-test/${enc(header)}`;
        expect((await putItem(url, path, { v: 1 })).status).toBe(201);
        expectJsonError(await putItem(url, path, { v: 2 }, { [header]: '*' }), 412);
        expect((await send(url, path)).json).toEqual({ id: 'inm-case-test', range: header, v: 1 });
      },
    );
  });

  describe('forged nextTokens', () => {
    const b64 = (s: string) =>
      Buffer.from(s).toString('base64').replace(/\+/g, '-').replace(/\//g, '_').replace(/=/g, '.');
    it.each([
      ['!!!', () => '!!!'],
      ['abc', () => 'abc'],
      ["valid base64 of another id's range", () => b64('config')],
      ["another id's real token", async () => (await getPage('/feature-flags?limit=1')).nextToken],
      ['base64 of a key beyond every range', () => b64('\uffff')],
      [
        'base64 of JSON that tries to close the string',
        () => b64('"}, "id": {"S": "x"}, "a": {"S": "'),
      ],
    ])(
      "%s: 400 Invalid nextToken, or 200 with only this id's items, never 5xx",
      async (_, token) => {
        const value = await token();
        const res = await send(url, `/payments-service?nextToken=${enc(value as string)}`);
        if (res.status === 400) {
          expectJsonError(res, 400, 'Invalid nextToken');
          return;
        }
        expect({ status: res.status }).toEqual({ status: 200 });
        const page = res.json as Page;
        expect(page.id).toBe('payments-service');
        expect(page.items.every((item) => item.id === 'payments-service')).toBe(true);
      },
    );
  });

  describe('large and deep items', () => {
    const list = Array.from({ length: 1500 }, (_, i) => (i % 3 === 0 ? i : `v${i}`));
    const map = Object.fromEntries(Array.from({ length: 1200 }, (_, i) => [`k${i}`, i]));
    const nest = (levels: number): unknown => {
      let value: unknown = 'leaf';
      for (let i = 0; i < levels; i++) value = i % 2 ? { n: value } : [value];
      return value;
    };

    it('a list of 1500 and a map of 1200 entries (beyond #foreach 1000) round-trip exactly', async () => {
      const item = { list, map, nested: { list, map } };
      expect((await putItem(url, '/wide-test/a', item)).status).toBe(201);
      const expected = { id: 'wide-test', range: 'a', ...item };
      const one = await send(url, '/wide-test/a');
      expect({ status: one.status }).toEqual({ status: 200 });
      expect(one.json).toEqual(expected);
      expect((await getPage('/wide-test')).items).toEqual([expected]);
    });

    it.each([8, 20, 30])('nesting %d levels deep round-trips', async (levels) => {
      const item = { deep: nest(levels) };
      const path = `/deep-test/${levels}`;
      expect((await putItem(url, path, item)).status).toBe(201);
      expect((await send(url, path)).json).toEqual({
        id: 'deep-test',
        range: String(levels),
        ...item,
      });
      expect((await getPage(`/deep-test?prefix=${levels}`)).items).toEqual([
        { id: 'deep-test', range: String(levels), ...item },
      ]);
    });

    it.each([32, 33, 40, 100])('nesting %d levels: 400 JSON and nothing stored', async (levels) => {
      const path = `/too-deep-test/${levels}`;
      expectJsonError(await putItem(url, path, { deep: nest(levels) }), 400);
      expectJsonError(await send(url, path), 404, 'Not found');
    });

    it('an item over 400 KB: 400 JSON and nothing stored', async () => {
      const before = await tableCount();
      expectJsonError(await putItem(url, '/big-test/a', { big: 'x'.repeat(410 * 1024) }), 400);
      expectJsonError(await send(url, '/big-test/a'), 404, 'Not found');
      expect(await tableCount()).toBe(before);
    });
  });

  describe('errors and CORS', () => {
    it.each([
      ['GET', '/'],
      ['POST', '/payments-service'],
      ['PUT', '/payments-service'],
      ['PATCH', '/payments-service/config'],
      ['POST', '/payments-service/config'],
      ['GET', '/payments-service/config/extra'],
    ])('%s %s: 403 Missing Authentication Token', async (method, path) => {
      const res = await send(url, path, { method });
      expectJsonError(res, 403, 'Missing Authentication Token');
      expect(res.headers['x-amzn-errortype']).toBe('MissingAuthenticationTokenException');
    });

    it.each([
      ['/payments-service', 'GET,OPTIONS'],
      ['/payments-service/config', 'GET,PUT,DELETE,OPTIONS'],
    ])('OPTIONS %s: 204 with CORS headers', async (path, methods) => {
      const res = await send(url, path, {
        method: 'OPTIONS',
        headers: { Origin: 'https://example.com', 'Access-Control-Request-Method': 'PUT' },
      });
      expect(res.status).toBe(204);
      expect(res.body).toBe('');
      expect(res.headers).toMatchObject({
        'access-control-allow-origin': '*',
        'access-control-allow-methods': methods,
        'access-control-allow-headers': expect.stringMatching(/X-Api-Key/i),
      });
    });

    it('answers carry the AWS request id headers', async () => {
      const res = await send(url, '/payments-service/config');
      expect(res.headers['x-amzn-requestid']).toMatch(/^[0-9a-f-]{36}$/);
      expect(res.headers['x-amz-apigw-id']).toEqual(expect.any(String));
    });
  });
});
