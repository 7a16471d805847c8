/**
 * The access log says why, through a real `npm start --template <file> --trace-json`: every
 * non-2xx line carries the gateway response type and a reason, or the integration and what
 * DynamoDB answered; the client's answer stays exactly API Gateway's. The served template is
 * the packaged `local` stage with tight limits (so that THROTTLED and QUOTA_EXCEEDED happen in
 * a few requests) and the DynamoDB is started here, so that the test can take it away.
 * Editing the --template file reloads it (a template that fails at render time gives
 * API_CONFIGURATION_ERROR). One child process for the whole file, tests in order.
 */
import net from 'node:net';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { callDynamoDb } from '../../local/dynamodb/client';
import { startDynamoDb, type RunningDynamoDb } from '../../local/dynamodb/engine';
import { send, TEST_API_KEY, type RawRequest } from '../helpers/local-stage';
import { LINE_TIMEOUT_MS, npmStart, type NpmStart } from '../helpers/npm-start';
import type { CfnTemplate } from '../../lib/cloudformation';
import { ROOT, templatePath } from '../helpers/packaged';

jest.setTimeout(3 * LINE_TIMEOUT_MS);

const QUOTA = 4;
let dir: string;
let file: string;
let template: CfnTemplate;
let dynamo: RunningDynamoDb;
let stage: NpmStart;
let url: string;

const writeTemplate = () => writeFileSync(file, JSON.stringify(template, null, 2));

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'dev-loop-log-'));
  file = path.join(dir, 'template.json');
  template = JSON.parse(readFileSync(templatePath('local'), 'utf8')) as CfnTemplate;
  const props = (id: string) => template.Resources[id].Properties as Record<string, unknown>;
  // GET /{id}: one request, then 429 for the next 100 s (0.01 request/s).
  for (const setting of props('ApiStage').MethodSettings as Record<string, unknown>[]) {
    if (setting.ResourcePath === '/~1{id}') {
      Object.assign(setting, { ThrottlingBurstLimit: 1, ThrottlingRateLimit: 0.01 });
    }
  }
  const plan = Object.values(template.Resources).find(
    (r) => r.Type === 'AWS::ApiGateway::UsagePlan',
  )!.Properties as Record<string, unknown>;
  plan.Quota = { Limit: QUOTA, Period: 'DAY' };
  writeTemplate();
  dynamo = await startDynamoDb({ engine: 'dynalite' });
  stage = npmStart(ROOT, [
    '--port',
    '0',
    '--template',
    file,
    '--dynamodb-endpoint',
    dynamo.endpoint,
    '--trace-json',
  ]);
  await stage.waitFor(/Ctrl-C stops it\./);
  url = /ready: (http:\/\/127\.0\.0\.1:\d+\/local)\b/.exec(stage.output())![1];
});

