/**
 * Client-controlled names are data: a header, query parameter or path parameter named like a
 * JavaScript object property (`toString`, `constructor`, `__proto__`, `hasOwnProperty`) is just
 * a name. It reaches templates as sent and counts as present only when the client sent it.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startLocalStage, type RunningLocalStage } from '../../local/start';
import { send, startPackagedLocalStage, TEST_API_KEY } from '../helpers/local-stage';

const ECHO_TEMPLATE = [
  '#set($h = $input.params().header)',
  '#set($q = $input.params().querystring)',
  '{"toString": "$util.escapeJavaScript($!h.get(\'toString\'))",',
  ' "proto": "$util.escapeJavaScript($!h.get(\'__proto__\'))",',
  ' "headerCount": $h.size(),',
  ' "hasOwnProperty": "$util.escapeJavaScript($!input.params(\'hasOwnProperty\'))",',
  ' "queryCount": $q.size(),',
  ' "path": "$util.escapeJavaScript($!input.params().path.get(\'constructor\'))"}',
].join('\n');

const method = (resource: string, required: Record<string, boolean>) => ({
  Type: 'AWS::ApiGateway::Method',
  Properties: {
    RestApiId: { Ref: 'Api' },
    ResourceId: { Ref: resource },
    HttpMethod: 'GET',
    AuthorizationType: 'NONE',
    RequestValidatorId: { Ref: 'Validator' },
    RequestParameters: required,
    Integration: {
      Type: 'MOCK',
      RequestTemplates: { 'application/json': '{"statusCode": 200}' },
      IntegrationResponses: [
        { StatusCode: '200', ResponseTemplates: { 'application/json': ECHO_TEMPLATE } },
      ],
    },
    MethodResponses: [{ StatusCode: '200' }],
  },
});

const TEMPLATE = {
  Resources: {
    Api: { Type: 'AWS::ApiGateway::RestApi', Properties: { Name: 'names' } },
    Deployment: { Type: 'AWS::ApiGateway::Deployment', Properties: { RestApiId: { Ref: 'Api' } } },
    Stage: {
      Type: 'AWS::ApiGateway::Stage',
      Properties: {
        RestApiId: { Ref: 'Api' },
        StageName: 'dev',
        DeploymentId: { Ref: 'Deployment' },
      },
    },
    Validator: {
      Type: 'AWS::ApiGateway::RequestValidator',
      Properties: { RestApiId: { Ref: 'Api' }, ValidateRequestParameters: true },
    },
    Echo: {
      Type: 'AWS::ApiGateway::Resource',
      Properties: {
        RestApiId: { Ref: 'Api' },
        ParentId: { 'Fn::GetAtt': ['Api', 'RootResourceId'] },
        PathPart: 'echo',
      },
    },
    Param: {
      Type: 'AWS::ApiGateway::Resource',
      Properties: {
        RestApiId: { Ref: 'Api' },
        ParentId: { 'Fn::GetAtt': ['Api', 'RootResourceId'] },
        PathPart: '{constructor}',
      },
    },
    EchoGet: method('Echo', {
      'method.request.querystring.constructor': true,
      'method.request.header.valueOf': true,
    }),
    ParamGet: method('Param', { 'method.request.path.constructor': true }),
  },
};

let stage: RunningLocalStage;
const dir = mkdtempSync(path.join(os.tmpdir(), 'client-names-'));

beforeAll(async () => {
  const file = path.join(dir, 'template.json');
  writeFileSync(file, JSON.stringify(TEMPLATE));
  stage = await startLocalStage({ port: 0, template: file, log: () => undefined });
});
afterAll(async () => {
  await stage?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('names that are JavaScript object properties are data', () => {
  it('a required query parameter or header named constructor/valueOf is missing until sent', async () => {
    const res = await send(stage.url, '/echo');
    expect(res.status).toBe(400);
    const { message } = res.json as { message: string };
    expect(message).toMatch(/^Missing required request parameters: \[(constructor|valueOf), /);
    expect(message).toContain('constructor');
    expect(message).toContain('valueOf');
  });

  it('headers named toString and __proto__ reach the template as sent, once each', async () => {
    const res = await send(stage.url, '/echo?constructor=c&hasOwnProperty=h', {
      // (A `__proto__` key in an object literal would set the prototype, not send a header.)
      headers: { valueOf: 'v', toString: 'abc', ...JSON.parse('{"__proto__": "p"}') },
    });
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ toString: 'abc', proto: 'p', hasOwnProperty: 'h' });
    expect((res.json as { queryCount: number }).queryCount).toBe(2);
  });

  it('a path parameter named constructor is the path segment', async () => {
    const res = await send(stage.url, '/toString');
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ path: 'toString', toString: '' });
  });
});

describe('JSON keys that are JavaScript object properties are data, end to end', () => {
  let api: RunningLocalStage;
  beforeAll(async () => {
    api = await startPackagedLocalStage();
  });
  afterAll(() => api?.stop());

  it('__proto__, constructor, toString at any depth are stored and read back as sent', async () => {
    // Written as text: a `__proto__` key in an object literal would set the prototype.
    const body =
      '{"__proto__": "x", "m": {"__proto__": 5, "toString": [1, {"__proto__": null}]},' +
      ' "constructor": 1, "hasOwnProperty": {"valueOf": true}}';
    const put = await send(api.url, '/names/proto', {
      method: 'PUT',
      headers: { 'content-type': 'application/json', 'x-api-key': TEST_API_KEY },
      body,
    });
    expect(put.status).toBe(201);
    const read = await send(api.url, '/names/proto');
    expect(read.status).toBe(200);
    expect(read.body).toContain('"__proto__":"x"');
    const { id, range, ...stored } = JSON.parse(read.body) as Record<string, unknown>;
    expect([id, range]).toEqual(['names', 'proto']);
    expect(JSON.stringify(stored)).toBe(JSON.stringify(JSON.parse(body)));
  });
});
