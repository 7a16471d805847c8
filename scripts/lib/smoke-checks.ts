/**
 * The checks `npm run smoke` runs: the HTTP contract of docs/http-api.md, black-box, one short request
 * sequence each. Every item a check writes lives under the run's random id prefix and is
 * registered for deletion before it is written, so a run cleans up even after failures.
 */
import type { ApiClient, ApiResponse } from './http-client';
import {
  CheckFailure,
  describeResponse,
  expectError,
  expectJson,
  expectStatus,
  expectTrue,
} from './smoke-assert';

export type KeyChoice = 'valid' | 'none' | 'wrong';

export interface SmokeContext {
  api: ApiClient;
  /** `smoke-<random>`: every id this run uses starts with it. */
  prefix: string;
  put(id: string, range: string, body: unknown, opts?: WriteOptions): Promise<ApiResponse>;
  get(path: string): Promise<ApiResponse>;
  del(id: string, range: string, opts?: { key?: KeyChoice }): Promise<ApiResponse>;
  /** Strings that would reveal internals if an error body carried them (e.g. the table name). */
  internalNames: string[];
}

export interface WriteOptions {
  key?: KeyChoice;
  headers?: Record<string, string>;
}

export interface SmokeCheck {
  /** Stable name, for tests and for grepping logs. */
  id: string;
  /** The line printed next to ✔/✘. */
  title: string;
  run(ctx: SmokeContext): Promise<void>;
}

export function itemPath(id: string, range: string): string {
  return `/${pathSegment(id)}/${pathSegment(range)}`;
}

/**
 * Percent-encodes only what a path segment cannot hold (RFC 3986 pchar), so that ids such as
 * `tenant:acme` go out as clients write them. (API Gateway hands path parameters to the
 * templates still encoded; vtl/_path.vtl decodes them, so either form names the same item.)
 */
export function pathSegment(value: string): string {
  return encodeURIComponent(value).replace(/%(3A|40|21|24|26|27|28|29|2A|2B|2C|3B|3D)/g, (escape) =>
    decodeURIComponent(escape),
  );
}

/**
 * Strings that must survive the write and read templates unchanged: JSON and VTL
 * metacharacters, HTML, line separators and non-BMP unicode, plus every JSON type.
 */
export const HOSTILE_ITEM = {
  doubleQuote: 'say "hi"',
  backslash: 'C:\\temp\\new \\n is not a newline',
  apostrophe: "it's o'clock",
  unicode: 'é ü 中文 😀 \u2028 \u2029',
  script: '</script><script>alert(1)</script>',
  newline: 'line 1\nline 2\r\n\tindented',
  template: '$context.requestId #set($x = 1) ${x} $util.escapeJavaScript("a")',
  json: '{"id": "not-the-id"}',
  empty: '',
  integer: 42,
  negative: -7,
  decimal: 1.5,
  flag: false,
  nothing: null,
  list: ['a"b', 1, true, null, { back: '\\' }],
  nested: { deeper: { deepest: ["'", '"', '</script>'] } },
  emptyList: [],
  emptyMap: {},
};

/** Keys of the JSON object every error body must be. */
const ERROR_BODY_KEYS = ['message'];
/** Marks of AWS internals that a generic error must not carry. */
const INTERNAL_MARKS = [
  /__type/,
  /arn:aws/i,
  /com\.amazon/i,
  /[A-Z][A-Za-z]+Exception\b/,
  /\bat .+:\d+:\d+/,
];

