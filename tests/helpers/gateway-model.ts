/**
 * Small API models for testing one gateway stage at a time (LocalStack's test_handler_<step>
 * style): the model is plain data (local/gateway/api-model.ts), so a test states exactly the
 * resources, methods and responses its stage sees. End-to-end behaviour on the packaged template
 * is tested over HTTP in tests/integration/.
 */
import type {
  ApiModel,
  IntegrationModel,
  IntegrationResponseModel,
  MethodModel,
  ResourceModel,
} from '../../local/gateway/api-model';
import {
  newInvocation,
  type Invocation,
  type InvocationRequest,
} from '../../local/gateway/invocation';
import { compileMappingTemplate } from '../../local/vtl';

export function mockIntegration(overrides: Partial<IntegrationModel> = {}): IntegrationModel {
  return {
    type: 'MOCK',
    timeoutMs: 29_000,
    passthroughBehavior: 'WHEN_NO_MATCH',
    requestParameters: [],
    requestTemplates: {},
    responses: [],
    ...overrides,
  } as IntegrationModel;
}

export function method(httpMethod: string, overrides: Partial<MethodModel> = {}): MethodModel {
  return {
    logicalId: `${httpMethod}Method`,
    httpMethod,
    apiKeyRequired: false,
    requiredParameters: [],
    validateParameters: false,
    integration: mockIntegration(),
    methodResponses: new Map(),
    ...overrides,
  };
}

export function resource(path: string, ...methods: MethodModel[]): ResourceModel {
  return { id: `id${path}`, path, methods: new Map(methods.map((m) => [m.httpMethod, m])) };
}

export function api(resources: ResourceModel[], overrides: Partial<ApiModel> = {}): ApiModel {
  return {
    restApiLogicalId: 'Api',
    apiId: 'abc123defg',
    stageName: 'test',
    stageVariables: {},
    resources,
    apiKeys: new Set(),
    usagePlans: new Map(),
    stageThrottling: { methods: new Map() },
    gatewayResponses: new Map(),
    hasTables: false,
    hasCanary: false,
    notices: [],
    ...overrides,
  };
}

export function integrationResponse(
  statusCode: number,
  overrides: Partial<IntegrationResponseModel> = {},
): IntegrationResponseModel {
  return { statusCode, responseParameters: {}, responseTemplates: {}, ...overrides };
}

/** A template compiled by the real runtime, as the model builders compile them. */
export const vtl = (source: string) => compileMappingTemplate(source);

export function invocation(request: Partial<InvocationRequest> = {}): Invocation {
  return newInvocation({
    httpMethod: 'GET',
    path: '/',
    querystring: {},
    header: {},
    body: '',
    sourceIp: '127.0.0.1',
    ...request,
  });
}
