/**
 * The REST API as the emulator runs it: types only. Every pipeline stage reads these; the
 * builders in api-model-build.ts (and its helpers) construct them from the packaged template,
 * refusing whatever the local stage does not emulate.
 */
import type { ValidateFunction } from 'ajv';
import type { MappingInput, MappingResult } from '../vtl';
import type { GatewayResponseDefinition } from './gateway-response';
import type { IntegrationCredentials } from './integration-credentials';
import type { StageThrottling, UsagePlanModel } from './throttling';

export type CompiledTemplate = (input: MappingInput) => MappingResult;

export interface IntegrationResponseModel {
  statusCode: number;
  selectionPattern?: RegExp;
  responseParameters: Record<string, string>;
  responseTemplates: Record<string, CompiledTemplate>;
}

export type PassthroughBehavior = 'WHEN_NO_MATCH' | 'WHEN_NO_TEMPLATES' | 'NEVER';

export type RequestParameterLocation = 'path' | 'querystring' | 'header';

/**
 * One `Integration.RequestParameters` entry: `integration.request.<where>.<name>` set from a
 * method request parameter or a static `'value'`.
 */
export interface IntegrationRequestParameter {
  where: RequestParameterLocation;
  name: string;
  source:
    | { kind: 'static'; value: string }
    | { kind: 'method'; where: RequestParameterLocation; name: string };
}

interface IntegrationCommon {
  timeoutMs: number;
  passthroughBehavior: PassthroughBehavior;
  requestParameters: IntegrationRequestParameter[];
  requestTemplates: Record<string, CompiledTemplate>;
  responses: IntegrationResponseModel[];
}

export type IntegrationModel =
  | (IntegrationCommon & {
      type: 'AWS';
      /** DynamoDB action from `arn:aws:apigateway:<region>:dynamodb:action/<Action>`. */
      action: string;
      /** The `Credentials` role, enforced per request as AWS does. */
      credentials: IntegrationCredentials;
    })
  | (IntegrationCommon & { type: 'MOCK' });

export interface MethodModel {
  logicalId: string;
  httpMethod: string;
  apiKeyRequired: boolean;
  /** `path|querystring|header` + name, for those marked required. */
  requiredParameters: { where: RequestParameterLocation; name: string }[];
  validateParameters: boolean;
  /** Body validators by content type, when the validator checks bodies. */
  bodyValidators?: Record<string, ValidateFunction>;
  integration: IntegrationModel;
  /** Status codes declared as method responses, with their header names. */
  methodResponses: Map<number, Set<string>>;
}

export interface ResourceModel {
  id: string;
  /** e.g. `/{id}/{range}`, `/{proxy+}` */
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
  /** The stage declares a canary (`CanarySetting`, `DeploymentCanarySettings`). */
  hasCanary: boolean;
  /**
   * What the local stage serves differently from AWS on purpose, to print at start-up (e.g. a
   * canary setting: only the base deployment is served).
   */
  notices: string[];
}
