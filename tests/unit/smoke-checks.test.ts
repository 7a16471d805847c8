/** The pieces of `npm run smoke` that need no server: error-body rules, paths, report lines. */
import type { ApiResponse } from '../../scripts/lib/http-client';
import { createApiClient, THROTTLE_RETRIES } from '../../scripts/lib/http-client';
import { firstDifference } from '../../scripts/lib/smoke-assert';
import { errorBodyProblem, pathSegment } from '../../scripts/lib/smoke-checks';
import { formatResult, formatSummary } from '../../scripts/lib/smoke-runner';

function errorResponse(text: string, contentType = 'application/json'): ApiResponse {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return {
    method: 'GET',
    path: '/x',
    status: 400,
    headers: { 'content-type': contentType },
    text,
    json,
  };
}

describe('errorBodyProblem', () => {
  it.each([
    ['a plain message', '{"message":"Not found"}', 'application/json', undefined],
    [
      'a charset in the content type',
      '{"message":"Forbidden"}',
      'application/json; charset=utf-8',
      undefined,
    ],
    ['a text body', 'Not Found', 'text/plain', 'content-type "text/plain"'],
    ['a non-JSON body', '<html>', 'application/json', 'body is not a JSON object'],
    [
      'an extra __type key',
      '{"__type":"X","message":"m"}',
      'application/json',
      'body is not {"message": "..."}',
    ],
    ['a non-string message', '{"message":1}', 'application/json', 'body is not {"message": "..."}'],
    [
      'an ARN',
      '{"message":"arn:aws:dynamodb:eu-west-1:1:table/t"}',
      'application/json',
      'reveals arn:aws',
    ],
    ['an AWS error type', '{"message":"ValidationException: bad"}', 'application/json', 'reveals'],
    [
      'the table name',
      '{"message":"table config-store-alice"}',
      'application/json',
      'reveals config-store-alice',
    ],
    [
      'a stack trace',
      '{"message":"at handler (/var/task/index.js:10:5)"}',
      'application/json',
      'reveals',
    ],
  ])('%s', (_case, text, contentType, problem) => {
    const found = errorBodyProblem(errorResponse(text, contentType), ['config-store-alice']);
    if (problem === undefined) expect(found).toBeUndefined();
    else expect(found).toContain(problem);
  });
});

describe('pathSegment', () => {
  it.each([
    ['tenant:acme', 'tenant:acme'],
    ["it's(1)@x", "it's(1)@x"],
    ['a b', 'a%20b'],
    ['a/b', 'a%2Fb'],
    ['é', '%C3%A9'],
    ['50%', '50%25'],
  ])('%s → %s', (value, segment) => {
    expect(pathSegment(value)).toBe(segment);
  });
});

describe('firstDifference', () => {
  it.each([
    [{ a: { b: [1, 2] } }, { a: { b: [1, 3] } }, '$.a.b[1] (expected 2, got 3)'],
    [{ a: 1 }, {}, '$.a (missing)'],
    [{}, { a: 1 }, '$.a (unexpected)'],
    ['x', 5, '$ (expected "x", got 5)'],
  ])('%j vs %j → %s', (expected, actual, at) => {
    expect(firstDifference(expected, actual, '$')).toBe(at);
  });
});

describe('report lines', () => {
  const pass = { id: 'a', title: 'first check', ok: true, ms: 12 };
  const fail = { id: 'b', title: 'second check', ok: false, ms: 3, error: 'expected 403\ngot 200' };
  it.each([
    [pass, '✔ first check (12 ms)'],
    [fail, '✘ second check (3 ms)\n    expected 403\n    got 200'],
  ])('%j', (result, line) => {
    expect(formatResult(result)).toBe(line);
  });

  it.each([
    [[pass], '✔ smoke passed: 2 passed, 0 failed in 1.5 s'],
    [[pass, fail], '✘ smoke FAILED: 2 passed, 1 failed in 1.5 s — b'],
  ])('summary of %j', (results, line) => {
    const cleanup = { id: 'cleanup', title: 'cleanup', ok: true, ms: 1 };
    expect(formatSummary({ prefix: 'smoke-1', results, cleanup, ok: false }, 1.5)).toBe(line);
  });
});

describe('createApiClient', () => {
  it('gives up on a request after the timeout, naming it', async () => {
    const hangs: typeof fetch = (_url, init) =>
      new Promise((_resolve, reject) =>
        init?.signal?.addEventListener('abort', () => reject(init.signal?.reason)),
      );
    const api = createApiClient({ baseUrl: 'http://127.0.0.1:9/x/', timeoutMs: 20, fetch: hangs });
    await expect(api.request('GET', '/a')).rejects.toThrow('GET /a: no answer within 20 ms');
  });

  it.each([
    ['without Retry-After: 250 ms, then doubling', {}, [250, 500]],
    ['with Retry-After', { 'Retry-After': '2' }, [2000, 2000]],
  ])('resends a throttled (429) request, %s', async (_case, headers, pauses) => {
    const statuses = [429, 429, 200];
    const answer: typeof fetch = async () =>
      new Response('{"message":"Too Many Requests"}', { status: statuses.shift(), headers });
    const slept: number[] = [];
    const api = createApiClient({
      baseUrl: 'http://api.example/dev',
      timeoutMs: 1000,
      fetch: answer,
      sleep: async (ms) => void slept.push(ms),
    });
    expect((await api.request('DELETE', '/a/b')).status).toBe(200);
    expect(slept).toEqual(pauses);
    expect(api.responses.map((r) => r.status)).toEqual([429, 429, 200]);
  });

  it('gives up resending after THROTTLE_RETRIES and returns the 429', async () => {
    const answer: typeof fetch = async () => new Response('{}', { status: 429 });
    const api = createApiClient({
      baseUrl: 'http://api.example/dev',
      timeoutMs: 1000,
      fetch: answer,
      sleep: async () => undefined,
    });
    expect((await api.request('GET', '/a')).status).toBe(429);
    expect(api.responses).toHaveLength(THROTTLE_RETRIES + 1);
  });

  it('records every response with lower-cased headers and parsed JSON', async () => {
    const urls: string[] = [];
    const answer: typeof fetch = async (url) => {
      urls.push(String(url));
      return new Response('{"message":"Not found"}', {
        status: 404,
        headers: { 'Content-Type': 'application/json', 'Access-Control-Allow-Origin': '*' },
      });
    };
    const api = createApiClient({
      baseUrl: 'http://api.example/dev/',
      timeoutMs: 1000,
      fetch: answer,
    });
    await api.request('GET', '/id');
    expect(urls).toEqual(['http://api.example/dev/id']);
    expect(api.responses).toEqual([
      {
        method: 'GET',
        path: '/id',
        status: 404,
        headers: { 'content-type': 'application/json', 'access-control-allow-origin': '*' },
        text: '{"message":"Not found"}',
        json: { message: 'Not found' },
      },
    ]);
  });
});
