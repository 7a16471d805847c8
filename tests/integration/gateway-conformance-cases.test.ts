/**
 * The conformance suite: API Gateway behaviour recorded on real AWS, replayed against the local
 * stage. Each file in tests/fixtures/gateway/conformance/ is one recorded test translated to
 * CloudFormation (its `template`, or the name of a template file in tests/fixtures/gateway/)
 * plus the requests it made and the answers AWS gave (`expect`), with `source` naming where the
 * recording is public (LocalStack's AWS-validated `*.snapshot.json` and tests, issue threads
 * with captures from AWS). The template is served through `startLocalStage({template})`, as
 * `npm start -- --template <file>` serves it. The expectations never come from this project's
 * own output.
 *
 * Each request is one case: matched (the answer is the recorded one), differing (it is not) or
 * refused (start-up stops on a construct the local stage does not emulate). `npm run
 * test:conformance` prints the three counts (docs/conformance.md).
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { callDynamoDb } from '../../local/dynamodb/client';
import { UnsupportedConstructError } from '../../local/gateway';
import { startLocalStage, type RunningLocalStage } from '../../local/start';
import { send, type RawResponse } from '../helpers/local-stage';

const FIXTURES = path.join(__dirname, '..', 'fixtures', 'gateway');
const CASES = path.join(FIXTURES, 'conformance');

interface RecordedRequest {
  /** The snapshot key (or capture row) this request reproduces. */
  key: string;
  method?: string;
  /** After the stage, percent-encoded as sent. */
  path: string;
  headers?: Record<string, string>;
  /** Sent as is; `json` is sent as JSON instead. */
  body?: string;
  json?: unknown;
  expect: {
    status: number;
    /** The body as JSON, or as text. */
    json?: unknown;
    body?: string;
    /** Lower-cased header names with their recorded values. */
    headers?: Record<string, string>;
    /** Headers the recorded answer has (values vary per request). */
    headersPresent?: string[];
    /** Headers the recorded answer does not have. */
    headersAbsent?: string[];
    /** `Items` in the body are compared as a set (the recorded test sorted them). */
    itemsAnyOrder?: boolean;
  };
}

interface ConformanceCase {
  title: string;
  /** Where the recording is public. */
  source: string;
  /** A CloudFormation template, or the name of one in tests/fixtures/gateway/. */
  template: unknown;
  /** `echo`: AWS integrations go to a server answering `{"json": <body it got>}`. */
  backend?: 'echo' | 'dynamodb';
  /** Items put into tables before the requests, as the recorded test did. */
  seed?: Record<string, Record<string, unknown>[]>;
  /** Lines the local stage must print at start-up. */
  startupLog?: string[];
  requests: RecordedRequest[];
}

type Outcome = 'matched' | 'differing' | 'refused';
const outcomes: { title: string; key: string; outcome: Outcome; detail?: string }[] = [];

const cases = readdirSync(CASES)
  .filter((name) => name.endsWith('.json'))
  .sort()
  .map((name) => ({
    file: name,
    ...(JSON.parse(readFileSync(path.join(CASES, name), 'utf8')) as ConformanceCase),
  }));

/** Stands in for the backend: answers `{"json": <the body it received>}`, like LocalStack's echo server. */
let echo: http.Server;
let echoUrl: string;
const tmp = mkdtempSync(path.join(os.tmpdir(), 'gateway-conformance-'));

beforeAll(async () => {
  echo = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(`{"json": ${body === '' ? 'null' : body}}`);
    });
  });
  await new Promise<void>((resolve) => echo.listen(0, '127.0.0.1', resolve));
  echoUrl = `http://127.0.0.1:${(echo.address() as AddressInfo).port}`;
});

afterAll(async () => {
  echo?.closeAllConnections();
  await new Promise((resolve) => echo?.close(resolve));
  rmSync(tmp, { recursive: true, force: true });
  const count = (outcome: Outcome) => outcomes.filter((o) => o.outcome === outcome).length;
  const lines = [
    `conformance: ${outcomes.length} recorded cases: ${count('matched')} matched, ` +
      `${count('differing')} differing, ${count('refused')} refused`,
    ...outcomes
      .filter((o) => o.outcome !== 'matched')
      .map((o) => `  ${o.outcome}: ${o.title} / ${o.key}: ${o.detail ?? ''}`),
  ];
  process.stdout.write(`\n${lines.join('\n')}\n`);
});

