/**
 * Builds the `ApiModel` (api-model.ts) from the packaged template: resources and their full
 * paths, methods with their integrations (api-model-integration.ts), request validators and
 * models, gateway responses, the stage, and the API keys and limits (api-model-throttling.ts).
 * Every API Gateway resource's properties are first checked against its schema
 * (api-model-schemas.ts); everything the template declares for the API is then either understood
 * here or refused with an `UnsupportedConstructError` naming the logical id and property, so the
 * local stage never silently differs from AWS.
 */
import type { ValidateFunction } from 'ajv';
import AjvDraft04 from 'ajv-draft-04';
import type { ApiModel, MethodModel, ResourceModel } from './api-model';
import { buildIntegration } from './api-model-integration';
import {
  apiResources,
  parameterAt,
  isApiResourceType,
  isTrue,
  refuse,
  type MethodProps,
  type RequestValidatorProps,
  type StageProps,
} from './api-model-schemas';
import { buildStageThrottling, linkedApiKeys } from './api-model-throttling';
import { SUPPORTED_RESPONSE_TYPES } from './gateway-errors';
import type { GatewayResponseDefinition } from './gateway-response';
import type { CfnTemplate } from '../../lib/cloudformation';
import { stableId, UnsupportedConstructError } from './packaged-template';

export interface BuildApiOptions {
  /** Stage to serve; default: the template's only AWS::ApiGateway::Stage, else `local`. */
  stageName?: string;
  /**
   * The value of an API key resource without `Value`, which API Gateway would generate
   * (local/api-keys.ts keeps one per persisted stage). Default: a new random one.
   */
  generatedApiKey?: (logicalId: string, stageName: string) => string;
}

export function buildApiModel(template: CfnTemplate, opts: BuildApiOptions = {}): ApiModel {
  for (const [logicalId, resource] of Object.entries(template.Resources)) {
    if (resource.Type.startsWith('AWS::ApiGateway::') && !isApiResourceType(resource.Type)) {
      refuse(logicalId, 'Type', `the resource type ${resource.Type}`);
    }
    if (resource.Type.startsWith('AWS::ApiGatewayV2::')) {
      refuse(logicalId, 'Type', `the resource type ${resource.Type} (HTTP/WebSocket APIs)`);
    }
  }
  const apis = apiResources(template, 'AWS::ApiGateway::RestApi');
  if (apis.length !== 1) {
    throw new UnsupportedConstructError(
      `The local stage serves exactly one AWS::ApiGateway::RestApi; the template has ${apis.length}` +
        (apis.length ? ` (${apis.map((a) => a.logicalId).join(', ')})` : ''),
    );
  }
  const api = apis[0];
  if (api.props.ApiKeySourceType !== undefined && api.props.ApiKeySourceType !== 'HEADER') {
    refuse(api.logicalId, 'ApiKeySourceType', `ApiKeySourceType ${api.props.ApiKeySourceType}`);
  }
  if (api.props.BinaryMediaTypes && api.props.BinaryMediaTypes.length > 0) {
    refuse(api.logicalId, 'BinaryMediaTypes', 'binary media types');
  }
  const apiId = stableId(api.logicalId);
  const notices: string[] = [];

  const stages = apiResources(template, 'AWS::ApiGateway::Stage');
  const deployments = apiResources(template, 'AWS::ApiGateway::Deployment');
  const stage = stages.find((s) => !opts.stageName || s.props.StageName === opts.stageName);
  const deploymentStage = deployments.find(
    (d) =>
      d.props.StageName !== undefined && (!opts.stageName || d.props.StageName === opts.stageName),
  );
  const stageName =
    opts.stageName ?? stage?.props.StageName ?? deploymentStage?.props.StageName ?? 'local';
  if (stage) checkStage(stage.logicalId, stage.props);
  const canaries = [
    ...(stage?.props.CanarySetting ? [`${stage.logicalId}.CanarySetting`] : []),
    ...deployments
      .filter((d) => d.props.DeploymentCanarySettings !== undefined)
      .map((d) => `${d.logicalId}.DeploymentCanarySettings`),
  ];
  const hasCanary = canaries.length > 0;
  for (const where of canaries) notices.push(canaryNotice(where, stageName));
  const stageThrottling = stage
    ? buildStageThrottling(stage.logicalId, stage.props.MethodSettings ?? [])
    : { methods: new Map() };

  const models = buildModels(template, apiId);
  const validators = new Map(
    apiResources(template, 'AWS::ApiGateway::RequestValidator').map(
      (v) => [stableId(v.logicalId), v.props] as const,
    ),
  );

  const resources = buildResources(template, api.logicalId);
  for (const method of apiResources(template, 'AWS::ApiGateway::Method')) {
    const resource = resources.get(method.props.ResourceId);
    if (!resource) refuse(method.logicalId, 'ResourceId', `a resource outside ${api.logicalId}`);
    const built = buildMethod(template, method.logicalId, method.props, validators, models);
    if (resource.methods.has(built.httpMethod)) {
      refuse(method.logicalId, 'HttpMethod', `a second ${built.httpMethod} on ${resource.path}`);
    }
    resource.methods.set(built.httpMethod, built);
  }

  const usagePlans = linkedApiKeys(template, apiId, stageName, opts.generatedApiKey);
  return {
    restApiLogicalId: api.logicalId,
    apiId,
    stageName,
    stageVariables: stage?.props.Variables ?? {},
    resources: [...resources.values()],
    apiKeys: new Set(usagePlans.keys()),
    usagePlans,
    stageThrottling,
    gatewayResponses: buildGatewayResponses(template),
    hasTables: Object.values(template.Resources).some((r) => r.Type === 'AWS::DynamoDB::Table'),
    hasCanary,
    notices,
  };
}

