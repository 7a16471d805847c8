/**
 * What the local stage accepts of each API Gateway resource, declared once per resource type as
 * a JSON schema over its (intrinsic-resolved) CloudFormation properties, with the TypeScript
 * shape that schema guarantees. `checkProperties` validates a resource against its schema, so a
 * property the emulator does not implement, a missing required one or one of the wrong shape is
 * refused the same way: an `UnsupportedConstructError` naming `<LogicalId>.<Property path>`,
 * never a TypeError further on. Values the schema lets through but the emulator still cannot run
 * (an authorizer, a non-DynamoDB service...) are refused by the builders, also by name.
 * Property lists: AWS CloudFormation reference, AWS::ApiGateway::* resource types
 * (https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/AWS_ApiGateway.html).
 */
import Ajv, { type ErrorObject, type ValidateFunction } from 'ajv';
import type { CfnTemplate } from '../../lib/cloudformation';
import type { RequestParameterLocation } from './api-model';
import { resourcesOfType, UnsupportedConstructError } from './packaged-template';

type Json = unknown;

/** CloudFormation passes booleans and numbers as JSON values or as their string forms. */
export type CfnBoolean = boolean | 'true' | 'false';
export type CfnNumber = number | string;

/** `value` is one of `values`: narrows a checked string to its union type without a cast. */
export function isOneOf<T extends string>(values: readonly T[], value: string): value is T {
  return (values as readonly string[]).includes(value);
}

export function isTrue(value: CfnBoolean | undefined): boolean {
  return value === true || value === 'true';
}

const str = { type: 'string' } as const;
const bool = { enum: [true, false, 'true', 'false'] } as const;
const num = { type: ['number', 'string'] } as const;
/** Opaque to the emulator (tags, descriptions of infrastructure it does not run). */
const anything = {} as const;
const stringMap = { type: 'object', additionalProperties: str } as const;
const boolMap = { type: 'object', additionalProperties: bool } as const;
const stringList = { type: 'array', items: str } as const;

function object(properties: Record<string, object>, required: string[] = []): object {
  return { type: 'object', properties, required, additionalProperties: false };
}

export interface RestApiProps {
  Name?: string;
  Description?: string;
  EndpointConfiguration?: Json;
  ApiKeySourceType?: string;
  BinaryMediaTypes?: string[];
  Tags?: Json;
  FailOnWarnings?: CfnBoolean;
  DisableExecuteApiEndpoint?: CfnBoolean;
}
const restApi = object({
  Name: str,
  Description: str,
  EndpointConfiguration: anything,
  ApiKeySourceType: str,
  BinaryMediaTypes: stringList,
  Tags: anything,
  FailOnWarnings: bool,
  DisableExecuteApiEndpoint: bool,
});

export interface ResourceProps {
  RestApiId: string;
  ParentId: string;
  PathPart: string;
}
const resource = object({ RestApiId: str, ParentId: str, PathPart: str }, [
  'RestApiId',
  'ParentId',
  'PathPart',
]);

export interface IntegrationResponseProps {
  StatusCode: CfnNumber;
  SelectionPattern?: string;
  ResponseParameters?: Record<string, string>;
  ResponseTemplates?: Record<string, string>;
}
const integrationResponse = object(
  {
    StatusCode: num,
    SelectionPattern: str,
    ResponseParameters: stringMap,
    ResponseTemplates: stringMap,
  },
  ['StatusCode'],
);

export interface IntegrationProps {
  Type: string;
  Uri?: string;
  IntegrationHttpMethod?: string;
  Credentials?: string;
  PassthroughBehavior?: string;
  RequestParameters?: Record<string, string>;
  RequestTemplates?: Record<string, string>;
  IntegrationResponses?: IntegrationResponseProps[];
  TimeoutInMillis?: CfnNumber;
  CacheKeyParameters?: string[];
  CacheNamespace?: string;
  ConnectionType?: string;
}
const integration = object(
  {
    Type: str,
    Uri: str,
    IntegrationHttpMethod: str,
    Credentials: str,
    PassthroughBehavior: str,
    RequestParameters: stringMap,
    RequestTemplates: stringMap,
    IntegrationResponses: { type: 'array', items: integrationResponse },
    TimeoutInMillis: num,
    CacheKeyParameters: stringList,
    CacheNamespace: str,
    ConnectionType: str,
  },
  ['Type'],
);