export const SMOKE_CHECKS: SmokeCheck[] = [
  {
    id: 'unknown-route',
    title: 'GET on an unknown route → 403 Missing Authentication Token',
    async run(ctx) {
      const res = await ctx.get(`/${ctx.prefix}/no/such/route`);
      expectError(res, 403, 'Missing Authentication Token');
    },
  },
  {
    id: 'get-unknown-id',
    title: 'GET /{id} for an id with no items → 404 Not found',
    async run(ctx) {
      expectError(await ctx.get(`/${ctx.prefix}-unused`), 404, 'Not found');
    },
  },
  {
    id: 'put-without-key',
    title: 'PUT without x-api-key, or with a wrong one → 403 Forbidden, nothing written',
    async run(ctx) {
      const id = `${ctx.prefix}-auth`;
      expectError(await ctx.put(id, 'no-key', { a: 1 }, { key: 'none' }), 403, 'Forbidden');
      expectError(await ctx.put(id, 'wrong-key', { a: 1 }, { key: 'wrong' }), 403, 'Forbidden');
      expectStatus(await ctx.get(itemPath(id, 'no-key')), 404);
      expectStatus(await ctx.get(itemPath(id, 'wrong-key')), 404);
    },
  },
  {
    id: 'put-create-replace',
    title: 'PUT with x-api-key → 201 created, again → 200 replaced, body {id, range}',
    async run(ctx) {
      const id = `${ctx.prefix}-put`;
      const created = await ctx.put(id, 'record', { version: 1 });
      expectStatus(created, 201);
      expectJson(created, { id, range: 'record' }, 'PUT response');
      const replaced = await ctx.put(id, 'record', { version: 2 });
      expectStatus(replaced, 200);
      expectJson(replaced, { id, range: 'record' }, 'PUT response');
      expectJson(await ctx.get(itemPath(id, 'record')), { id, range: 'record', version: 2 }, 'GET');
    },
  },
  {
    id: 'if-none-match',
    title: 'PUT with If-None-Match: * → 201 when new, 412 when the item exists',
    async run(ctx) {
      const id = `${ctx.prefix}-create-only`;
      const createOnly = { headers: { 'if-none-match': '*' } };
      expectStatus(await ctx.put(id, 'record', { version: 1 }, createOnly), 201);
      expectError(await ctx.put(id, 'record', { version: 2 }, createOnly), 412);
      expectJson(await ctx.get(itemPath(id, 'record')), { id, range: 'record', version: 1 }, 'GET');
    },
  },
  {
    id: 'round-trip',
    title:
      "GET /{id}/{range} returns exactly what was PUT (quotes, \\, ', unicode, </script>, newlines), key included",
    async run(ctx) {
      // Hostile strings travel in the body and, percent-encoded, in the key.
      const id = `${ctx.prefix}-round-trip:v1`;
      const range = `hostile "it's" a/b \\ é 中 😀 </script> 100%`;
      expectStatus(await ctx.put(id, range, HOSTILE_ITEM), 201);
      const res = await ctx.get(itemPath(id, range));
      expectStatus(res, 200);
      expectJson(res, { ...HOSTILE_ITEM, id, range }, 'item');
    },
  },
  {
    id: 'list-paginate',
    title: 'GET /{id}?prefix&limit lists in range order and pages with nextToken',
    async run(ctx) {
      const id = `${ctx.prefix}-list`;
      for (const range of ['item-2', 'item-1', 'other', 'item-3']) {
        expectStatus(await ctx.put(id, range, { range, n: Number(range.slice(-1)) || 0 }), 201);
      }
      const ranges = (res: ApiResponse) =>
        ((res.json as { items?: { range?: unknown }[] }).items ?? []).map((item) => item.range);
      const all = await ctx.get(`/${pathSegment(id)}`);
      expectStatus(all, 200);
      expectJson(
        { ...all, json: { id: (all.json as { id?: unknown }).id, ranges: ranges(all) } },
        { id, ranges: ['item-1', 'item-2', 'item-3', 'other'] },
        'GET /{id}',
      );
      expectTrue(
        !('nextToken' in (all.json as object)),
        `no nextToken expected: ${describeResponse(all)}`,
      );
      const base = `/${pathSegment(id)}?prefix=item-&limit=2`;
      const first = await ctx.get(base);
      expectStatus(first, 200);
      expectJson({ ...first, json: ranges(first) }, ['item-1', 'item-2'], 'first page');
      const token = (first.json as { nextToken?: unknown }).nextToken;
      expectTrue(
        typeof token === 'string' && token !== '',
        `expected a nextToken on the first page: ${describeResponse(first)}`,
      );
      const second = await ctx.get(`${base}&nextToken=${encodeURIComponent(token)}`);
      expectStatus(second, 200);
      expectJson({ ...second, json: ranges(second) }, ['item-3'], 'second page');
      expectTrue(
        !('nextToken' in (second.json as object)),
        `expected no nextToken on the last page: ${describeResponse(second)}`,
      );
    },
  },
  {
    id: 'bad-limit',
    title: 'GET /{id}?limit=0, 101 or abc → 400',
    async run(ctx) {
      for (const limit of ['0', '101', 'abc']) {
        expectError(await ctx.get(`/${ctx.prefix}-list?limit=${limit}`), 400);
      }
    },
  },
  {
    id: 'bad-body',
    title: 'PUT with a JSON array or non-JSON body → 400',
    async run(ctx) {
      const id = `${ctx.prefix}-bad-body`;
      expectError(await ctx.put(id, 'array', [1, 2, 3]), 400);
      expectError(await ctx.put(id, 'not-json', '{"unterminated": '), 400);
      expectStatus(await ctx.get(itemPath(id, 'array')), 404);
    },
  },
  {
    id: 'delete',
    title: 'DELETE → 204, then GET → 404 and DELETE → 404; without x-api-key → 403',
    async run(ctx) {
      const id = `${ctx.prefix}-delete`;
      expectStatus(await ctx.put(id, 'record', { doomed: true }), 201);
      expectError(await ctx.del(id, 'record', { key: 'none' }), 403, 'Forbidden');
      const deleted = await ctx.del(id, 'record');
      expectStatus(deleted, 204);
      expectTrue(deleted.text === '', `expected an empty 204 body: ${describeResponse(deleted)}`);
      expectError(await ctx.get(itemPath(id, 'record')), 404);
      expectError(await ctx.del(id, 'record'), 404);
    },
  },
  {
    id: 'options',
    title: 'OPTIONS /{id}/{range} → 204 with CORS headers',
    async run(ctx) {
      const res = await ctx.api.request('OPTIONS', itemPath(`${ctx.prefix}-cors`, 'any'), {
        headers: { origin: 'https://smoke.example.com', 'access-control-request-method': 'PUT' },
      });
      expectStatus(res, 204);
      for (const header of ['access-control-allow-origin', 'access-control-allow-methods']) {
        expectTrue(Boolean(res.headers[header]), `expected ${header}: ${describeResponse(res)}`);
      }
    },
  },
  {
    id: 'cors-everywhere',
    title: 'Access-Control-Allow-Origin on every response, successes and errors',
    async run(ctx) {
      const responses = ctx.api.responses;
      expectTrue(
        responses.some((r) => r.status < 400) && responses.some((r) => r.status >= 400),
        'needs both successes and errors among the responses of the checks above',
      );
      const missing = responses.filter((r) => !r.headers['access-control-allow-origin']);
      expectTrue(
        missing.length === 0,
        `${missing.length} of ${responses.length} responses lack it: ` +
          missing
            .slice(0, 5)
            .map((r) => `${r.method} ${r.path} → ${r.status}`)
            .join('; '),
      );
    },
  },
  {
    id: 'error-bodies',
    title: 'every error is JSON {"message"} with no internal details (ARN, table, __type)',
    async run(ctx) {
      const errors = ctx.api.responses.filter((r) => r.status >= 400);
      expectTrue(errors.length > 0, 'no error responses to inspect');
      const problems = errors.flatMap((res) => {
        const problem = errorBodyProblem(res, ctx.internalNames);
        return problem ? [`${res.method} ${res.path} → ${res.status}: ${problem}`] : [];
      });
      if (problems.length > 0) {
        throw new CheckFailure(
          `${problems.length} of ${errors.length} error responses: ${problems.slice(0, 5).join('; ')}`,
        );
      }
    },
  },
];

/** Why an error response breaks the contract, or undefined when it keeps it. */
export function errorBodyProblem(res: ApiResponse, internalNames: string[]): string | undefined {
  const type = res.headers['content-type'] ?? '';
  if (!type.startsWith('application/json')) return `content-type ${JSON.stringify(type)}`;
  const body = res.json;
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    return `body is not a JSON object: ${JSON.stringify(res.text.slice(0, 80))}`;
  }
  const keys = Object.keys(body);
  if (
    keys.join() !== ERROR_BODY_KEYS.join() ||
    typeof (body as { message: unknown }).message !== 'string'
  ) {
    return `body is not {"message": "..."}: ${JSON.stringify(res.text.slice(0, 80))}`;
  }
  const leak =
    INTERNAL_MARKS.find((mark) => mark.test(res.text))?.source ??
    internalNames.find((name) => name !== '' && res.text.includes(name));
  return leak === undefined
    ? undefined
    : `body reveals ${leak}: ${JSON.stringify(res.text.slice(0, 120))}`;
}
