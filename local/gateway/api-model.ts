/**
 * The REST API as the emulator runs it, built from the packaged template: resources and their
 * full paths, methods with their integrations (VTL compiled up front), API keys that may call
 * this stage, request validators and models, gateway responses. Everything the template declares
 * for the API is either understood here or refused with an `UnsupportedConstructError` naming
 * the logical id and property, so the local stage never silently differs from AWS.
 */
import Ajv from 'ajv-draft-04';
import type { ValidateFunction } from 'ajv';
import { compileMappingTemplate, type MappingInput, type MappingResult } from '../vtl';
import { SUPPORTED_RESPONSE_TYPES, type GatewayResponseDefinition } from './gateway-response';
import {
  compileIntegrationCredentials,
  type IntegrationCredentials,
} from './integration-credentials';
import { resourcesOfType, stableId, UnsupportedConstructError, type CfnTemplate } from './template';
import {
  methodKey,
  type QuotaPeriod,
  type StageThrottling,
  type ThrottleLimits,
  type UsagePlanModel,
} from './throttling';

export type CompiledTemplate = (input: MappingInput) => MappingResult;

export interface IntegrationResponseModel {
  statusCode: number;
  selectionPattern?: RegExp;
  responseParameters: Record<string, string>;
  responseTemplates: Record<string, CompiledTemplate>;
}

export type IntegrationModel =
  | {
      type: 'AWS';
      /** DynamoDB action from `arn:aws:apigateway:<region>:dynamodb:action/<Action>`. */
      action: string;
      /** The `Credentials` role, enforced per request as AWS does. */
      credentials: IntegrationCredentials;
      timeoutMs: number;
      passthroughBehavior: PassthroughBehavior;
      requestTemplates: Record<string, CompiledTemplate>;
      responses: IntegrationResponseModel[];
    }
  | {
      type: 'MOCK';
      timeoutMs: number;
      passthroughBehavior: PassthroughBehavior;
      requestTemplates: Record<string, CompiledTemplate>;
      responses: IntegrationResponseModel[];
    };

export type PassthroughBehavior = 'WHEN_NO_MATCH' | 'WHEN_NO_TEMPLATES' | 'NEVER';

export interface MethodModel {
  logicalId: string;
  httpMethod: string;
  apiKeyRequired: boolean;
  /** `path|querystring|header` + name, for those marked required. */
  requiredParameters: { where: 'path' | 'querystring' | 'header'; name: string }[];
  validateParameters: boolean;
  /** Body validators by content type, when the validator checks bodies. */
  bodyValidators?: Record<string, ValidateFunction>;
  integration: IntegrationModel;
  /** Status codes declared as method responses, with their header names. */
  methodResponses: Map<number, Set<string>>;
}

export interface ResourceModel {
  id: string;
  /** e.g. `/{id}/{range}` */
  path: string;
  methods: Map<string, MethodModel>;
}

export interface ApiModel {
  restApiLogicalId: string;
  apiId: string;
  stageName: string;
  stageVariables: Record<string, string>;
  resources: ResourceModel[];
  /** Enabled API keys linked by a usage plan to this API and stage. */
  apiKeys: Set<string>;
  /** The usage plan metering each of `apiKeys` on this stage. */
  usagePlans: Map<string, UsagePlanModel>;
  /** The stage's `MethodSettings` throttling. */
  stageThrottling: StageThrottling;
  gatewayResponses: Map<string, GatewayResponseDefinition>;
  /** Tables declared in the template (created by the local stage). */
  hasTables: boolean;
}

const API_TYPES = new Set([
  'AWS::ApiGateway::RestApi',
  'AWS::ApiGateway::Resource',
  'AWS::ApiGateway::Method',
  'AWS::ApiGateway::Model',
  'AWS::ApiGateway::RequestValidator',
  'AWS::ApiGateway::GatewayResponse',
  'AWS::ApiGateway::Stage',
  'AWS::ApiGateway::Deployment',
  'AWS::ApiGateway::ApiKey',
  'AWS::ApiGateway::UsagePlan',
  'AWS::ApiGateway::UsagePlanKey',
  'AWS::ApiGateway::Account',
]);

const DEFAULT_TIMEOUT_MS = 29_000;