export interface MethodResponseProps {
  StatusCode: CfnNumber;
  ResponseParameters?: Record<string, CfnBoolean>;
  ResponseModels?: Record<string, string>;
}

export interface MethodProps {
  RestApiId: string;
  ResourceId: string;
  HttpMethod: string;
  AuthorizationType?: string;
  ApiKeyRequired?: CfnBoolean;
  RequestParameters?: Record<string, CfnBoolean>;
  RequestModels?: Record<string, string>;
  RequestValidatorId?: string;
  Integration?: IntegrationProps;
  MethodResponses?: MethodResponseProps[];
  OperationName?: string;
}
const method = object(
  {
    RestApiId: str,
    ResourceId: str,
    HttpMethod: str,
    AuthorizationType: str,
    ApiKeyRequired: bool,
    RequestParameters: boolMap,
    RequestModels: stringMap,
    RequestValidatorId: str,
    Integration: integration,
    MethodResponses: {
      type: 'array',
      items: object({ StatusCode: num, ResponseParameters: boolMap, ResponseModels: stringMap }, [
        'StatusCode',
      ]),
    },
    OperationName: str,
  },
  ['RestApiId', 'ResourceId', 'HttpMethod'],
);

export interface ModelProps {
  RestApiId: string;
  ContentType?: string;
  Name?: string;
  Description?: string;
  /** A JSON schema, as an object or as its JSON text. */
  Schema?: Record<string, Json> | string;
}
const model = object(
  {
    RestApiId: str,
    ContentType: str,
    Name: str,
    Description: str,
    Schema: { type: ['object', 'string'] },
  },
  ['RestApiId'],
);

export interface RequestValidatorProps {
  RestApiId: string;
  Name?: string;
  ValidateRequestBody?: CfnBoolean;
  ValidateRequestParameters?: CfnBoolean;
}
const requestValidator = object(
  { RestApiId: str, Name: str, ValidateRequestBody: bool, ValidateRequestParameters: bool },
  ['RestApiId'],
);

export interface GatewayResponseProps {
  RestApiId: string;
  ResponseType: string;
  StatusCode?: CfnNumber;
  ResponseParameters?: Record<string, string>;
  ResponseTemplates?: Record<string, string>;
}
const gatewayResponse = object(
  {
    RestApiId: str,
    ResponseType: str,
    StatusCode: num,
    ResponseParameters: stringMap,
    ResponseTemplates: stringMap,
  },
  ['RestApiId', 'ResponseType'],
);

export interface MethodSettingProps {
  ResourcePath?: string;
  HttpMethod?: string;
  MetricsEnabled?: CfnBoolean;
  ThrottlingBurstLimit?: CfnNumber;
  ThrottlingRateLimit?: CfnNumber;
  CachingEnabled?: CfnBoolean;
  CacheTtlInSeconds?: CfnNumber;
  CacheDataEncrypted?: CfnBoolean;
  DataTraceEnabled?: CfnBoolean;
  LoggingLevel?: string;
}
const methodSetting = object({
  ResourcePath: str,
  HttpMethod: str,
  MetricsEnabled: bool,
  ThrottlingBurstLimit: num,
  ThrottlingRateLimit: num,
  CachingEnabled: bool,
  CacheTtlInSeconds: num,
  CacheDataEncrypted: bool,
  DataTraceEnabled: bool,
  LoggingLevel: str,
});

export interface CanarySettingProps {
  DeploymentId?: string;
  PercentTraffic?: CfnNumber;
  StageVariableOverrides?: Record<string, string>;
  UseStageCache?: CfnBoolean;
}
const canarySetting = object({
  DeploymentId: str,
  PercentTraffic: num,
  StageVariableOverrides: stringMap,
  UseStageCache: bool,
});

