/**
 * Assertions on the CloudFormation template that `sls package` wrote (tests/global-setup.ts),
 * property by property: what matters about each resource, not a snapshot of all of them.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import {
  evaluateCondition,
  resolveValue,
  resourcesOfType as evaluatedResourcesOfType,
  stableId,
} from '../../local/gateway/packaged-template';
import { loadVtl } from '../../resources/vtl';
import type { CfnResource, CfnTemplate } from '../../lib/cloudformation';
import {
  loadPackagedTemplate,
  packageDir,
  resourcesOfType,
  TEST_API_KEY,
  UNPINNED_STAGE,
} from '../helpers/packaged';

const dev = loadPackagedTemplate('dev');

const props = (resource: CfnResource) => resource.Properties as Record<string, any>;
const method = (template: CfnTemplate, logicalId: string) =>
  props(template.Resources[logicalId]) as Record<string, any>;

/** A request/response template as written into the template: a string or a Fn::Join of parts. */
function templateText(value: unknown): string {
  if (typeof value === 'string') return value;
  const parts = (value as { 'Fn::Join': [string, unknown[]] })['Fn::Join'][1];
  return parts.map((p) => (typeof p === 'string' ? p : '@@TableName@@')).join('');
}

describe('the table', () => {
  const table = props(dev.Resources.ConfigTable);

  it('has hash key id (S) and range key range (S)', () => {
    expect(table.KeySchema).toEqual([
      { AttributeName: 'id', KeyType: 'HASH' },
      { AttributeName: 'range', KeyType: 'RANGE' },
    ]);
    expect(table.AttributeDefinitions).toEqual([
      { AttributeName: 'id', AttributeType: 'S' },
      { AttributeName: 'range', AttributeType: 'S' },
    ]);
  });

  it('is billed per request and named after service and stage', () => {
    expect(table.BillingMode).toBe('PAY_PER_REQUEST');
    expect(table.TableName).toBe('config-store-dev');
  });
});

describe('integration roles', () => {
  const roles = resourcesOfType(dev, 'AWS::IAM::Role');

  it.each([
    ['ApiReadRole', ['dynamodb:Query', 'dynamodb:GetItem']],
    ['ApiPutItemRole', ['dynamodb:PutItem']],
    ['ApiDeleteItemRole', ['dynamodb:DeleteItem']],
  ])('%s can be assumed only by API Gateway and allows only %j on the table', (id, actions) => {
    const role = props(roles[id]);
    expect(role.AssumeRolePolicyDocument.Statement).toEqual([
      {
        Effect: 'Allow',
        Principal: { Service: 'apigateway.amazonaws.com' },
        Action: 'sts:AssumeRole',
      },
    ]);
    const statements = role.Policies.flatMap(
      (p: { PolicyDocument: { Statement: unknown[] } }) => p.PolicyDocument.Statement,
    );
    expect(statements).toEqual([
      { Effect: 'Allow', Action: actions, Resource: { 'Fn::GetAtt': ['ConfigTable', 'Arn'] } },
    ]);
  });

  it('are the only roles, and no policy anywhere grants a wildcard', () => {
    expect(Object.keys(roles).sort()).toEqual(
      ['ApiDeleteItemRole', 'ApiPutItemRole', 'ApiReadRole'].sort(),
    );
    expect(JSON.stringify(roles)).not.toMatch(/"(Action|Resource)":\s*"\*"|dynamodb:\*/);
  });
});