describe.each(cases)('$title ($file)', (recorded) => {
  let stage: RunningLocalStage | undefined;
  let refusal: Error | undefined;
  const log: string[] = [];

  beforeAll(async () => {
    const template =
      typeof recorded.template === 'string'
        ? readFileSync(path.join(FIXTURES, recorded.template), 'utf8')
        : JSON.stringify(recorded.template);
    const file = path.join(tmp, recorded.file);
    writeFileSync(file, template);
    try {
      stage = await startLocalStage({
        port: 0,
        template: file,
        inMemory: true,
        seed: false,
        dynamoEndpoint: recorded.backend === 'echo' ? echoUrl : undefined,
        log: (line) => log.push(line),
      });
    } catch (err) {
      if (!(err instanceof UnsupportedConstructError)) throw err;
      refusal = err;
      return;
    }
    for (const [table, items] of Object.entries(recorded.seed ?? {})) {
      for (const item of items) {
        const res = await callDynamoDb(stage.dynamoEndpoint, 'PutItem', {
          TableName: table,
          Item: item,
        });
        if (res.status !== 200) throw new Error(`seeding ${table}: ${res.body}`);
      }
    }
  });

  afterAll(async () => {
    await stage?.stop();
  });

  if (recorded.startupLog) {
    it.each(recorded.startupLog)('prints at start-up: %s', (line) => {
      if (refusal) throw refusal;
      expect(log.join('\n')).toContain(line);
    });
  }

  it.each(recorded.requests)('$key', async (request) => {
    const record = (outcome: Outcome, detail?: string) =>
      outcomes.push({ title: recorded.title, key: request.key, outcome, detail });
    if (refusal || !stage) {
      record('refused', refusal?.message);
      throw refusal ?? new Error('the local stage did not start');
    }
    const body = request.json !== undefined ? JSON.stringify(request.json) : request.body;
    const res = await send(stage.url, request.path, {
      method: request.method ?? 'GET',
      headers: {
        ...(request.json !== undefined ? { 'Content-Type': 'application/json' } : {}),
        ...request.headers,
      },
      body,
    });
    const differences = compare(request.expect, res);
    record(differences.length ? 'differing' : 'matched', differences.join('; '));
    expect(differences).toEqual([]);
  });
});

/** What differs from the recorded answer, in words; framing is checked on every answer. */
function compare(expected: RecordedRequest['expect'], res: RawResponse): string[] {
  const out: string[] = [];
  if (res.status !== expected.status) out.push(`status ${res.status}, recorded ${expected.status}`);
  const actual = expected.itemsAnyOrder ? sortedItems(res.json) : res.json;
  if (expected.json !== undefined && !isDeepStrictEqual(actual, sortedItems(expected.json))) {
    out.push(`body ${res.body}, recorded ${JSON.stringify(expected.json)}`);
  }
  if (expected.body !== undefined && res.body !== expected.body) {
    out.push(`body ${JSON.stringify(res.body)}, recorded ${JSON.stringify(expected.body)}`);
  }
  for (const [name, value] of Object.entries(expected.headers ?? {})) {
    if (res.headers[name] !== value)
      out.push(`header ${name}: ${res.headers[name]}, recorded ${value}`);
  }
  for (const name of expected.headersPresent ?? []) {
    if (res.headers[name] === undefined) out.push(`no ${name} header, recorded one`);
  }
  for (const name of expected.headersAbsent ?? []) {
    if (res.headers[name] !== undefined) out.push(`a ${name} header, recorded none`);
  }
  // Every recorded answer is framed by Content-Length, never chunked.
  if (res.headers['transfer-encoding'] !== undefined) out.push('chunked, recorded Content-Length');
  else if (res.headers['content-length'] !== String(Buffer.byteLength(res.body))) {
    out.push(
      `content-length ${res.headers['content-length']}, body ${Buffer.byteLength(res.body)} bytes`,
    );
  }
  return out;
}

function sortedItems(body: unknown): unknown {
  if (
    body === null ||
    typeof body !== 'object' ||
    !Array.isArray((body as { Items?: unknown }).Items)
  ) {
    return body;
  }
  const items = [...(body as { Items: unknown[] }).Items].sort((a, b) =>
    JSON.stringify(a).localeCompare(JSON.stringify(b)),
  );
  return { ...body, Items: items };
}