export interface StageProps {
  RestApiId: string;
  DeploymentId?: string;
  StageName?: string;
  Description?: string;
  TracingEnabled?: CfnBoolean;
  CacheClusterEnabled?: CfnBoolean;
  CacheClusterSize?: string;
  MethodSettings?: MethodSettingProps[];
  AccessLogSetting?: Json;
  Variables?: Record<string, string>;
  Tags?: Json;
  CanarySetting?: CanarySettingProps;
}
const stage = object(
  {
    RestApiId: str,
    DeploymentId: str,
    StageName: str,
    Description: str,
    TracingEnabled: bool,
    CacheClusterEnabled: bool,
    CacheClusterSize: str,
    MethodSettings: { type: 'array', items: methodSetting },
    AccessLogSetting: anything,
    Variables: stringMap,
    Tags: anything,
    CanarySetting: canarySetting,
  },
  ['RestApiId'],
);

export interface DeploymentProps {
  RestApiId: string;
  Description?: string;
  StageName?: string;
  DeploymentCanarySettings?: Omit<CanarySettingProps, 'DeploymentId'>;
}
const deployment = object(
  {
    RestApiId: str,
    Description: str,
    StageName: str,
    DeploymentCanarySettings: object({
      PercentTraffic: num,
      StageVariableOverrides: stringMap,
      UseStageCache: bool,
    }),
  },
  ['RestApiId'],
);

export interface ApiKeyProps {
  Name?: string;
  Description?: string;
  Enabled?: CfnBoolean;
  Value?: string;
  Tags?: Json;
  GenerateDistinctId?: CfnBoolean;
  CustomerId?: string;
}
const apiKey = object({
  Name: str,
  Description: str,
  Enabled: bool,
  Value: str,
  Tags: anything,
  GenerateDistinctId: bool,
  CustomerId: str,
});

export interface LimitsProps {
  RateLimit?: CfnNumber;
  BurstLimit?: CfnNumber;
}
const limits = object({ RateLimit: num, BurstLimit: num });

export interface UsagePlanProps {
  UsagePlanName?: string;
  Description?: string;
  ApiStages?: { ApiId?: string; Stage?: string; Throttle?: Record<string, LimitsProps> }[];
  Throttle?: LimitsProps;
  Quota?: { Limit?: CfnNumber; Offset?: CfnNumber; Period?: string };
  Tags?: Json;
}
const usagePlan = object({
  UsagePlanName: str,
  Description: str,
  ApiStages: {
    type: 'array',
    items: object({
      ApiId: str,
      Stage: str,
      Throttle: { type: 'object', additionalProperties: limits },
    }),
  },
  Throttle: limits,
  Quota: object({ Limit: num, Offset: num, Period: str }),
  Tags: anything,
});

export interface UsagePlanKeyProps {
  KeyId: string;
  KeyType: string;
  UsagePlanId: string;
}
const usagePlanKey = object({ KeyId: str, KeyType: str, UsagePlanId: str }, [
  'KeyId',
  'KeyType',
  'UsagePlanId',
]);

export interface AccountProps {
  CloudWatchRoleArn?: string;
}
const account = object({ CloudWatchRoleArn: str });

/** The property shape of each API Gateway resource type the local stage emulates. */
export interface ApiResourceProps {
  'AWS::ApiGateway::RestApi': RestApiProps;
  'AWS::ApiGateway::Resource': ResourceProps;
  'AWS::ApiGateway::Method': MethodProps;
  'AWS::ApiGateway::Model': ModelProps;
  'AWS::ApiGateway::RequestValidator': RequestValidatorProps;
  'AWS::ApiGateway::GatewayResponse': GatewayResponseProps;
  'AWS::ApiGateway::Stage': StageProps;
  'AWS::ApiGateway::Deployment': DeploymentProps;
  'AWS::ApiGateway::ApiKey': ApiKeyProps;
  'AWS::ApiGateway::UsagePlan': UsagePlanProps;
  'AWS::ApiGateway::UsagePlanKey': UsagePlanKeyProps;
  'AWS::ApiGateway::Account': AccountProps;
}
export type ApiResourceType = keyof ApiResourceProps;