describe('methods', () => {
  it('are exactly the contract: GET/PUT/DELETE on items, OPTIONS on every path', () => {
    const methods = Object.values(resourcesOfType(dev, 'AWS::ApiGateway::Method')).map(
      (m) => `${props(m).HttpMethod} ${props(m).ResourceId.Ref}`,
    );
    expect(methods.sort()).toEqual(
      [
        'GET ItemsResource',
        'OPTIONS ItemsResource',
        'GET ItemResource',
        'PUT ItemResource',
        'DELETE ItemResource',
        'OPTIONS ItemResource',
      ].sort(),
    );
    expect(props(dev.Resources.ItemsResource)).toMatchObject({
      PathPart: '{id}',
      ParentId: { 'Fn::GetAtt': ['RestApi', 'RootResourceId'] },
    });
    expect(props(dev.Resources.ItemResource)).toMatchObject({
      PathPart: '{range}',
      ParentId: { Ref: 'ItemsResource' },
    });
  });

  it.each([
    ['GetItemsMethod', 'Query', 'ApiReadRole', 'get-items', false],
    ['GetItemMethod', 'GetItem', 'ApiReadRole', 'get-item', false],
    ['PutItemMethod', 'PutItem', 'ApiPutItemRole', 'put-item', true],
    ['DeleteItemMethod', 'DeleteItem', 'ApiDeleteItemRole', 'delete-item', true],
  ])(
    '%s integrates with DynamoDB %s directly, as %s, through vtl/%s.*.vtl',
    (id, action, role, templates, apiKeyRequired) => {
      const m = method(dev, id);
      expect(m.AuthorizationType).toBe('NONE');
      expect(m.ApiKeyRequired).toBe(apiKeyRequired);
      expect(m.Integration).toMatchObject({
        Type: 'AWS',
        IntegrationHttpMethod: 'POST',
        Uri: { 'Fn::Sub': `arn:aws:apigateway:\${AWS::Region}:dynamodb:action/${action}` },
        Credentials: { 'Fn::GetAtt': [role, 'Arn'] },
        PassthroughBehavior: 'NEVER',
      });
      expect(Object.keys(m.Integration.RequestTemplates)).toEqual(['application/json']);
      expect(templateText(m.Integration.RequestTemplates['application/json'])).toBe(
        loadVtl(`${templates}.request.vtl`),
      );
      const request = m.Integration.RequestTemplates['application/json'];
      expect(JSON.stringify(request)).toContain('{"Ref":"ConfigTable"}');
    },
  );

  it.each(['GetItemsMethod', 'GetItemMethod', 'PutItemMethod', 'DeleteItemMethod'])(
    '%s maps success by its response template, DynamoDB errors (4XX) by type, 5XX to 503',
    (id) => {
      const responses = method(dev, id).Integration.IntegrationResponses;
      expect(responses.map((r: any) => [r.StatusCode, r.SelectionPattern])).toEqual([
        ['200', undefined],
        ['400', '4\\d{2}'],
        ['503', '5\\d{2}'],
      ]);
      const base = id
        .replace('Method', '')
        .replace(/[A-Z]/g, (c, i) => (i ? '-' : '') + c.toLowerCase());
      expect(templateText(responses[0].ResponseTemplates['application/json'])).toBe(
        loadVtl(`${base}.response.vtl`),
      );
      expect(responses[1].ResponseTemplates['application/json']).toBe(
        loadVtl('error.response.vtl'),
      );
      expect(responses[2].ResponseTemplates['application/json']).toBe(
        loadVtl('server-error.response.vtl'),
      );
    },
  );

  it.each(Object.keys(resourcesOfType(dev, 'AWS::ApiGateway::Method')))(
    '%s sends the CORS origin header on every integration and method response',
    (id) => {
      const m = method(dev, id);
      for (const r of m.Integration.IntegrationResponses) {
        expect(r.ResponseParameters['method.response.header.Access-Control-Allow-Origin']).toBe(
          "'*'",
        );
      }
      for (const r of m.MethodResponses) {
        expect(r.ResponseParameters['method.response.header.Access-Control-Allow-Origin']).toBe(
          true,
        );
      }
    },
  );

  it('declares every status the templates can choose as a method response', () => {
    const chosen = new Set<string>(['200', '400', '503']);
    for (const name of [
      'error',
      'server-error',
      'get-items',
      'get-item',
      'put-item',
      'delete-item',
    ]) {
      const text = loadVtl(`${name}.response.vtl`);
      for (const [, status] of text.matchAll(/responseOverride\.status = (\d+)/g))
        chosen.add(status);
      for (const [, status] of text.matchAll(/#set\(\$status = (\d+)\)/g)) chosen.add(status);
    }
    for (const id of ['GetItemsMethod', 'GetItemMethod', 'PutItemMethod', 'DeleteItemMethod']) {
      const declared = method(dev, id).MethodResponses.map((r: any) => r.StatusCode);
      expect(declared).toEqual(expect.arrayContaining([...chosen]));
    }
  });

  it('validates PUT bodies against a draft-04 JSON Schema model requiring an object', () => {
    const put = method(dev, 'PutItemMethod');
    expect(put.RequestValidatorId).toEqual({ Ref: 'BodyValidator' });
    expect(put.RequestModels).toEqual({ 'application/json': { Ref: 'ItemModel' } });
    expect(props(dev.Resources.BodyValidator)).toMatchObject({
      ValidateRequestBody: true,
      ValidateRequestParameters: true,
    });
    expect(props(dev.Resources.ItemModel).Schema).toMatchObject({
      $schema: 'http://json-schema.org/draft-04/schema#',
      type: 'object',
    });
  });

  it('answers OPTIONS with a MOCK preflight naming the allowed methods and headers', () => {
    const options = method(dev, 'ItemOptionsMethod');
    expect(options.Integration.Type).toBe('MOCK');
    expect(options.ApiKeyRequired).toBe(false);
    expect(options.Integration.IntegrationResponses[0]).toMatchObject({
      StatusCode: '204',
      ResponseParameters: {
        'method.response.header.Access-Control-Allow-Origin': "'*'",
        'method.response.header.Access-Control-Allow-Methods': "'GET,PUT,DELETE,OPTIONS'",
        'method.response.header.Access-Control-Allow-Headers':
          "'Content-Type,X-Api-Key,If-None-Match'",
      },
    });
  });
});

describe('gateway responses', () => {
  const responses = Object.values(resourcesOfType(dev, 'AWS::ApiGateway::GatewayResponse'));

  it('answer DynamoDB unreachable (INTEGRATION_FAILURE) with 503, the rest with AWS statuses', () => {
    const withStatus = responses.filter((r) => props(r).StatusCode !== undefined);
    expect(withStatus.map((r) => [props(r).ResponseType, props(r).StatusCode])).toEqual([
      ['INTEGRATION_FAILURE', '503'],
    ]);
  });

  it('cover the defaults and the errors clients meet', () => {
    expect(responses.map((r) => props(r).ResponseType)).toEqual(
      expect.arrayContaining([
        'DEFAULT_4XX',
        'DEFAULT_5XX',
        'MISSING_AUTHENTICATION_TOKEN',
        'INVALID_API_KEY',
        'BAD_REQUEST_BODY',
        'BAD_REQUEST_PARAMETERS',
        'THROTTLED',
        'QUOTA_EXCEEDED',
        'UNSUPPORTED_MEDIA_TYPE',
      ]),
    );
  });

  it.each(responses.map((r) => [props(r).ResponseType, r]))(
    '%s answers JSON {"message": ...} with the CORS header',
    (type, r) => {
      expect(props(r as CfnResource).ResponseTemplates).toEqual({
        'application/json':
          type === 'INTEGRATION_FAILURE'
            ? '{"message":"Service unavailable"}'
            : '{"message":$context.error.messageString}',
      });
      expect(props(r as CfnResource).ResponseParameters).toEqual({
        'gatewayresponse.header.Access-Control-Allow-Origin': "'*'",
      });
    },
  );
});

describe('API keys', () => {
  const alice = loadPackagedTemplate(UNPINNED_STAGE);
  /** The key resources as CloudFormation would create them with the parameters' defaults. */
  const keysAsDeployed = (t: CfnTemplate) =>
    evaluatedResourcesOfType(t as CfnTemplate, 'AWS::ApiGateway::ApiKey');

  it('generated by API Gateway by default: no Value anywhere in the package of alice', () => {
    expect(keysAsDeployed(alice)).toEqual([
      {
        logicalId: 'WriterApiKey',
        props: {
          Name: 'config-store-alice-writer',
          Description: 'Writes configuration records (stage alice)',
          Enabled: true,
        },
      },
    ]);
    // Every file `sls package` wrote: no key value, and API_KEY was not needed.
    for (const file of readdirSync(packageDir(UNPINNED_STAGE))) {
      expect(readFileSync(path.join(packageDir(UNPINNED_STAGE), file), 'utf8')).not.toContain(
        TEST_API_KEY,
      );
    }
  });

  it('pinned by API_KEY when a stage sets it (the value then sits in the template)', () => {
    expect(keysAsDeployed(dev)).toEqual([
      expect.objectContaining({
        logicalId: 'WriterApiKey',
        props: expect.objectContaining({ Enabled: true, Value: TEST_API_KEY }),
      }),
    ]);
  });

  it('two key slots, toggled by the WriterKeys parameter, both in one usage plan', () => {
    expect(dev.Parameters?.WriterKeys).toMatchObject({
      Default: 'A',
      AllowedValues: ['A', 'B', 'A,B', 'B,A'],
    });
    expect(dev.Resources.WriterApiKey.Condition).toBe('WriterKeyA');
    expect(dev.Resources.WriterApiKeyB.Condition).toBe('WriterKeyB');
    expect(props(dev.Resources.WriterApiKeyB).Value).toBeUndefined();
    expect(props(dev.Resources.UsagePlan)).toMatchObject({
      ApiStages: [{ ApiId: { Ref: 'RestApi' }, Stage: { Ref: 'ApiStage' } }],
      Throttle: { BurstLimit: expect.any(Number), RateLimit: expect.any(Number) },
      Quota: { Limit: expect.any(Number), Period: 'DAY' },
    });
    expect(props(dev.Resources.UsagePlanKey)).toEqual({
      KeyId: { Ref: 'WriterApiKey' },
      KeyType: 'API_KEY',
      UsagePlanId: { Ref: 'UsagePlan' },
    });
    expect(props(dev.Resources.UsagePlanKeyB)).toEqual({
      KeyId: { Ref: 'WriterApiKeyB' },
      KeyType: 'API_KEY',
      UsagePlanId: { Ref: 'UsagePlan' },
    });
  });

  it.each([
    ['A', ['WriterApiKey'], 'WriterApiKey', undefined],
    ['A,B', ['WriterApiKey', 'WriterApiKeyB'], 'WriterApiKeyB', 'WriterApiKey'],
    ['B', ['WriterApiKeyB'], 'WriterApiKeyB', undefined],
    ['B,A', ['WriterApiKey', 'WriterApiKeyB'], 'WriterApiKey', 'WriterApiKeyB'],
  ])(
    'WriterKeys=%s: keys %j, ApiKeyId of %s, PreviousApiKeyId of %s',
    (slots, keys, current, previous) => {
      const t = {
        ...alice,
        Parameters: { ...alice.Parameters, WriterKeys: { Default: slots } },
      } as CfnTemplate;
      expect(
        evaluatedResourcesOfType(t, 'AWS::ApiGateway::ApiKey').map((k) => k.logicalId),
      ).toEqual(keys);
      expect(evaluatedResourcesOfType(t, 'AWS::ApiGateway::UsagePlanKey')).toHaveLength(
        keys.length,
      );
      const outputs = alice.Outputs as Record<string, { Value: unknown; Condition?: string }>;
      expect(resolveValue(t, outputs.ApiKeyId.Value, 'ApiKeyId')).toBe(stableId(current));
      expect(evaluateCondition(t, outputs.PreviousApiKeyId.Condition!, 'PreviousApiKeyId')).toBe(
        previous !== undefined,
      );
      if (previous) {
        expect(resolveValue(t, outputs.PreviousApiKeyId.Value, 'PreviousApiKeyId')).toBe(
          stableId(previous),
        );
      }
    },
  );
});

describe('deployment and stage', () => {
  const deployments = resourcesOfType(dev, 'AWS::ApiGateway::Deployment');
  const [deploymentId] = Object.keys(deployments);

  it('has one deployment, named by the hash of the API, depending on every method', () => {
    expect(Object.keys(deployments)).toHaveLength(1);
    expect(deploymentId).toMatch(/^ApiDeployment[0-9a-f]{12}$/);
    expect(deployments[deploymentId].DependsOn).toEqual(
      expect.arrayContaining(Object.keys(resourcesOfType(dev, 'AWS::ApiGateway::Method'))),
    );
  });

  it('has an explicit stage named after the Serverless stage, on that deployment', () => {
    expect(props(dev.Resources.ApiStage)).toMatchObject({
      StageName: 'dev',
      DeploymentId: { Ref: deploymentId },
      RestApiId: { Ref: 'RestApi' },
    });
    expect(JSON.stringify(dev)).not.toContain('"Ref":"ApiDeployment"');
  });
});

describe('outputs', () => {
  it('give the endpoint URL, the table name and the REST API id', () => {
    expect(dev.Outputs?.ServiceEndpoint.Value).toEqual({
      'Fn::Join': [
        '',
        [
          'https://',
          { Ref: 'RestApi' },
          '.execute-api.',
          { Ref: 'AWS::Region' },
          '.',
          { Ref: 'AWS::URLSuffix' },
          '/',
          { Ref: 'ApiStage' },
        ],
      ],
    });
    expect(dev.Outputs?.TableName.Value).toEqual({ Ref: 'ConfigTable' });
    expect(dev.Outputs?.RestApiId.Value).toEqual({ Ref: 'RestApi' });
  });
});

describe('no Lambda', () => {
  it('declares no function of any kind', () => {
    expect(JSON.stringify(dev)).not.toMatch(/AWS::Lambda::|AWS::Serverless::/);
  });
});
