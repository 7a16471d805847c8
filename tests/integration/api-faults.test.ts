/**
 * DynamoDB failures through the packaged `local` stage: a stub HTTP server stands in for
 * DynamoDB and answers each error type; every one must reach the client as the status docs/http-api.md
 * documents with a generic JSON body, and the stage keeps serving afterwards.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { RunningLocalStage } from '../../local/start';
import { templatePath } from '../helpers/packaged';
import { INTERNAL_DETAIL, putItem, send, startPackagedLocalStage } from '../helpers/local-stage';

interface StubAnswer {
  status: number;
  body: string;
  /** Never answer (to test the integration timeout). */
  hang?: boolean;
}

const AMZ_JSON = 'application/x-amz-json-1.0';
const dynamoError = (type: string, status = 400): StubAnswer => ({
  status,
  body: JSON.stringify({
    __type: type,
    message: 'Requested resource config-store-local arn:aws:dynamodb',
  }),
});

let next: StubAnswer = { status: 200, body: '{}' };
let stub: http.Server;
let stubUrl: string;
let stage: RunningLocalStage;
let tempDir: string;

beforeAll(async () => {
  stub = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      if (next.hang) return;
      res.writeHead(next.status, { 'content-type': AMZ_JSON });
      res.end(next.body);
    });
  });
  await new Promise<void>((resolve) => stub.listen(0, '127.0.0.1', resolve));
  stubUrl = `http://127.0.0.1:${(stub.address() as AddressInfo).port}`;
  // The packaged template with a short integration timeout on GET /{id}/{range}, so the
  // timeout case takes 300 ms, not API Gateway's default 29 s; and without the writer key's
  // usage-plan throttle (10/s, burst 20), which this burst of writes would exceed: throttling
  // has its own tests (gateway-throttling.test.ts), and api-contract.test.ts keeps within it.
  tempDir = mkdtempSync(path.join(os.tmpdir(), 'api-faults-'));
  const template = JSON.parse(readFileSync(templatePath('local'), 'utf8'));
  template.Resources.GetItemMethod.Properties.Integration.TimeoutInMillis = 300;
  for (const resource of Object.values<{ Type: string; Properties: Record<string, unknown> }>(
    template.Resources,
  )) {
    if (resource.Type === 'AWS::ApiGateway::UsagePlan') delete resource.Properties.Throttle;
  }
  const file = path.join(tempDir, 'template.json');
  writeFileSync(file, JSON.stringify(template));
  stage = await startPackagedLocalStage({
    template: file,
    dynamoEndpoint: stubUrl,
    createTables: false,
  });
});

afterAll(async () => {
  await stage?.stop();
  stub?.closeAllConnections();
  await new Promise((resolve) => stub?.close(resolve));
  if (tempDir) rmSync(tempDir, { recursive: true, force: true });
});

const CASES: [string, StubAnswer, number][] = [
  ['ValidationException', dynamoError('com.amazon.coral.validate#ValidationException'), 400],
  [
    'ConditionalCheckFailedException',
    dynamoError('com.amazonaws.dynamodb.v20120810#ConditionalCheckFailedException'),
    412,
  ],
  [
    'ProvisionedThroughputExceededException',
    dynamoError('com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException'),
    429,
  ],
  ['ThrottlingException', dynamoError('com.amazon.coral.availability#ThrottlingException'), 429],
  [
    'RequestLimitExceeded',
    dynamoError('com.amazonaws.dynamodb.v20120810#RequestLimitExceeded'),
    429,
  ],
  [
    'ResourceNotFoundException',
    dynamoError('com.amazonaws.dynamodb.v20120810#ResourceNotFoundException'),
    502,
  ],
  ['AccessDeniedException', dynamoError('com.amazon.coral.service#AccessDeniedException'), 502],
  [
    'InternalServerError (500)',
    dynamoError('com.amazonaws.dynamodb.v20120810#InternalServerError', 500),
    503,
  ],
  [
    'ServiceUnavailable (503)',
    dynamoError('com.amazon.coral.availability#ServiceUnavailableException', 503),
    503,
  ],
  ['garbage body with 500', { status: 500, body: '<html>oops' }, 503],
  [
    'HTML body with 503',
    { status: 503, body: '<html><body>Service Unavailable</body></html>' },
    503,
  ],
  ['empty body with 500', { status: 500, body: '' }, 503],
  ['plain-text body with 502', { status: 502, body: 'Bad Gateway' }, 503],
  ['JSON that is no error with 500', { status: 500, body: '[1, 2]' }, 503],
  ['garbage body with 400', { status: 400, body: 'not json at all' }, 502],
];

describe.each([
  ['GET /{id}', 'GET', '/payments-service'],
  ['GET /{id}/{range}', 'GET', '/payments-service/config'],
  ['PUT /{id}/{range}', 'PUT', '/payments-service/config'],
  ['DELETE /{id}/{range}', 'DELETE', '/payments-service/config'],
])('%s', (_, method, urlPath) => {
  it.each(CASES.map(([name, answer, status]) => [name, status, answer] as const))(
    'DynamoDB answers %s: %d with a generic JSON message',
    async (__, status, answer) => {
      next = answer;
      const res =
        method === 'PUT'
          ? await putItem(stage.url, urlPath, { v: 1 })
          : await send(stage.url, urlPath, {
              method,
              headers: { 'x-api-key': stage.apiKey ?? '' },
            });
      expect({ status: res.status, json: res.json }).toEqual({
        status,
        json: { message: expect.any(String) },
      });
      expect(res.headers['access-control-allow-origin']).toBe('*');
      expect(res.body).not.toMatch(INTERNAL_DETAIL);
    },
  );
});

describe('DynamoDB unreachable or slow', () => {
  it('no answer within the integration timeout: 504 Endpoint request timed out', async () => {
    next = { status: 200, body: '{}', hang: true };
    const res = await send(stage.url, '/payments-service/config');
    expect({ status: res.status, json: res.json }).toEqual({
      status: 504,
      json: { message: 'Endpoint request timed out' },
    });
    expect(res.headers['access-control-allow-origin']).toBe('*');
  });

  it('connection refused: 503 Service unavailable (our INTEGRATION_FAILURE), then serves again', async () => {
    const closed = await startPackagedLocalStage({
      dynamoEndpoint: 'http://127.0.0.1:9',
      createTables: false,
    });
    try {
      const res = await send(closed.url, '/payments-service/config');
      expect({ status: res.status, json: res.json }).toEqual({
        status: 503,
        json: { message: 'Service unavailable' },
      });
      expect(res.headers['access-control-allow-origin']).toBe('*');
      const again = await send(closed.url, '/payments-service', { method: 'OPTIONS' });
      expect(again.status).toBe(204);
    } finally {
      await closed.stop();
    }
  });

  it('keeps serving after every failure', async () => {
    next = {
      status: 200,
      body: JSON.stringify({
        Item: { id: { S: 'payments-service' }, range: { S: 'config' }, v: { N: '1' } },
      }),
    };
    const res = await send(stage.url, '/payments-service/config');
    expect({ status: res.status, json: res.json }).toEqual({
      status: 200,
      json: { id: 'payments-service', range: 'config', v: 1 },
    });
  });
});