afterAll(async () => {
  stage?.kill();
  await dynamo?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** Sends, then returns the answer and its access-log line (the line after the request). */
async function logged(
  method: string,
  pathname: string,
  req: RawRequest = {},
  base = url,
): Promise<{ status: number; body: string; line: string }> {
  const from = stage.output().length;
  const res = await send(base, pathname, { method, ...req });
  const urlPath = new URL(base).pathname + pathname;
  const escaped = `${method} ${urlPath}`.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const match = await stage.waitFor(
    new RegExp(`^${escaped} ${res.status} [\\d.]+ ms(.*)$`, 'm'),
    from,
  );
  return { status: res.status, body: res.body, line: match[1].trim() };
}

const writer = (body: string, contentType = 'application/json'): RawRequest => ({
  headers: { 'x-api-key': TEST_API_KEY, 'Content-Type': contentType },
  body,
});

it('an unknown stage: 403 Forbidden as on AWS, the line names the stage asked for', async () => {
  const base = url.replace(/\/local$/, '/dev');
  expect(await logged('GET', '/svc', {}, base)).toEqual({
    status: 403,
    body: '{"message":"Forbidden"}',
    line: 'no stage "dev" (this is "local")',
  });
});

it('MISSING_AUTHENTICATION_TOKEN: no such resource, or no such method', async () => {
  expect(await logged('GET', '/a/b/c')).toMatchObject({
    status: 403,
    body: '{"message":"Missing Authentication Token"}',
    line: 'MISSING_AUTHENTICATION_TOKEN: no resource matches /a/b/c',
  });
  expect((await logged('POST', '/svc')).line).toBe(
    'MISSING_AUTHENTICATION_TOKEN: no POST method on /{id}',
  );
});

it('INVALID_API_KEY: no key, or a key the API does not have', async () => {
  expect(await logged('PUT', '/svc/x', { body: '{}' })).toMatchObject({
    status: 403,
    body: '{"message":"Forbidden"}',
    line: 'INVALID_API_KEY: no x-api-key header',
  });
  expect(
    (await logged('PUT', '/svc/x', { headers: { 'x-api-key': 'nope' }, body: '{}' })).line,
  ).toBe('INVALID_API_KEY: x-api-key is not a key of this API');
});

it('BAD_REQUEST_BODY, UNSUPPORTED_MEDIA_TYPE, then QUOTA_EXCEEDED after the plan quota', async () => {
  // Each of these passed the API key check, so each counts against the quota.
  expect(await logged('PUT', '/svc/x', writer('[1]'))).toMatchObject({
    status: 400,
    body: '{"message":"Invalid request body"}',
    line: 'BAD_REQUEST_BODY: the body must be object',
  });
  expect(await logged('PUT', '/svc/x', writer('{"a":1}', 'text/plain'))).toMatchObject({
    status: 415,
    line: 'UNSUPPORTED_MEDIA_TYPE: no request template for text/plain (passthrough NEVER)',
  });
  for (let i = 2; i < QUOTA; i++) {
    expect(await logged('PUT', `/svc/item${i}`, writer('{"a":1}'))).toMatchObject({
      status: 201,
      line: '',
    });
  }
  expect(await logged('PUT', '/svc/over', writer('{"a":1}'))).toMatchObject({
    status: 429,
    body: '{"message":"Limit Exceeded"}',
    line: `QUOTA_EXCEEDED: usage plan quota of ${QUOTA} per DAY`,
  });
});

it('THROTTLED: the stage limit of the method', async () => {
  expect((await logged('GET', '/svc')).status).toBe(200);
  expect(await logged('GET', '/svc')).toMatchObject({
    status: 429,
    body: '{"message":"Too Many Requests"}',
    line: 'THROTTLED: stage limit on GET /{id}',
  });
});

it('REQUEST_TOO_LARGE and DEFAULT_4XX (a request Node cannot parse)', async () => {
  expect(
    await logged('PUT', '/svc/big', writer(`{"a":"${'x'.repeat(10 * 1024 * 1024)}"}`)),
  ).toMatchObject({
    status: 413,
    line: `REQUEST_TOO_LARGE: body over ${10 * 1024 * 1024} bytes`,
  });
  const from = stage.output().length;
  const { port } = new URL(url);
  await new Promise<void>((resolve, reject) => {
    const socket = net.connect(Number(port), '127.0.0.1', () => {
      socket.end(`GET /local/svc HTTP/1.1\r\nHost: x\r\nX-Big: ${'y'.repeat(20_000)}\r\n\r\n`);
    });
    socket.on('data', () => undefined);
    socket.on('close', () => resolve());
    socket.on('error', reject);
  });
  expect((await stage.waitFor(/^- \(unparsable request\) 431 (.*)$/m, from))[1]).toBe(
    'DEFAULT_4XX: HPE_HEADER_OVERFLOW',
  );
});

it('the trace of a request shows the transformed integration request, key masked', async () => {
  const from = stage.output().length;
  expect((await logged('GET', '/svc/item2')).status).toBe(200);
  const json = (await stage.waitFor(/^(\{"requestId".*"path":"\/svc\/item2".*)$/m, from))[1];
  const trace = JSON.parse(json) as { status: number; steps: { step: string; value?: string }[] };
  expect(trace.status).toBe(200);
  const step = (name: string) => trace.steps.find((s) => s.step === name)?.value;
  expect(step('Method request path')).toBe('{id=svc, range=item2}');
  expect(JSON.parse(step('Endpoint request body after transformations')!)).toEqual({
    TableName: 'config-store-local',
    Key: { id: { S: 'svc' }, range: { S: 'item2' } },
  });
  expect(JSON.parse(step('Method response body after transformations')!)).toEqual({
    id: 'svc',
    range: 'item2',
    a: 1,
  });
  expect(step('Method completed with status')).toBe('200');
  expect(trace.steps.map((s) => s.step)).toEqual(
    expect.arrayContaining([
      'Method request query string',
      'Method request headers',
      'Endpoint request URI',
      'Received response',
      'Endpoint response body before transformations',
    ]),
  );
});

it('API_CONFIGURATION_ERROR after editing the --template file to a template that fails', async () => {
  const integration = (template.Resources.GetItemMethod.Properties as Record<string, unknown>)
    .Integration as { RequestTemplates: Record<string, string> };
  const good = integration.RequestTemplates['application/json'];
  let from = stage.output().length;
  integration.RequestTemplates['application/json'] = '#set($list = [1])\n$list.get(5)';
  writeTemplate();
  await stage.waitFor(/Reloaded in [\d.]+ s/, from);
  const { status, body, line } = await logged('GET', '/svc/item2');
  expect({ status, body }).toEqual({ status: 500, body: '{"message":"Internal server error"}' });
  expect(line).toMatch(
    /^API_CONFIGURATION_ERROR: GET \/\{id\}\/\{range\} request template \(application\/json\): .*IndexOutOfBoundsException/,
  );
  from = stage.output().length;
  integration.RequestTemplates['application/json'] = good;
  writeTemplate();
  await stage.waitFor(/Reloaded in [\d.]+ s/, from);
});

it('non-2xx answers from the integration name DynamoDB and its error type', async () => {
  expect(await logged('GET', '/svc/absent')).toMatchObject({
    status: 404,
    line: 'DynamoDB GetItem answered 200; the integration response made it 404',
  });
  await callDynamoDb(dynamo.endpoint, 'DeleteTable', { TableName: 'config-store-local' });
  const { body, ...rest } = await logged('GET', '/svc/item2');
  expect(JSON.parse(body)).toEqual({ message: 'Bad gateway' });
  expect(rest).toEqual({
    status: 502,
    line: 'DynamoDB GetItem answered 400 ResourceNotFoundException; the integration response made it 502',
  });
});

it('INTEGRATION_FAILURE when DynamoDB is gone', async () => {
  await dynamo.stop();
  expect(await logged('GET', '/svc/item2')).toMatchObject({
    status: 503,
    body: '{"message":"Service unavailable"}',
    line: 'INTEGRATION_FAILURE: DynamoDB GetItem: ECONNREFUSED',
  });
});