function refuse(logicalId: string, property: string, what: string): never {
  throw new UnsupportedConstructError(
    `${logicalId}.${property}: ${what} is not supported by the local stage`,
  );
}

/** Properties allowed on a resource; anything else is refused by name. */
function checkProperties(
  logicalId: string,
  props: Record<string, unknown>,
  allowed: string[],
): void {
  for (const key of Object.keys(props)) {
    if (!allowed.includes(key)) refuse(logicalId, key, `the property ${key}`);
  }
}

export interface BuildApiOptions {
  /** Stage to serve; default: the template's only AWS::ApiGateway::Stage, else `local`. */
  stageName?: string;
}

export function buildApiModel(template: CfnTemplate, opts: BuildApiOptions = {}): ApiModel {
  for (const [logicalId, resource] of Object.entries(template.Resources)) {
    if (resource.Type.startsWith('AWS::ApiGateway::') && !API_TYPES.has(resource.Type)) {
      refuse(logicalId, 'Type', `the resource type ${resource.Type}`);
    }
    if (resource.Type.startsWith('AWS::ApiGatewayV2::')) {
      refuse(logicalId, 'Type', `the resource type ${resource.Type} (HTTP/WebSocket APIs)`);
    }
  }
  const apis = resourcesOfType(template, 'AWS::ApiGateway::RestApi');
  if (apis.length !== 1) {
    throw new UnsupportedConstructError(
      `The local stage serves exactly one AWS::ApiGateway::RestApi; the template has ${apis.length}` +
        (apis.length ? ` (${apis.map((a) => a.logicalId).join(', ')})` : ''),
    );
  }
  const api = apis[0];
  checkRestApi(api.logicalId, api.props);
  const apiId = stableId(api.logicalId);

  const stages = resourcesOfType(template, 'AWS::ApiGateway::Stage');
  const stage = stages.find((s) => !opts.stageName || s.props.StageName === opts.stageName);
  const stageName = opts.stageName ?? (stage?.props.StageName as string | undefined) ?? 'local';
  if (stage) checkStage(stage.logicalId, stage.props);
  const stageThrottling: StageThrottling = stage
    ? buildStageThrottling(stage.logicalId, stage.props)
    : { methods: new Map() };

  const models = buildModels(template);
  const validators = new Map(
    resourcesOfType(template, 'AWS::ApiGateway::RequestValidator').map((v) => {
      checkProperties(v.logicalId, v.props, [
        'RestApiId',
        'Name',
        'ValidateRequestBody',
        'ValidateRequestParameters',
      ]);
      return [stableId(v.logicalId), v.props] as const;
    }),
  );

  const resources = buildResources(template, api.logicalId);
  for (const method of resourcesOfType(template, 'AWS::ApiGateway::Method')) {
    const resourceId = method.props.ResourceId as string;
    const resource = resources.get(resourceId);
    if (!resource) refuse(method.logicalId, 'ResourceId', `a resource outside ${api.logicalId}`);
    const built = buildMethod(template, method.logicalId, method.props, validators, models);
    if (resource.methods.has(built.httpMethod)) {
      refuse(method.logicalId, 'HttpMethod', `a second ${built.httpMethod} on ${resource.path}`);
    }
    resource.methods.set(built.httpMethod, built);
  }

  const usagePlans = linkedApiKeys(template, apiId, stageName);
  return {
    restApiLogicalId: api.logicalId,
    apiId,
    stageName,
    stageVariables: (stage?.props.Variables as Record<string, string> | undefined) ?? {},
    resources: [...resources.values()],
    apiKeys: new Set(usagePlans.keys()),
    usagePlans,
    stageThrottling,
    gatewayResponses: buildGatewayResponses(template),
    hasTables: Object.values(template.Resources).some((r) => r.Type === 'AWS::DynamoDB::Table'),
  };
}

function checkRestApi(logicalId: string, props: Record<string, unknown>): void {
  checkProperties(logicalId, props, [
    'Name',
    'Description',
    'EndpointConfiguration',
    'ApiKeySourceType',
    'BinaryMediaTypes',
    'Tags',
    'FailOnWarnings',
    'DisableExecuteApiEndpoint',
  ]);
  if (props.ApiKeySourceType !== undefined && props.ApiKeySourceType !== 'HEADER') {
    refuse(logicalId, 'ApiKeySourceType', `ApiKeySourceType ${String(props.ApiKeySourceType)}`);
  }
  if (Array.isArray(props.BinaryMediaTypes) && props.BinaryMediaTypes.length > 0) {
    refuse(logicalId, 'BinaryMediaTypes', 'binary media types');
  }
}