const SCHEMAS: Record<ApiResourceType, object> = {
  'AWS::ApiGateway::RestApi': restApi,
  'AWS::ApiGateway::Resource': resource,
  'AWS::ApiGateway::Method': method,
  'AWS::ApiGateway::Model': model,
  'AWS::ApiGateway::RequestValidator': requestValidator,
  'AWS::ApiGateway::GatewayResponse': gatewayResponse,
  'AWS::ApiGateway::Stage': stage,
  'AWS::ApiGateway::Deployment': deployment,
  'AWS::ApiGateway::ApiKey': apiKey,
  'AWS::ApiGateway::UsagePlan': usagePlan,
  'AWS::ApiGateway::UsagePlanKey': usagePlanKey,
  'AWS::ApiGateway::Account': account,
};

export function isApiResourceType(type: string): type is ApiResourceType {
  return Object.prototype.hasOwnProperty.call(SCHEMAS, type);
}

const ajv = new Ajv({ allErrors: false, strict: true, allowUnionTypes: true });
const validators = new Map<ApiResourceType, ValidateFunction>();

function validatorFor<T extends ApiResourceType>(type: T): ValidateFunction<ApiResourceProps[T]> {
  let validate = validators.get(type);
  if (!validate) {
    validate = ajv.compile<ApiResourceProps[T]>(SCHEMAS[type]);
    validators.set(type, validate);
  }
  return validate as ValidateFunction<ApiResourceProps[T]>;
}

/** The resource's properties with the shape its type's schema declares, or a refusal naming the property. */
export function checkProperties<T extends ApiResourceType>(
  type: T,
  logicalId: string,
  props: unknown,
): ApiResourceProps[T] {
  const validate = validatorFor(type);
  if (validate(props)) return props;
  const [error] = validate.errors ?? [];
  throw new UnsupportedConstructError(describeError(logicalId, props, error));
}

/**
 * `Integration.IntegrationResponses[0].ContentHandling` and the value there, from ajv's JSON
 * pointer into the properties.
 */
function locate(data: unknown, pointer: string): { path: string; value: unknown } {
  let path = '';
  let value = data;
  for (const raw of pointer.split('/').slice(1)) {
    const key = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    path += Array.isArray(value) ? `[${key}]` : `.${key}`;
    value =
      value !== null && typeof value === 'object' && Object.hasOwn(value, key)
        ? (value as Record<string, unknown>)[key]
        : undefined;
  }
  return { path, value };
}

function describeError(logicalId: string, data: unknown, error: ErrorObject | undefined): string {
  if (!error) return `${logicalId}: its properties are not supported by the local stage`;
  const { path, value } = locate(data, error.instancePath);
  const where = `${logicalId}${path}`;
  switch (error.keyword) {
    case 'additionalProperties': {
      const name = String(error.params.additionalProperty);
      return `${where}.${name}: the property ${name} is not supported by the local stage`;
    }
    case 'required': {
      const name = String(error.params.missingProperty);
      return `${where}.${name}: the required property ${name} is missing`;
    }
    default: {
      const shown = JSON.stringify(value) ?? String(value);
      return `${where}: the value ${shown.length > 80 ? `${shown.slice(0, 77)}...` : shown} is malformed (${error.message ?? 'invalid'})`;
    }
  }
}

export function refuse(logicalId: string, property: string, what: string): never {
  throw new UnsupportedConstructError(
    `${logicalId}.${property}: ${what} is not supported by the local stage`,
  );
}

/** Resources of one API Gateway type, their properties checked against its schema. */
export function apiResources<T extends ApiResourceType>(
  template: CfnTemplate,
  type: T,
): { logicalId: string; props: ApiResourceProps[T] }[] {
  return resourcesOfType(template, type).map(({ logicalId, props }) => ({
    logicalId,
    props: checkProperties(type, logicalId, props),
  }));
}

const LOCATIONS: RequestParameterLocation[] = ['path', 'querystring', 'header'];
const PARAMETER = /^(path|querystring|header)\.(.+)$/;

/** `<where>.<name>` after a prefix, when `where` is a request parameter location. */
export function parameterAt(
  key: string,
  prefix: string,
): { where: RequestParameterLocation; name: string } | undefined {
  const match = key.startsWith(prefix) ? PARAMETER.exec(key.slice(prefix.length)) : null;
  return match && isOneOf(LOCATIONS, match[1]) ? { where: match[1], name: match[2] } : undefined;
}