function canaryNotice(where: string, stageName: string): string {
  return (
    `${where}: canary traffic is not split locally; stage ${stageName} serves the base ` +
    `deployment ($context.isCanaryRequest is "false")`
  );
}

function checkStage(logicalId: string, props: StageProps): void {
  (props.MethodSettings ?? []).forEach((setting, i) => {
    // Caching would change answers; throttling is enforced (buildStageThrottling).
    if (isTrue(setting.CachingEnabled)) {
      refuse(logicalId, `MethodSettings[${i}].CachingEnabled`, 'response caching');
    }
  });
}

/** `$ref` to another model of the API, as API Gateway writes it (AWS docs, models-mappings-models.md). */
const MODEL_REF =
  /^https:\/\/apigateway\.amazonaws\.com\/restapis\/([^/]+)\/models\/([^/#]+)(#.*)?$/;

export function modelUrl(apiId: string, name: string): string {
  return `https://apigateway.amazonaws.com/restapis/${apiId}/models/${name}`;
}

/** Every `$ref` in a schema, with where it sits. */
function refsOf(schema: unknown, at: string, out: { at: string; ref: string }[] = []) {
  if (Array.isArray(schema)) schema.forEach((item, i) => refsOf(item, `${at}[${i}]`, out));
  else if (schema !== null && typeof schema === 'object') {
    for (const [key, value] of Object.entries(schema)) {
      if (key === '$ref' && typeof value === 'string') out.push({ at, ref: value });
      else refsOf(value, `${at}.${key}`, out);
    }
  }
  return out;
}

interface ModelEntry {
  logicalId: string;
  url: string;
}

/**
 * Models, registered in one draft-04 validator under the URL API Gateway gives them, so a model
 * may `$ref` another (also recursively) as on AWS. Keyed by local id (`Ref`) and by `Name`.
 */
interface Models {
  byRef: Map<string, ModelEntry>;
  ajv: InstanceType<typeof AjvDraft04>;
}

const compiledModels = new Map<string, Models['ajv']>();

function buildModels(template: CfnTemplate, apiId: string): Models {
  const byRef = new Map<string, ModelEntry>();
  const schemas: { logicalId: string; url: string; schema: Record<string, unknown> }[] = [];
  for (const model of apiResources(template, 'AWS::ApiGateway::Model')) {
    let schema: unknown = model.props.Schema ?? {};
    if (typeof schema === 'string') {
      try {
        schema = JSON.parse(schema);
      } catch (err) {
        refuse(model.logicalId, 'Schema', `a schema that is not JSON (${(err as Error).message})`);
      }
    }
    if (schema === null || typeof schema !== 'object' || Array.isArray(schema)) {
      refuse(model.logicalId, 'Schema', 'a schema that is not a JSON object');
    }
    const name = model.props.Name ?? model.logicalId;
    const url = modelUrl(apiId, name);
    const entry = { logicalId: model.logicalId, url };
    byRef.set(stableId(model.logicalId), entry);
    byRef.set(name, entry);
    schemas.push({ logicalId: model.logicalId, url, schema: schema as Record<string, unknown> });
  }
  // Compiling schemas is most of the cost of a build: the same models (a reload, a test) reuse them.
  const cacheKey = JSON.stringify(schemas);
  const cached = compiledModels.get(cacheKey);
  if (cached) return { byRef, ajv: cached };
  // `format` is not checked: a `"format": "byte"` property holding plain text passes on AWS
  // (LocalStack test_import_with_circular_models_and_request_validation, validated on AWS).
  const ajv = new AjvDraft04({ allErrors: false, strict: false, validateFormats: false });
  const urls = new Set(schemas.map((s) => s.url));
  for (const { logicalId, url, schema } of schemas) {
    for (const { at, ref } of refsOf(schema, 'Schema')) {
      if (ref.startsWith('#')) continue;
      const match = MODEL_REF.exec(ref);
      if (!match) refuse(logicalId, at, `the $ref ${ref} (only models of this API)`);
      if (match[1] !== apiId || !urls.has(modelUrl(apiId, match[2]))) {
        refuse(logicalId, at, `the $ref ${ref} to a model this API does not declare`);
      }
    }
    try {
      // draft-04 names a schema by `id`: the model's URL, so `$ref`s to it resolve.
      ajv.addSchema({ ...schema, id: url }, url);
    } catch (err) {
      refuse(logicalId, 'Schema', `its schema (${(err as Error).message})`);
    }
  }
  if (compiledModels.size >= 16) compiledModels.clear();
  compiledModels.set(cacheKey, ajv);
  return { byRef, ajv };
}

function buildResources(template: CfnTemplate, apiLogicalId: string): Map<string, ResourceModel> {
  const rootId = stableId(`${apiLogicalId}/`);
  const declared = apiResources(template, 'AWS::ApiGateway::Resource');
  const byId = new Map(declared.map((r) => [stableId(r.logicalId), r]));
  const resources = new Map<string, ResourceModel>([
    [rootId, { id: rootId, path: '/', methods: new Map() }],
  ]);
  const pathOf = (id: string, seen: string[]): string => {
    if (id === rootId) return '';
    const resource = byId.get(id);
    if (!resource) throw new UnsupportedConstructError(`ParentId ${id} is no resource of the API`);
    if (seen.includes(id)) refuse(resource.logicalId, 'ParentId', 'a cycle of resources');
    const parent = resource.props.ParentId;
    const parentPath = pathOf(parent, [...seen, id]);
    // AWS refuses a child of a greedy resource (api-gateway-set-up-simple-proxy.md: a proxy
    // resource "cannot have any child resources").
    if (/\{[^}]+\+\}$/.test(parentPath)) {
      refuse(resource.logicalId, 'ParentId', `a child of the greedy resource ${parentPath}`);
    }
    return `${parentPath}/${resource.props.PathPart}`;
  };
  const variableChild = new Map<string, string>();
  for (const resource of declared) {
    const part = resource.props.PathPart;
    // A path part is literal text, `{name}` or `{name+}` (AWS CreateResource).
    if (!/^(?:[A-Za-z0-9._:@~!$&'()*,;=-]+|\{[A-Za-z0-9._-]+\+?\})$/.test(part)) {
      refuse(resource.logicalId, 'PathPart', `the path part ${JSON.stringify(part)}`);
    }
    if (part.startsWith('{')) {
      // AWS allows one variable path part (greedy or not) among siblings.
      const other = variableChild.get(resource.props.ParentId);
      if (other && other !== part) {
        refuse(
          resource.logicalId,
          'PathPart',
          `a second variable path part ${part} beside ${other}`,
        );
      }
      variableChild.set(resource.props.ParentId, part);
    }
    const id = stableId(resource.logicalId);
    resources.set(id, { id, path: pathOf(id, []), methods: new Map() });
  }
  return resources;
}

const HTTP_METHODS = new Set(['GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'HEAD', 'OPTIONS', 'ANY']);

function buildMethod(
  template: CfnTemplate,
  logicalId: string,
  props: MethodProps,
  validators: Map<string, RequestValidatorProps>,
  models: Models,
): MethodModel {
  const httpMethod = props.HttpMethod.toUpperCase();
  if (!HTTP_METHODS.has(httpMethod)) refuse(logicalId, 'HttpMethod', `the method ${httpMethod}`);
  const authorization = props.AuthorizationType ?? 'NONE';
  if (authorization !== 'NONE') {
    refuse(logicalId, 'AuthorizationType', `authorization ${authorization} (authorizers)`);
  }
  const requiredParameters = Object.entries(props.RequestParameters ?? {})
    .map(([key, required]) => {
      const parameter = parameterAt(key, 'method.request.');
      if (!parameter) refuse(logicalId, `RequestParameters.${key}`, 'this request parameter');
      return { ...parameter, required };
    })
    .filter(({ required }) => isTrue(required))
    .map(({ where, name }) => ({ where, name }))
    // AWS lists missing parameters in the sorted order of their keys (LocalStack snapshot
    // test_apigateway_common.snapshot.json, test_api_gateway_request_validator).
    .sort((a, b) => `${a.where}.${a.name}`.localeCompare(`${b.where}.${b.name}`));

  const validator = props.RequestValidatorId ? validators.get(props.RequestValidatorId) : undefined;
  if (props.RequestValidatorId && !validator) {
    refuse(logicalId, 'RequestValidatorId', 'a validator the template does not declare');
  }
  let bodyValidators: Record<string, ValidateFunction> | undefined;
  if (isTrue(validator?.ValidateRequestBody)) {
    bodyValidators = {};
    for (const [contentType, modelRef] of Object.entries(props.RequestModels ?? {})) {
      const model = models.byRef.get(modelRef);
      if (!model) {
        if (modelRef === 'Empty') continue;
        refuse(logicalId, `RequestModels.${contentType}`, `the unknown model ${modelRef}`);
      }
      let validate: ValidateFunction | undefined;
      try {
        validate = models.ajv.getSchema(model.url);
      } catch (err) {
        refuse(
          model.logicalId,
          'Schema',
          `its schema (${(err as Error).message}), used by ${logicalId}`,
        );
      }
      if (!validate) refuse(logicalId, `RequestModels.${contentType}`, `the model ${modelRef}`);
      bodyValidators[contentType] = validate;
    }
  }

  const methodResponses = new Map<number, Set<string>>();
  (props.MethodResponses ?? []).forEach((response, i) => {
    const status = Number(response.StatusCode);
    if (!Number.isInteger(status) || status < 100 || status > 599) {
      refuse(logicalId, `MethodResponses[${i}].StatusCode`, `the status ${response.StatusCode}`);
    }
    const headers = Object.keys(response.ResponseParameters ?? {}).map((key) =>
      key.replace(/^method\.response\.header\./, ''),
    );
    methodResponses.set(status, new Set(headers));
  });

  if (!props.Integration) refuse(logicalId, 'Integration', 'a method without an integration');
  return {
    logicalId,
    httpMethod,
    apiKeyRequired: isTrue(props.ApiKeyRequired),
    requiredParameters,
    validateParameters: isTrue(validator?.ValidateRequestParameters),
    bodyValidators,
    integration: buildIntegration(
      template,
      `${logicalId}.Integration`,
      props.Integration,
      props.RequestParameters ?? {},
    ),
    methodResponses,
  };
}

function buildGatewayResponses(template: CfnTemplate): Map<string, GatewayResponseDefinition> {
  const responses = new Map<string, GatewayResponseDefinition>();
  for (const response of apiResources(template, 'AWS::ApiGateway::GatewayResponse')) {
    const type = response.props.ResponseType;
    if (!SUPPORTED_RESPONSE_TYPES.has(type)) {
      refuse(response.logicalId, 'ResponseType', `the gateway response type ${type}`);
    }
    const status =
      response.props.StatusCode === undefined ? undefined : Number(response.props.StatusCode);
    if (status !== undefined && (!Number.isInteger(status) || status < 100 || status > 599)) {
      refuse(response.logicalId, 'StatusCode', `the status ${response.props.StatusCode}`);
    }
    responses.set(type, {
      logicalId: response.logicalId,
      statusCode: status,
      responseParameters: response.props.ResponseParameters ?? {},
      responseTemplates: response.props.ResponseTemplates ?? {},
    });
  }
  return responses;
}