function checkStage(logicalId: string, props: Record<string, unknown>): void {
  checkProperties(logicalId, props, [
    'RestApiId',
    'DeploymentId',
    'StageName',
    'Description',
    'TracingEnabled',
    'CacheClusterEnabled',
    'CacheClusterSize',
    'MethodSettings',
    'AccessLogSetting',
    'Variables',
    'Tags',
  ]);
  const settings = (props.MethodSettings as Record<string, unknown>[] | undefined) ?? [];
  settings.forEach((setting, i) => {
    checkProperties(`${logicalId}.MethodSettings[${i}]`, setting, [
      'ResourcePath',
      'HttpMethod',
      'MetricsEnabled',
      'ThrottlingBurstLimit',
      'ThrottlingRateLimit',
      'CachingEnabled',
      'CacheTtlInSeconds',
      'CacheDataEncrypted',
      'DataTraceEnabled',
      'LoggingLevel',
    ]);
    // Caching would change answers; throttling is enforced (buildStageThrottling).
    if (setting.CachingEnabled === true) {
      refuse(logicalId, `MethodSettings[${i}].CachingEnabled`, 'response caching');
    }
  });
}

function buildModels(template: CfnTemplate): Map<string, { contentType: string; schema: object }> {
  const models = new Map<string, { contentType: string; schema: object }>();
  for (const model of resourcesOfType(template, 'AWS::ApiGateway::Model')) {
    checkProperties(model.logicalId, model.props, [
      'RestApiId',
      'ContentType',
      'Name',
      'Description',
      'Schema',
    ]);
    const schema =
      typeof model.props.Schema === 'string'
        ? (JSON.parse(model.props.Schema) as object)
        : ((model.props.Schema ?? {}) as object);
    if (JSON.stringify(schema).includes('"$ref"')) {
      refuse(model.logicalId, 'Schema', '$ref between models');
    }
    const entry = { contentType: String(model.props.ContentType ?? 'application/json'), schema };
    // Methods name models by Ref (a local id) or by Name: both find it.
    models.set(stableId(model.logicalId), entry);
    if (typeof model.props.Name === 'string') models.set(model.props.Name, entry);
  }
  return models;
}

function buildResources(template: CfnTemplate, apiLogicalId: string): Map<string, ResourceModel> {
  const rootId = stableId(`${apiLogicalId}/`);
  const declared = resourcesOfType(template, 'AWS::ApiGateway::Resource');
  const byId = new Map(declared.map((r) => [stableId(r.logicalId), r]));
  const resources = new Map<string, ResourceModel>([
    [rootId, { id: rootId, path: '/', methods: new Map() }],
  ]);
  const pathOf = (id: string, seen: string[]): string => {
    if (id === rootId) return '';
    const resource = byId.get(id);
    if (!resource) throw new UnsupportedConstructError(`ParentId ${id} is no resource of the API`);
    if (seen.includes(id)) refuse(resource.logicalId, 'ParentId', 'a cycle of resources');
    const part = String(resource.props.PathPart);
    if (/\{.+\+\}/.test(part)) refuse(resource.logicalId, 'PathPart', `greedy path ${part}`);
    return `${pathOf(String(resource.props.ParentId), [...seen, id])}/${part}`;
  };
  for (const resource of declared) {
    checkProperties(resource.logicalId, resource.props, ['RestApiId', 'ParentId', 'PathPart']);
    const id = stableId(resource.logicalId);
    resources.set(id, { id, path: pathOf(id, []), methods: new Map() });
  }
  return resources;
}

