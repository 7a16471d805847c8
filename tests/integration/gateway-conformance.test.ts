/**
 * Constructs the local stage does not emulate stop start-up with a message naming them, so it
 * never silently answers differently from AWS. The recorded AWS behaviour the local stage does
 * emulate is replayed by gateway-conformance-cases.test.ts.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { buildApiModel, UnsupportedConstructError, type CfnTemplate } from '../../local/gateway';
import { startLocalStage } from '../../local/start';

const FIXTURES = path.join(__dirname, '..', 'fixtures', 'gateway');

function fixturePath(name: string): string {
  return path.join(FIXTURES, name);
}
function loadFixture(name: string): CfnTemplate {
  return JSON.parse(readFileSync(fixturePath(name), 'utf8')) as CfnTemplate;
}

describe('unsupported constructs stop start-up, naming them', () => {
  type Mutation = (t: CfnTemplate) => void;
  const method = (t: CfnTemplate) => t.Resources.ExistsGet.Properties as Record<string, any>;

  it.each<[string, Mutation, RegExp]>([
    [
      'an AWS_PROXY integration',
      (t) => void (method(t).Integration.Type = 'AWS_PROXY'),
      /ExistsGet\.Integration\.Type: the integration type AWS_PROXY/,
    ],
    [
      'an HTTP integration',
      (t) => void (method(t).Integration.Type = 'HTTP'),
      /ExistsGet\.Integration\.Type: the integration type HTTP/,
    ],
    [
      'an HTTP_PROXY integration',
      (t) => void (method(t).Integration.Type = 'HTTP_PROXY'),
      /integration type HTTP_PROXY/,
    ],
    [
      'a non-DynamoDB AWS service',
      (t) =>
        void Object.assign(method(t).Integration, {
          Type: 'AWS',
          IntegrationHttpMethod: 'POST',
          Uri: 'arn:aws:apigateway:us-east-1:sqs:path/000000000000/queue',
        }),
      /ExistsGet\.Integration\.Uri: the AWS service integration arn:aws:apigateway:us-east-1:sqs/,
    ],
    [
      'a custom authorizer',
      (t) => {
        method(t).AuthorizationType = 'CUSTOM';
        method(t).AuthorizerId = { Ref: 'Authorizer' };
        t.Resources.Authorizer = {
          Type: 'AWS::ApiGateway::Authorizer',
          Properties: { Type: 'TOKEN' },
        };
      },
      /Authorizer\.Type: the resource type AWS::ApiGateway::Authorizer/,
    ],
    [
      'IAM authorization',
      (t) => void (method(t).AuthorizationType = 'AWS_IAM'),
      /ExistsGet\.AuthorizationType: authorization AWS_IAM/,
    ],
    [
      'an unknown intrinsic',
      (t) => void (method(t).OperationName = { 'Fn::ImportValue': 'x' }),
      /ExistsGet\.Properties\.OperationName\.Fn::ImportValue: the intrinsic Fn::ImportValue/,
    ],
    [
      'binary media types',
      (t) =>
        void ((t.Resources.EchoApi.Properties as Record<string, unknown>).BinaryMediaTypes = [
          'image/png',
        ]),
      /EchoApi\.BinaryMediaTypes: binary media types/,
    ],
    [
      'a child of a greedy path (AWS refuses it too)',
      (t) => {
        (t.Resources.Issuer.Properties as Record<string, unknown>).PathPart = '{proxy+}';
        t.Resources.UnderGreedy = {
          Type: 'AWS::ApiGateway::Resource',
          Properties: { RestApiId: { Ref: 'EchoApi' }, ParentId: { Ref: 'Issuer' }, PathPart: 'x' },
        };
      },
      /UnderGreedy\.ParentId: a child of the greedy resource \/\{proxy\+\}/,
    ],
    [
      'two variable path parts among siblings (AWS refuses it too)',
      (t) => {
        t.Resources.OtherVariable = {
          Type: 'AWS::ApiGateway::Resource',
          Properties: {
            RestApiId: { Ref: 'EchoApi' },
            ParentId: { 'Fn::GetAtt': ['EchoApi', 'RootResourceId'] },
            PathPart: '{other}',
          },
        };
      },
      /OtherVariable\.PathPart: a second variable path part \{other\} beside \{test\}/,
    ],
    [
      'a $ref to a model the API does not declare',
      (t) =>
        void ((t.Resources.TestSchema.Properties as Record<string, any>).Schema.properties.a = {
          $ref: { 'Fn::Sub': 'https://apigateway.amazonaws.com/restapis/${EchoApi}/models/Nope' },
        }),
      /TestSchema\.Schema\.properties\.a: the \$ref https:\/\/apigateway\.amazonaws\.com\/restapis\/\w+\/models\/Nope to a model this API does not declare/,
    ],
    [
      "a $ref outside the API's models",
      (t) =>
        void ((t.Resources.TestSchema.Properties as Record<string, any>).Schema.properties.a = {
          $ref: 'http://json-schema.org/draft-04/schema#',
        }),
      /TestSchema\.Schema\.properties\.a: the \$ref http:\/\/json-schema\.org\/draft-04\/schema# \(only models of this API\)/,
    ],
    [
      'an integration request parameter from an undeclared method parameter',
      (t) =>
        void (method(t).Integration.RequestParameters = {
          'integration.request.header.x': 'method.request.header.x',
        }),
      /ExistsGet\.Integration\.RequestParameters\.integration\.request\.header\.x: method\.request\.header\.x, which the method's RequestParameters do not declare/,
    ],
    [
      'an integration request parameter from the body',
      (t) =>
        void (method(t).Integration.RequestParameters = {
          'integration.request.header.x': 'method.request.body.name',
        }),
      /ExistsGet\.Integration\.RequestParameters\.integration\.request\.header\.x: the request parameter source method\.request\.body\.name/,
    ],
    [
      'a property the local stage does not implement',
      (t) => void (method(t).Integration.ContentHandling = 'CONVERT_TO_TEXT'),
      /ExistsGet\.Integration\.ContentHandling: the property ContentHandling is not supported/,
    ],
    [
      'a malformed property (a string where a list belongs)',
      (t) => void (method(t).MethodResponses = '200'),
      /ExistsGet\.MethodResponses: the value "200" is malformed \(must be array\)/,
    ],
    [
      'a malformed nested property',
      (t) => void (method(t).Integration.IntegrationResponses[0].ResponseTemplates = ['x']),
      /ExistsGet\.Integration\.IntegrationResponses\[0\]\.ResponseTemplates: the value \["x"\] is malformed/,
    ],
    [
      'a missing required property',
      (t) => void delete method(t).HttpMethod,
      /ExistsGet\.HttpMethod: the required property HttpMethod is missing/,
    ],
    [
      'a mapping template AWS cannot run (#macro)',
      (t) => void (method(t).Integration.RequestTemplates['application/json'] = '#macro(x)#end'),
      /ExistsGet\.Integration\.RequestTemplates\.application\/json: the mapping template cannot run locally/,
    ],
    [
      'response caching',
      (t) =>
        void ((t.Resources.Stage.Properties as Record<string, unknown>).MethodSettings = [
          { ResourcePath: '/*', HttpMethod: '*', CachingEnabled: true },
        ]),
      /Stage\.MethodSettings\[0\]\.CachingEnabled: response caching/,
    ],
  ])('%s', (_, mutate, message) => {
    const template = loadFixture('routing-validation.json');
    mutate(template);
    expect(() => buildApiModel(template)).toThrow(UnsupportedConstructError);
    expect(() => buildApiModel(template)).toThrow(message);
  });

  it('the local stage refuses such a template before starting anything', async () => {
    const template = loadFixture('routing-validation.json');
    method(template).Integration.Type = 'AWS_PROXY';
    const dir = mkdtempSync(path.join(os.tmpdir(), 'gateway-conformance-'));
    const file = path.join(dir, 'template.json');
    writeFileSync(file, JSON.stringify(template));
    try {
      await expect(
        startLocalStage({ port: 0, template: file, log: () => undefined }),
      ).rejects.toThrow(
        /ExistsGet\.Integration\.Type: the integration type AWS_PROXY is not supported/,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