function buildMethod(
  template: CfnTemplate,
  logicalId: string,
  props: Record<string, unknown>,
  validators: Map<string, Record<string, unknown>>,
  models: Map<string, { contentType: string; schema: object }>,
): MethodModel {
  checkProperties(logicalId, props, [
    'RestApiId',
    'ResourceId',
    'HttpMethod',
    'AuthorizationType',
    'ApiKeyRequired',
    'RequestParameters',
    'RequestModels',
    'RequestValidatorId',
    'Integration',
    'MethodResponses',
    'OperationName',
  ]);
  const authorization = props.AuthorizationType ?? 'NONE';
  if (authorization !== 'NONE') {
    refuse(logicalId, 'AuthorizationType', `authorization ${String(authorization)} (authorizers)`);
  }
  const requestParameters = (props.RequestParameters ?? {}) as Record<string, boolean>;
  const requiredParameters = Object.entries(requestParameters)
    .filter(([, required]) => required === true)
    .map(([key]) => {
      const match = /^method\.request\.(path|querystring|header)\.(.+)$/.exec(key);
      if (!match) refuse(logicalId, `RequestParameters.${key}`, 'this request parameter');
      return { where: match[1] as 'path' | 'querystring' | 'header', name: match[2] };
    })
    // AWS lists missing parameters in the sorted order of their keys (LocalStack snapshot
    // test_apigateway_common.snapshot.json, test_api_gateway_request_validator).
    .sort((a, b) => `${a.where}.${a.name}`.localeCompare(`${b.where}.${b.name}`));

  const validator = props.RequestValidatorId
    ? validators.get(String(props.RequestValidatorId))
    : undefined;
  if (props.RequestValidatorId && !validator) {
    refuse(logicalId, 'RequestValidatorId', 'a validator the template does not declare');
  }
  let bodyValidators: Record<string, ValidateFunction> | undefined;
  if (validator?.ValidateRequestBody === true) {
    bodyValidators = {};
    const requestModels = (props.RequestModels ?? {}) as Record<string, string>;
    for (const [contentType, modelRef] of Object.entries(requestModels)) {
      const model = models.get(modelRef);
      if (!model) {
        if (modelRef === 'Empty') continue;
        refuse(logicalId, `RequestModels.${contentType}`, `the unknown model ${modelRef}`);
      }
      try {
        bodyValidators[contentType] = new Ajv({ allErrors: false, strict: false }).compile(
          model.schema,
        );
      } catch (err) {
        refuse(logicalId, `RequestModels.${contentType}`, `its schema (${(err as Error).message})`);
      }
    }
  }

  const methodResponses = new Map<number, Set<string>>();
  for (const response of (props.MethodResponses ?? []) as Record<string, unknown>[]) {
    const headers = Object.keys((response.ResponseParameters ?? {}) as object).map((key) =>
      key.replace(/^method\.response\.header\./, ''),
    );
    methodResponses.set(Number(response.StatusCode), new Set(headers));
  }

  return {
    logicalId,
    httpMethod: String(props.HttpMethod).toUpperCase(),
    apiKeyRequired: props.ApiKeyRequired === true,
    requiredParameters,
    validateParameters: validator?.ValidateRequestParameters === true,
    bodyValidators,
    integration: buildIntegration(
      template,
      logicalId,
      (props.Integration ?? {}) as Record<string, unknown>,
    ),
    methodResponses,
  };
}

function compileTemplates(
  where: string,
  templates: Record<string, unknown>,
): Record<string, CompiledTemplate> {
  const compiled: Record<string, CompiledTemplate> = {};
  for (const [contentType, text] of Object.entries(templates)) {
    try {
      compiled[contentType] = compileMappingTemplate(String(text ?? ''));
    } catch (err) {
      throw new UnsupportedConstructError(
        `${where}.${contentType}: the mapping template cannot run locally: ${(err as Error).message}`,
      );
    }
  }
  return compiled;
}

function buildIntegration(
  template: CfnTemplate,
  logicalId: string,
  props: Record<string, unknown>,
): IntegrationModel {
  const where = `${logicalId}.Integration`;
  checkProperties(where, props, [
    'Type',
    'Uri',
    'IntegrationHttpMethod',
    'Credentials',
    'PassthroughBehavior',
    'RequestTemplates',
    'IntegrationResponses',
    'TimeoutInMillis',
    'CacheKeyParameters',
    'CacheNamespace',
    'ConnectionType',
  ]);
  if (props.ConnectionType !== undefined && props.ConnectionType !== 'INTERNET') {
    refuse(where, 'ConnectionType', `ConnectionType ${String(props.ConnectionType)}`);
  }
  const passthroughBehavior = String(props.PassthroughBehavior ?? 'WHEN_NO_MATCH');
  if (!['WHEN_NO_MATCH', 'WHEN_NO_TEMPLATES', 'NEVER'].includes(passthroughBehavior)) {
    refuse(where, 'PassthroughBehavior', `PassthroughBehavior ${passthroughBehavior}`);
  }
  const timeoutMs = Number(props.TimeoutInMillis ?? DEFAULT_TIMEOUT_MS);
  const requestTemplates = compileTemplates(
    `${where}.RequestTemplates`,
    (props.RequestTemplates ?? {}) as Record<string, unknown>,
  );
  const responses = ((props.IntegrationResponses ?? []) as Record<string, unknown>[]).map(
    (response, i) => buildIntegrationResponse(`${where}.IntegrationResponses[${i}]`, response),
  );
  const common = {
    timeoutMs,
    passthroughBehavior: passthroughBehavior as PassthroughBehavior,
    requestTemplates,
    responses,
  };
  switch (props.Type) {
    case 'MOCK':
      return { type: 'MOCK', ...common };
    case 'AWS': {
      const uri = String(props.Uri);
      const match = /^arn:aws:apigateway:[a-z0-9-]+:dynamodb:action\/([A-Za-z]+)$/.exec(uri);
      if (!match)
        refuse(where, 'Uri', `the AWS service integration ${uri} (only DynamoDB actions)`);
      if (props.IntegrationHttpMethod !== 'POST') {
        refuse(
          where,
          'IntegrationHttpMethod',
          `${String(props.IntegrationHttpMethod)} to DynamoDB (it takes POST)`,
        );
      }
      const credentials = compileIntegrationCredentials(
        template,
        where,
        props.Credentials,
        match[1],
      );
      return { type: 'AWS', action: match[1], credentials, ...common };
    }
    default:
      refuse(where, 'Type', `the integration type ${String(props.Type)}`);
  }
}

function buildIntegrationResponse(
  where: string,
  props: Record<string, unknown>,
): IntegrationResponseModel {
  checkProperties(where, props, [
    'StatusCode',
    'SelectionPattern',
    'ResponseParameters',
    'ResponseTemplates',
  ]);
  const parameters = (props.ResponseParameters ?? {}) as Record<string, string>;
  for (const [target, source] of Object.entries(parameters)) {
    if (!target.startsWith('method.response.header.')) {
      refuse(where, `ResponseParameters.${target}`, 'this response parameter target');
    }
    if (!/^'.*'$/s.test(source) && !/^integration\.response\.header\./.test(source)) {
      refuse(where, `ResponseParameters.${target}`, `the source ${source}`);
    }
  }
  let selectionPattern: RegExp | undefined;
  if (typeof props.SelectionPattern === 'string' && props.SelectionPattern !== '') {
    try {
      // Full match of the backend's status code: Java's String.matches (README.md, "Local stage").
      selectionPattern = new RegExp(`^(?:${props.SelectionPattern})$`, 's');
    } catch (err) {
      refuse(where, 'SelectionPattern', `the pattern (${(err as Error).message})`);
    }
  }
  return {
    statusCode: Number(props.StatusCode),
    selectionPattern,
    responseParameters: parameters,
    responseTemplates: compileTemplates(
      `${where}.ResponseTemplates`,
      (props.ResponseTemplates ?? {}) as Record<string, unknown>,
    ),
  };
}

/** AWS's account-level limits: what a limit the template leaves out falls back to. */
const ACCOUNT_LIMITS: ThrottleLimits = { rateLimit: 10_000, burstLimit: 5_000 };

function limitNumber(where: string, property: string, value: unknown): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (typeof value === 'boolean' || value === '' || !Number.isFinite(n) || n < 0) {
    refuse(where, property, `the limit ${JSON.stringify(value)} (a number >= 0 is needed)`);
  }
  return n;
}

/** `{RateLimit, BurstLimit}` (usage plans) or `Throttling*Limit` (method settings). */
function throttleLimits(
  where: string,
  rate: [string, unknown],
  burst: [string, unknown],
  fallback: ThrottleLimits,
): ThrottleLimits | undefined {
  const rateLimit = limitNumber(where, rate[0], rate[1]);
  const burstLimit = limitNumber(where, burst[0], burst[1]);
  if (rateLimit === undefined && burstLimit === undefined) return undefined;
  return {
    rateLimit: rateLimit ?? fallback.rateLimit,
    burstLimit: Math.floor(burstLimit ?? fallback.burstLimit),
  };
}

/**
 * `MethodSettings`: `/*` + `*` is every method's default; `/~1a~1{b}` + `GET` (or `*`) one
 * method's own limits, a limit it leaves out taken from the default.
 */
function buildStageThrottling(logicalId: string, props: Record<string, unknown>): StageThrottling {
  const settings = (props.MethodSettings as Record<string, unknown>[] | undefined) ?? [];
  const limitsOf = (setting: Record<string, unknown>, i: number, fallback: ThrottleLimits) =>
    throttleLimits(
      `${logicalId}.MethodSettings[${i}]`,
      ['ThrottlingRateLimit', setting.ThrottlingRateLimit],
      ['ThrottlingBurstLimit', setting.ThrottlingBurstLimit],
      fallback,
    );
  const isDefault = (s: Record<string, unknown>) =>
    (s.ResourcePath ?? '/*') === '/*' && (s.HttpMethod ?? '*') === '*';
  const defaultIndex = settings.findIndex(isDefault);
  const defaults =
    defaultIndex >= 0 ? limitsOf(settings[defaultIndex], defaultIndex, ACCOUNT_LIMITS) : undefined;
  const methods = new Map<string, ThrottleLimits>();
  settings.forEach((setting, i) => {
    if (isDefault(setting)) return;
    const resourcePath = String(setting.ResourcePath ?? '');
    const httpMethod = String(setting.HttpMethod ?? '').toUpperCase();
    if (!resourcePath.startsWith('/') || resourcePath.includes('*') || httpMethod === '') {
      refuse(
        `${logicalId}.MethodSettings[${i}]`,
        'ResourcePath',
        `the method setting ${resourcePath} ${httpMethod} (only /* with * or one resource path)`,
      );
    }
    const limits = limitsOf(setting, i, defaults ?? ACCOUNT_LIMITS);
    // `/` then the path with its slashes as `~1`: `/~1a~1{b}` is `/a/{b}`; `/` alone is the root.
    const path = resourcePath === '/' ? '/' : resourcePath.slice(1).replace(/~1/g, '/');
    if (limits) methods.set(methodKey(path, httpMethod), limits);
  });
  return { defaults, methods };
}

const QUOTA_PERIODS: QuotaPeriod[] = ['DAY', 'WEEK', 'MONTH'];

function buildUsagePlan(
  logicalId: string,
  props: Record<string, unknown>,
  stage: Record<string, unknown> | undefined,
): UsagePlanModel {
  const throttle = (props.Throttle ?? {}) as Record<string, unknown>;
  checkProperties(`${logicalId}.Throttle`, throttle, ['RateLimit', 'BurstLimit']);
  const methodThrottles = new Map<string, ThrottleLimits>();
  const perMethod = (stage?.Throttle ?? {}) as Record<string, Record<string, unknown>>;
  for (const [name, limits] of Object.entries(perMethod)) {
    // `/pets/GET`: the resource path, then the method.
    const where = `${logicalId}.ApiStages.Throttle.${name}`;
    const match = /^(\/.*?)\/?([A-Za-z]+|\*)$/.exec(name);
    if (!match) refuse(where, 'key', `the method ${name} (write /resource/path/METHOD)`);
    checkProperties(where, limits, ['RateLimit', 'BurstLimit']);
    const parsed = throttleLimits(
      where,
      ['RateLimit', limits.RateLimit],
      ['BurstLimit', limits.BurstLimit],
      ACCOUNT_LIMITS,
    );
    if (parsed) methodThrottles.set(methodKey(match[1] || '/', match[2]), parsed);
  }
  let quota: UsagePlanModel['quota'];
  if (props.Quota !== undefined) {
    const q = props.Quota as Record<string, unknown>;
    const where = `${logicalId}.Quota`;
    checkProperties(where, q, ['Limit', 'Offset', 'Period']);
    const limit = limitNumber(where, 'Limit', q.Limit);
    const period = String(q.Period ?? '');
    if (!QUOTA_PERIODS.includes(period as QuotaPeriod)) {
      refuse(where, 'Period', `the quota period ${JSON.stringify(q.Period)} (DAY, WEEK or MONTH)`);
    }
    if (limit !== undefined) {
      quota = {
        limit: Math.floor(limit),
        offset: Math.floor(limitNumber(where, 'Offset', q.Offset) ?? 0),
        period: period as QuotaPeriod,
      };
    }
  }
  return {
    logicalId,
    throttle: throttleLimits(
      `${logicalId}.Throttle`,
      ['RateLimit', throttle.RateLimit],
      ['BurstLimit', throttle.BurstLimit],
      ACCOUNT_LIMITS,
    ),
    methodThrottles,
    quota,
  };
}

/** Enabled API keys linked by a usage plan to this API and stage, with that plan. */
function linkedApiKeys(
  template: CfnTemplate,
  apiId: string,
  stageName: string,
): Map<string, UsagePlanModel> {
  const keys = new Map(
    resourcesOfType(template, 'AWS::ApiGateway::ApiKey').map((key) => {
      checkProperties(key.logicalId, key.props, [
        'Name',
        'Description',
        'Enabled',
        'Value',
        'Tags',
        'GenerateDistinctId',
        'CustomerId',
      ]);
      if (typeof key.props.Value !== 'string') {
        refuse(key.logicalId, 'Value', 'an API key without a Value (AWS would generate one)');
      }
      return [stableId(key.logicalId), key.props] as const;
    }),
  );
  const plans = new Map(
    resourcesOfType(template, 'AWS::ApiGateway::UsagePlan').map((plan) => {
      checkProperties(plan.logicalId, plan.props, [
        'UsagePlanName',
        'Description',
        'ApiStages',
        'Throttle',
        'Quota',
        'Tags',
      ]);
      const stages = (plan.props.ApiStages ?? []) as Record<string, unknown>[];
      stages.forEach((s, i) =>
        checkProperties(`${plan.logicalId}.ApiStages[${i}]`, s, ['ApiId', 'Stage', 'Throttle']),
      );
      const stage = stages.find((s) => s.ApiId === apiId && s.Stage === stageName);
      // A plan for other stages still gets its properties checked.
      const model = buildUsagePlan(plan.logicalId, plan.props, stage);
      return [stableId(plan.logicalId), stage ? model : undefined];
    }),
  );
  const linked = new Map<string, UsagePlanModel>();
  for (const link of resourcesOfType(template, 'AWS::ApiGateway::UsagePlanKey')) {
    const key = keys.get(String(link.props.KeyId));
    const plan = plans.get(String(link.props.UsagePlanId));
    // CloudFormation's ApiKey Enabled defaults to false.
    if (!key || key.Enabled !== true || !plan) continue;
    const value = String(key.Value);
    const other = linked.get(value);
    if (other && other !== plan) {
      // AWS refuses this too: one usage plan per API key and stage.
      refuse(
        link.logicalId,
        'UsagePlanId',
        `a second usage plan (${plan.logicalId} besides ${other.logicalId}) for one API key on stage ${stageName}`,
      );
    }
    linked.set(value, plan);
  }
  return linked;
}

function buildGatewayResponses(template: CfnTemplate): Map<string, GatewayResponseDefinition> {
  const responses = new Map<string, GatewayResponseDefinition>();
  for (const response of resourcesOfType(template, 'AWS::ApiGateway::GatewayResponse')) {
    checkProperties(response.logicalId, response.props, [
      'RestApiId',
      'ResponseType',
      'StatusCode',
      'ResponseParameters',
      'ResponseTemplates',
    ]);
    const type = String(response.props.ResponseType);
    if (!SUPPORTED_RESPONSE_TYPES.has(type)) {
      refuse(response.logicalId, 'ResponseType', `the gateway response type ${type}`);
    }
    responses.set(type, {
      logicalId: response.logicalId,
      statusCode: response.props.StatusCode ? Number(response.props.StatusCode) : undefined,
      responseParameters: (response.props.ResponseParameters ?? {}) as Record<string, string>,
      responseTemplates: (response.props.ResponseTemplates ?? {}) as Record<string, string>,
    });
  }
  return responses;
}
