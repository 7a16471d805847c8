/**
 * Offline validation of a CloudFormation template against the CloudFormation resource
 * specification, so a misspelled resource type, property or enum value fails `npm test`
 * instead of a deploy.
 *
 * The specification is `@aws-cdk/aws-service-spec`: the database the AWS CDK generates its L1
 * constructs from, built from the CloudFormation resource provider schemas (the registry's
 * `describe-type` schemas) and released every week. It carries every resource type, property,
 * property type, required flag, GetAtt attribute and, where the provider schema has an `enum`,
 * the allowed values. Where it has none for a property this project sets, `SUPPLEMENTARY_ALLOWED_VALUES`
 * below fills the gap from the AWS documentation.
 *
 * `cfnLint*` at the end runs the Python `cfn-lint` as a second opinion when it is installed; the
 * suite never depends on it.
 */
import { execFile } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import { loadAwsServiceSpecSync } from '@aws-cdk/aws-service-spec';
// Type-only import from aws-service-spec's own types package (it pins the exact version).
import type { Property, PropertyType, Resource, TypeDefinition } from '@aws-cdk/service-spec-types';

type SpecDatabase = ReturnType<typeof loadAwsServiceSpecSync>;

let specDb: SpecDatabase | undefined;
/** Loaded on first use (about half a second) and shared by every template a test file checks. */
function db(): SpecDatabase {
  specDb ??= loadAwsServiceSpecSync();
  return specDb;
}

/** A resource type of the specification, or undefined when CloudFormation has no such type. */
export function specResource(type: string): Resource | undefined {
  return db().lookup('resource', 'cloudFormationType', 'equals', type)[0];
}

/**
 * A property of the spec by `<resource type>.<property>` or
 * `<resource type>.<property type>.<property>`, the keys of `SUPPLEMENTARY_ALLOWED_VALUES`.
 */
export function specProperty(key: string): Property | undefined {
  const [resourceType, ...path] = key.split('.');
  const resource = specResource(resourceType);
  if (resource === undefined || path.length === 0 || path.length > 2) return undefined;
  if (path.length === 1) return resource.properties[path[0]];
  const definition = db()
    .follow('usesType', resource)
    .map((link) => link.entity)
    .find((d) => d.name === path[0]);
  return definition?.properties[path[1]];
}

function typeDefinition(type: PropertyType & { type: 'ref' }): TypeDefinition {
  return db().get('typeDefinition', type.reference);
}

const AWS_DOCS = 'https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/';
const HTTP_METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS', 'ANY'];
const LOGGING_LEVELS = ['OFF', 'ERROR', 'INFO'];

/**
 * Allowed values that the provider schemas (and so the spec package) leave as a plain string,
 * for the resource types this service uses. Keyed by `<resource type>[.<property type>].<property>`;
 * each entry names the AWS documentation page it comes from. A unit test checks that every key
 * names a string property the spec has and that the spec still lacks allowed values for it, so
 * an entry is dropped once the spec covers it.
 */
export const SUPPLEMENTARY_ALLOWED_VALUES: Record<string, { values: string[]; source: string }> = {
  'AWS::DynamoDB::Table.BillingMode': {
    values: ['PROVISIONED', 'PAY_PER_REQUEST'],
    source: `${AWS_DOCS}aws-resource-dynamodb-table.html#cfn-dynamodb-table-billingmode`,
  },
  'AWS::DynamoDB::Table.TableClass': {
    values: ['STANDARD', 'STANDARD_INFREQUENT_ACCESS'],
    source: `${AWS_DOCS}aws-resource-dynamodb-table.html#cfn-dynamodb-table-tableclass`,
  },
  'AWS::DynamoDB::Table.KeySchema.KeyType': {
    values: ['HASH', 'RANGE'],
    source: `${AWS_DOCS}aws-properties-dynamodb-table-keyschema.html`,
  },
  'AWS::DynamoDB::Table.AttributeDefinition.AttributeType': {
    values: ['S', 'N', 'B'],
    source: `${AWS_DOCS}aws-properties-dynamodb-table-attributedefinition.html`,
  },
  'AWS::DynamoDB::Table.StreamSpecification.StreamViewType': {
    values: ['KEYS_ONLY', 'NEW_IMAGE', 'OLD_IMAGE', 'NEW_AND_OLD_IMAGES'],
    source: `${AWS_DOCS}aws-properties-dynamodb-table-streamspecification.html`,
  },
  'AWS::DynamoDB::Table.Projection.ProjectionType': {
    values: ['ALL', 'KEYS_ONLY', 'INCLUDE'],
    source: `${AWS_DOCS}aws-properties-dynamodb-table-projection.html`,
  },
  'AWS::DynamoDB::Table.SSESpecification.SSEType': {
    values: ['KMS'],
    source: `${AWS_DOCS}aws-properties-dynamodb-table-ssespecification.html`,
  },
  'AWS::ApiGateway::Method.HttpMethod': {
    values: HTTP_METHODS,
    source: `${AWS_DOCS}aws-resource-apigateway-method.html#cfn-apigateway-method-httpmethod`,
  },
  'AWS::ApiGateway::Method.AuthorizationType': {
    values: ['NONE', 'AWS_IAM', 'CUSTOM', 'COGNITO_USER_POOLS'],
    source: `${AWS_DOCS}aws-resource-apigateway-method.html#cfn-apigateway-method-authorizationtype`,
  },
  'AWS::ApiGateway::Method.Integration.IntegrationHttpMethod': {
    values: HTTP_METHODS,
    source: `${AWS_DOCS}aws-properties-apigateway-method-integration.html`,
  },
  'AWS::ApiGateway::GatewayResponse.ResponseType': {
    values: [
      'ACCESS_DENIED',
      'API_CONFIGURATION_ERROR',
      'AUTHORIZER_CONFIGURATION_ERROR',
      'AUTHORIZER_FAILURE',
      'BAD_REQUEST_PARAMETERS',
      'BAD_REQUEST_BODY',
      'DEFAULT_4XX',
      'DEFAULT_5XX',
      'EXPIRED_TOKEN',
      'INTEGRATION_FAILURE',
      'INTEGRATION_TIMEOUT',
      'INVALID_API_KEY',
      'INVALID_SIGNATURE',
      'MISSING_AUTHENTICATION_TOKEN',
      'QUOTA_EXCEEDED',
      'REQUEST_TOO_LARGE',
      'RESOURCE_NOT_FOUND',
      'THROTTLED',
      'UNAUTHORIZED',
      'UNSUPPORTED_MEDIA_TYPE',
      'WAF_FILTERED',
    ],
    source:
      'https://docs.aws.amazon.com/apigateway/latest/developerguide/supported-gateway-response-types.html',
  },
  'AWS::ApiGateway::Stage.MethodSetting.LoggingLevel': {
    values: LOGGING_LEVELS,
    source: `${AWS_DOCS}aws-properties-apigateway-stage-methodsetting.html`,
  },
  'AWS::ApiGateway::Stage.MethodSetting.HttpMethod': {
    values: ['*', ...HTTP_METHODS],
    source: `${AWS_DOCS}aws-properties-apigateway-stage-methodsetting.html`,
  },
  'AWS::ApiGateway::Deployment.StageDescription.LoggingLevel': {
    values: LOGGING_LEVELS,
    source: `${AWS_DOCS}aws-properties-apigateway-deployment-stagedescription.html`,
  },
  'AWS::ApiGateway::Deployment.MethodSetting.LoggingLevel': {
    values: LOGGING_LEVELS,
    source: `${AWS_DOCS}aws-properties-apigateway-deployment-methodsetting.html`,
  },
  'AWS::ApiGateway::UsagePlan.QuotaSettings.Period': {
    values: ['DAY', 'WEEK', 'MONTH'],
    source: `${AWS_DOCS}aws-properties-apigateway-usageplan-quotasettings.html`,
  },
  'AWS::ApiGateway::RestApi.ApiKeySourceType': {
    values: ['HEADER', 'AUTHORIZER'],
    source: `${AWS_DOCS}aws-resource-apigateway-restapi.html#cfn-apigateway-restapi-apikeysourcetype`,
  },
  'AWS::ApiGateway::RestApi.EndpointConfiguration.Types': {
    values: ['EDGE', 'REGIONAL', 'PRIVATE'],
    source: `${AWS_DOCS}aws-properties-apigateway-restapi-endpointconfiguration.html`,
  },
};

// https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/template-anatomy.html
const TOP_LEVEL_SECTIONS = new Set([
  'AWSTemplateFormatVersion',
  'Description',
  'Metadata',
  'Parameters',
  'Rules',
  'Mappings',
  'Conditions',
  'Transform',
  'Resources',
  'Outputs',
  'Hooks',
]);
// https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-product-attribute-reference.html
const RESOURCE_ATTRIBUTES = new Set([
  'Type',
  'Properties',
  'DependsOn',
  'Condition',
  'DeletionPolicy',
  'UpdateReplacePolicy',
  'Metadata',
  'CreationPolicy',
  'UpdatePolicy',
]);
const DELETION_POLICIES = ['Delete', 'Retain', 'RetainExceptOnCreate', 'Snapshot'];
const UPDATE_REPLACE_POLICIES = ['Delete', 'Retain', 'Snapshot'];
const OUTPUT_KEYS = new Set(['Description', 'Value', 'Export', 'Condition']);
// https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/pseudo-parameter-reference.html
const PSEUDO_PARAMETERS = new Set([
  'AWS::AccountId',
  'AWS::NotificationARNs',
  'AWS::NoValue',
  'AWS::Partition',
  'AWS::Region',
  'AWS::StackId',
  'AWS::StackName',
  'AWS::URLSuffix',
]);
/** Functions that return a value, valid wherever a property value goes. */
const VALUE_FUNCTIONS = new Set([
  'Ref',
  'Fn::Base64',
  'Fn::Cidr',
  'Fn::FindInMap',
  'Fn::GetAtt',
  'Fn::GetAZs',
  'Fn::If',
  'Fn::ImportValue',
  'Fn::Join',
  'Fn::Length',
  'Fn::Select',
  'Fn::Split',
  'Fn::Sub',
  'Fn::ToJsonString',
  'Fn::Transform',
]);
/** Functions CloudFormation accepts only in the Conditions section (and inside Fn::If's test). */
const CONDITION_FUNCTIONS = new Set(['Fn::And', 'Fn::Equals', 'Fn::Not', 'Fn::Or', 'Condition']);

interface Context {
  readonly resources: Record<string, unknown>;
  readonly parameters: Set<string>;
  readonly conditions: Set<string>;
  readonly mappings: Set<string>;
  readonly errors: string[];
}

type Json = unknown;

function isObject(value: Json): value is Record<string, Json> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** `{ "Ref": ... }` or `{ "Fn::X": ... }`: one key naming a function. */
function intrinsicName(value: Json): string | undefined {
  if (!isObject(value)) return undefined;
  const keys = Object.keys(value);
  if (keys.length !== 1) return undefined;
  const [key] = keys;
  return key === 'Ref' || key.startsWith('Fn::') ? key : undefined;
}

function describeValue(value: Json): string {
  if (Array.isArray(value)) return 'a list';
  if (isObject(value)) return 'an object';
  return `${typeof value} ${JSON.stringify(value)}`;
}

function describeType(resourceType: string, type: PropertyType): string {
  switch (type.type) {
    case 'array':
      return `list of ${describeType(resourceType, type.element)}`;
    case 'map':
      return `map of ${describeType(resourceType, type.element)}`;
    case 'ref':
      return `${resourceType}.${typeDefinition(type).name}`;
    case 'union':
      return type.types.map((t) => describeType(resourceType, t)).join(' or ');
    case 'tag':
      return 'tag ({Key, Value})';
    default:
      return type.type;
  }
}

/** Edit distance, for "did you mean" hints on misspelled names. */
function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = row[0];
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = row[j];
      const cost = a[i - 1].toLowerCase() === b[j - 1].toLowerCase() ? 0 : 1;
      row[j] = Math.min(row[j] + 1, row[j - 1] + 1, diagonal + cost);
      diagonal = above;
    }
  }
  return row[b.length];
}

function didYouMean(name: string, candidates: Iterable<string>): string {
  let best: string | undefined;
  let bestDistance = Math.max(2, Math.floor(name.length / 4)) + 1;
  for (const candidate of candidates) {
    const d = distance(name, candidate);
    if (d < bestDistance) [best, bestDistance] = [candidate, d];
  }
  return best === undefined ? '' : ` (did you mean ${best}?)`;
}

/** Adds the supplementary allowed values to the string leaves of a property's type. */
function withSupplement(key: string, type: PropertyType): PropertyType {
  const supplement = SUPPLEMENTARY_ALLOWED_VALUES[key];
  if (supplement === undefined) return type;
  if (type.type === 'string')
    return { ...type, allowedValues: type.allowedValues ?? supplement.values };
  if (type.type === 'array') return { ...type, element: withSupplement(key, type.element) };
  return type;
}

/** `how` says where the name comes from: a Ref, or a variable of Fn::Sub. */
function checkReferenceTarget(name: string, path: string, ctx: Context, how = 'Ref to'): void {
  if (name in ctx.resources || ctx.parameters.has(name) || PSEUDO_PARAMETERS.has(name)) return;
  ctx.errors.push(
    `${path}: ${how} "${name}", which is not a resource, parameter or pseudo parameter of this template` +
      didYouMean(name, [...Object.keys(ctx.resources), ...ctx.parameters]),
  );
}

function checkGetAtt(logicalId: string, attribute: Json, path: string, ctx: Context): void {
  const target = ctx.resources[logicalId];
  if (target === undefined) {
    ctx.errors.push(
      `${path}: Fn::GetAtt target "${logicalId}" is not a resource of this template` +
        didYouMean(logicalId, Object.keys(ctx.resources)),
    );
    return;
  }
  if (typeof attribute !== 'string') {
    checkIntrinsics(attribute, path, ctx);
    return;
  }
  const type = isObject(target) ? target.Type : undefined;
  if (typeof type !== 'string' || isCustomResource(type)) return;
  const resource = specResource(type);
  // An unknown type is reported where it is declared; its attributes cannot be checked.
  if (resource === undefined || attribute in resource.attributes) return;
  const known = Object.keys(resource.attributes);
  ctx.errors.push(
    `${path}: Fn::GetAtt ${logicalId}.${attribute}: ${type} has no attribute "${attribute}"` +
      (known.length > 0 ? ` (it has: ${known.join(', ')})` : ' (it has none)'),
  );
}

/** Names that a Fn::Sub string substitutes, without the literal `${!...}` escapes. */
function subVariables(text: string): string[] {
  return [...text.matchAll(/\$\{([^}]*)\}/g)]
    .map((m) => m[1].trim())
    .filter((name) => !name.startsWith('!'));
}

function checkSub(args: Json, path: string, ctx: Context): void {
  const [text, variables] = Array.isArray(args) ? args : [args, undefined];
  if (typeof text !== 'string' || (variables !== undefined && !isObject(variables))) {
    ctx.errors.push(`${path}: Fn::Sub takes a string or [string, {variables}]`);
    return;
  }
  const defined = new Set(Object.keys(variables ?? {}));
  for (const name of subVariables(text)) {
    if (defined.has(name)) continue;
    const dot = name.indexOf('.');
    if (dot > 0) checkGetAtt(name.slice(0, dot), name.slice(dot + 1), path, ctx);
    else checkReferenceTarget(name, path, ctx, `Fn::Sub \${${name}} refers to`);
  }
  for (const [name, value] of Object.entries(variables ?? {})) {
    checkIntrinsics(value, `${path}.${name}`, ctx);
  }
}

/** Checks one intrinsic function call: its name and the names it refers to. */
function checkIntrinsic(
  name: string,
  args: Json,
  path: string,
  ctx: Context,
  inCondition: boolean,
) {
  const at = `${path}.${name}`;
  switch (name) {
    case 'Ref':
      if (typeof args === 'string') checkReferenceTarget(args, path, ctx);
      else ctx.errors.push(`${at}: Ref takes a logical id string, got ${describeValue(args)}`);
      return;
    case 'Fn::GetAtt': {
      if (typeof args === 'string' && args.includes('.')) {
        const dot = args.indexOf('.');
        checkGetAtt(args.slice(0, dot), args.slice(dot + 1), path, ctx);
      } else if (Array.isArray(args) && args.length === 2 && typeof args[0] === 'string') {
        checkGetAtt(args[0], args[1], path, ctx);
      } else {
        ctx.errors.push(`${at}: Fn::GetAtt takes [logicalId, attribute] or "logicalId.attribute"`);
      }
      return;
    }
    case 'Fn::Sub':
      checkSub(args, path, ctx);
      return;
    case 'Fn::FindInMap':
      if (Array.isArray(args) && typeof args[0] === 'string' && !ctx.mappings.has(args[0])) {
        ctx.errors.push(`${at}: mapping "${args[0]}" is not in Mappings`);
      }
      checkIntrinsics(args, at, ctx, inCondition);
      return;
    case 'Fn::If':
      if (!Array.isArray(args) || args.length !== 3 || typeof args[0] !== 'string') {
        ctx.errors.push(`${at}: Fn::If takes [conditionName, valueIfTrue, valueIfFalse]`);
        return;
      }
      checkConditionName(args[0], `${at}[0]`, ctx);
      checkIntrinsics(args.slice(1), at, ctx, inCondition);
      return;
    case 'Condition':
      if (typeof args === 'string') checkConditionName(args, at, ctx);
      return;
    default:
      if (CONDITION_FUNCTIONS.has(name) && !inCondition) {
        ctx.errors.push(`${at}: ${name} is only valid in the Conditions section`);
      } else if (!VALUE_FUNCTIONS.has(name) && !CONDITION_FUNCTIONS.has(name)) {
        ctx.errors.push(
          `${at}: unknown intrinsic function` +
            didYouMean(name, [...VALUE_FUNCTIONS, ...CONDITION_FUNCTIONS]),
        );
      }
      checkIntrinsics(args, at, ctx, inCondition);
  }
}

function checkConditionName(name: string, path: string, ctx: Context): void {
  if (!ctx.conditions.has(name)) {
    ctx.errors.push(
      `${path}: condition "${name}" is not in Conditions` + didYouMean(name, ctx.conditions),
    );
  }
}

/** Walks any value (e.g. a policy document) and checks the intrinsic functions inside it. */
function checkIntrinsics(value: Json, path: string, ctx: Context, inCondition = false): void {
  if (Array.isArray(value)) {
    value.forEach((item, i) => checkIntrinsics(item, `${path}[${i}]`, ctx, inCondition));
    return;
  }
  if (!isObject(value)) return;
  const fn =
    intrinsicName(value) ?? (inCondition && 'Condition' in value ? 'Condition' : undefined);
  if (fn !== undefined && Object.keys(value).length === 1) {
    checkIntrinsic(fn, value[fn], path, ctx, inCondition);
    return;
  }
  for (const [key, item] of Object.entries(value))
    checkIntrinsics(item, `${path}.${key}`, ctx, inCondition);
}

/** Which JSON shape a spec type takes: decides which branch of a union a value is meant for. */
function shapeOf(type: PropertyType): 'list' | 'object' | 'scalar' | 'any' {
  switch (type.type) {
    case 'array':
      return 'list';
    case 'map':
    case 'ref':
    case 'tag':
      return 'object';
    case 'json':
      return 'any';
    default:
      return 'scalar';
  }
}

/**
 * Checks a property value against its spec type. `owner` is the resource or property type the
 * property belongs to, e.g. `AWS::ApiGateway::Method.Integration`; `resourceType` names the
 * property types found below it.
 */
function checkValue(
  value: Json,
  type: PropertyType,
  path: string,
  owner: string,
  resourceType: string,
  ctx: Context,
): void {
  const fn = intrinsicName(value);
  if (fn !== undefined) {
    const args = (value as Record<string, Json>)[fn];
    if (fn === 'Fn::If' && Array.isArray(args) && args.length === 3) {
      // Both branches become the property's value: each must fit its type.
      checkIntrinsic(fn, [args[0], null, null], path, ctx, false);
      for (const [i, branch] of [args[1], args[2]].entries()) {
        const noValue = isObject(branch) && branch.Ref === 'AWS::NoValue';
        if (!noValue)
          checkValue(branch, type, `${path}.Fn::If[${i + 1}]`, owner, resourceType, ctx);
      }
    } else {
      // Any other function's result is only known at deploy time: check what it refers to.
      checkIntrinsic(fn, args, path, ctx, false);
    }
    return;
  }
  const mismatch = () =>
    ctx.errors.push(
      `${path}: expected ${describeType(resourceType, type)}, got ${describeValue(value)}`,
    );
  switch (type.type) {
    case 'string':
    case 'date-time':
      // CloudFormation converts scalar literals to strings (e.g. StatusCode: 200).
      if (!['string', 'number', 'boolean'].includes(typeof value)) return void mismatch();
      if (
        type.type === 'string' &&
        type.allowedValues &&
        !type.allowedValues.includes(String(value))
      ) {
        ctx.errors.push(
          `${path}: ${JSON.stringify(value)} is not an allowed value for ${owner}; ` +
            `allowed: ${type.allowedValues.join(', ')}`,
        );
      }
      return;
    case 'number':
    case 'integer': {
      const n = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
      if (typeof n !== 'number' || !Number.isFinite(n)) return void mismatch();
      if (type.type === 'integer' && !Number.isInteger(n)) return void mismatch();
      if (type.type === 'integer' && type.allowedValues && !type.allowedValues.includes(n)) {
        ctx.errors.push(
          `${path}: ${JSON.stringify(value)} is not an allowed value for ${owner}; ` +
            `allowed: ${type.allowedValues.join(', ')}`,
        );
      }
      return;
    }
    case 'boolean':
      if (typeof value !== 'boolean' && value !== 'true' && value !== 'false') mismatch();
      return;
    case 'null':
      if (value !== null) mismatch();
      return;
    case 'json':
      // Free-form (policy documents, schemas): only the functions inside can be checked.
      checkIntrinsics(value, path, ctx);
      return;
    case 'tag':
      if (!isObject(value)) return void mismatch();
      checkProperties(
        value,
        {
          Key: { type: { type: 'string' }, required: true },
          Value: { type: { type: 'string' }, required: true },
        },
        path,
        'Tag',
        resourceType,
        ctx,
      );
      return;
    case 'array':
      if (!Array.isArray(value)) return void mismatch();
      value.forEach((item, i) => {
        checkValue(item, type.element, `${path}[${i}]`, owner, resourceType, ctx);
      });
      return;
    case 'map':
      if (!isObject(value)) return void mismatch();
      for (const [key, item] of Object.entries(value)) {
        checkValue(item, type.element, `${path}.${key}`, owner, resourceType, ctx);
      }
      return;
    case 'ref': {
      if (!isObject(value)) return void mismatch();
      const definition = typeDefinition(type);
      const defName = `${resourceType}.${definition.name}`;
      checkProperties(value, definition.properties, path, defName, resourceType, ctx);
      return;
    }
    case 'union': {
      const shape = Array.isArray(value) ? 'list' : isObject(value) ? 'object' : 'scalar';
      const specific = type.types.filter((t) => shapeOf(t) === shape);
      const candidates =
        specific.length > 0 ? specific : type.types.filter((t) => shapeOf(t) === 'any');
      if (candidates.length === 0) return void mismatch();
      const attempts = candidates.map((candidate) => {
        const errors: string[] = [];
        checkValue(value, candidate, path, owner, resourceType, { ...ctx, errors });
        return errors;
      });
      if (attempts.some((errors) => errors.length === 0)) return;
      // Only one branch fits the value's shape: its errors say what to change.
      if (attempts.length === 1) ctx.errors.push(...attempts[0]);
      else mismatch();
      return;
    }
  }
}

/** Checks an object's keys against a resource's or property type's properties. */
function checkProperties(
  value: Record<string, Json>,
  properties: Record<string, Property>,
  path: string,
  owner: string,
  resourceType: string,
  ctx: Context,
): void {
  for (const [name, item] of Object.entries(value)) {
    const property = properties[name];
    if (property === undefined) {
      ctx.errors.push(
        `${path}.${name}: unknown property of ${owner}` + didYouMean(name, Object.keys(properties)),
      );
      continue;
    }
    const key = `${owner}.${name}`;
    checkValue(item, withSupplement(key, property.type), `${path}.${name}`, key, resourceType, ctx);
  }
  for (const [name, property] of Object.entries(properties)) {
    if (property.required && !(name in value)) {
      ctx.errors.push(`${path}.${name}: missing required property of ${owner}`);
    }
  }
}

function isCustomResource(type: string): boolean {
  return type.startsWith('Custom::') || type === 'AWS::CloudFormation::CustomResource';
}

function checkResource(logicalId: string, resource: Json, ctx: Context): void {
  if (!/^[A-Za-z0-9]+$/.test(logicalId)) {
    ctx.errors.push(`${logicalId}: logical ids must be alphanumeric`);
  }
  if (!isObject(resource)) {
    ctx.errors.push(`${logicalId}: a resource must be an object, got ${describeValue(resource)}`);
    return;
  }
  for (const key of Object.keys(resource)) {
    if (!RESOURCE_ATTRIBUTES.has(key)) {
      ctx.errors.push(
        `${logicalId}.${key}: unknown resource attribute` + didYouMean(key, RESOURCE_ATTRIBUTES),
      );
    }
  }
  const dependsOn = resource.DependsOn;
  if (dependsOn !== undefined) {
    const targets = Array.isArray(dependsOn) ? dependsOn : [dependsOn];
    for (const target of targets) {
      if (target === logicalId) {
        ctx.errors.push(`${logicalId}.DependsOn: a resource cannot depend on itself`);
      } else if (typeof target !== 'string' || !(target in ctx.resources)) {
        ctx.errors.push(
          `${logicalId}.DependsOn: ${JSON.stringify(target)} is not a resource of this template` +
            (typeof target === 'string' ? didYouMean(target, Object.keys(ctx.resources)) : ''),
        );
      }
    }
  }
  if (resource.Condition !== undefined) {
    if (typeof resource.Condition === 'string') {
      checkConditionName(resource.Condition, `${logicalId}.Condition`, ctx);
    } else ctx.errors.push(`${logicalId}.Condition: must be a condition name`);
  }
  for (const [attribute, allowed] of [
    ['DeletionPolicy', DELETION_POLICIES],
    ['UpdateReplacePolicy', UPDATE_REPLACE_POLICIES],
  ] as const) {
    const policy = resource[attribute];
    if (
      policy !== undefined &&
      intrinsicName(policy) === undefined &&
      !allowed.includes(String(policy))
    ) {
      ctx.errors.push(
        `${logicalId}.${attribute}: ${JSON.stringify(policy)} is not one of ${allowed.join(', ')}`,
      );
    }
  }

  const type = resource.Type;
  const properties = resource.Properties ?? {};
  const at = `${logicalId}.Properties`;
  if (typeof type !== 'string') {
    ctx.errors.push(`${logicalId}.Type: missing resource type`);
    return;
  }
  if (!isObject(properties)) {
    ctx.errors.push(`${at}: must be an object, got ${describeValue(properties)}`);
    return;
  }
  if (isCustomResource(type)) {
    // A custom resource's properties are its Lambda's input: only ServiceToken is CloudFormation's.
    if (!('ServiceToken' in properties)) {
      ctx.errors.push(`${at}.ServiceToken: missing required property of ${type}`);
    }
    checkIntrinsics(properties, at, ctx);
    return;
  }
  const spec = specResource(type);
  if (spec === undefined) {
    const allTypes = db()
      .all('resource')
      .map((r) => r.cloudFormationType);
    ctx.errors.push(
      `${logicalId}.Type: unknown resource type ${JSON.stringify(type)}` +
        didYouMean(type, allTypes),
    );
    return;
  }
  checkProperties(properties, spec.properties, at, type, type, ctx);
}

function checkOutputs(outputs: Json, ctx: Context): void {
  if (!isObject(outputs)) {
    ctx.errors.push(`Outputs: must be an object, got ${describeValue(outputs)}`);
    return;
  }
  for (const [name, output] of Object.entries(outputs)) {
    const at = `Outputs.${name}`;
    if (!isObject(output)) {
      ctx.errors.push(`${at}: an output must be an object, got ${describeValue(output)}`);
      continue;
    }
    for (const key of Object.keys(output)) {
      if (!OUTPUT_KEYS.has(key)) {
        ctx.errors.push(`${at}.${key}: unknown output key` + didYouMean(key, OUTPUT_KEYS));
      }
    }
    if (!('Value' in output)) ctx.errors.push(`${at}.Value: missing; every output needs a Value`);
    else checkIntrinsics(output.Value, `${at}.Value`, ctx);
    if (output.Export !== undefined) {
      if (!isObject(output.Export) || !('Name' in output.Export)) {
        ctx.errors.push(`${at}.Export: must be {"Name": ...}`);
      } else checkIntrinsics(output.Export, `${at}.Export`, ctx);
    }
    if (typeof output.Condition === 'string') {
      checkConditionName(output.Condition, `${at}.Condition`, ctx);
    }
  }
}

function keysOf(section: Json): Set<string> {
  return new Set(isObject(section) ? Object.keys(section) : []);
}

/**
 * Validates a CloudFormation template (JSON form) against the CloudFormation resource
 * specification and CloudFormation's own template rules. Returns one human-readable message per
 * problem, each starting with the path of the offending value, e.g.
 * `ApiGetItemsMethod.Properties.Integration.Typo: unknown property of AWS::ApiGateway::Method.Integration`.
 * An empty list means the template is valid as far as these checks go.
 */
export function validateTemplate(template: object): string[] {
  const errors: string[] = [];
  const root = template as Record<string, Json>;
  for (const section of Object.keys(root)) {
    if (!TOP_LEVEL_SECTIONS.has(section)) {
      errors.push(
        `${section}: unknown top-level section` + didYouMean(section, TOP_LEVEL_SECTIONS),
      );
    }
  }
  if (
    root.AWSTemplateFormatVersion !== undefined &&
    root.AWSTemplateFormatVersion !== '2010-09-09'
  ) {
    errors.push(`AWSTemplateFormatVersion: the only version is "2010-09-09"`);
  }
  const resources = root.Resources;
  if (!isObject(resources) || Object.keys(resources).length === 0) {
    errors.push('Resources: a template needs at least one resource');
    return errors;
  }
  const ctx: Context = {
    resources,
    parameters: keysOf(root.Parameters),
    conditions: keysOf(root.Conditions),
    mappings: keysOf(root.Mappings),
    errors,
  };
  if (isObject(root.Parameters)) {
    for (const [name, parameter] of Object.entries(root.Parameters)) {
      if (name in resources) errors.push(`Parameters.${name}: also the logical id of a resource`);
      if (!isObject(parameter) || typeof parameter.Type !== 'string') {
        errors.push(`Parameters.${name}.Type: missing parameter type`);
      }
    }
  }
  if (isObject(root.Conditions)) {
    for (const [name, condition] of Object.entries(root.Conditions)) {
      checkIntrinsics(condition, `Conditions.${name}`, ctx, true);
    }
  }
  for (const [logicalId, resource] of Object.entries(resources)) {
    checkResource(logicalId, resource, ctx);
  }
  if (root.Outputs !== undefined) checkOutputs(root.Outputs, ctx);
  return errors;
}

// ---------------------------------------------------------------------------------------------
// cfn-lint, when installed: a second, independent opinion on the same templates.

export interface CfnLintMatch {
  /** The template file, as given to `runCfnLint`. */
  file: string;
  rule: string;
  level: string;
  message: string;
  path: string;
}

/**
 * Where cfn-lint is on PATH, or undefined when it is not installed. Looked up in PATH rather
 * than by running `cfn-lint --version`, which costs a second and a half of Python start-up.
 */
export function cfnLintPath(): string | undefined {
  const names = process.platform === 'win32' ? ['cfn-lint.exe', 'cfn-lint.cmd'] : ['cfn-lint'];
  for (const dir of (process.env.PATH ?? '').split(delimiter).filter(Boolean)) {
    for (const name of names) {
      const candidate = join(dir, name);
      try {
        accessSync(candidate, constants.X_OK);
        return candidate;
      } catch {
        // Not in this directory: keep looking.
      }
    }
  }
  return undefined;
}

/**
 * Runs cfn-lint once on all the given template files and returns what it found in each.
 * One process for every file: cfn-lint spends most of its time starting up (about 1.5 s), so
 * one run over 17 files takes 2 s where 17 parallel runs take 16 s on two cores.
 * `ignoreChecks` are rule ids to leave out; the caller says why for each.
 */
export function runCfnLint(files: string[], ignoreChecks: string[] = []): Promise<CfnLintMatch[]> {
  const ignores = ignoreChecks.flatMap((id) => ['--ignore-checks', id]);
  const args = ['--format', 'json', ...ignores, '--', ...files];
  return new Promise((resolve, reject) => {
    // cfn-lint exits non-zero whenever it finds something, so the exit code alone is no failure.
    execFile(
      cfnLintPath() ?? 'cfn-lint',
      args,
      { maxBuffer: 16 * 1024 * 1024 },
      (error, stdout, stderr) => {
        let matches: {
          Filename: string;
          Rule: { Id: string };
          Level: string;
          Message: string;
          Location: { Path?: (string | number)[] };
        }[];
        try {
          matches = JSON.parse(stdout);
        } catch {
          reject(
            new Error(`cfn-lint ${args.join(' ')} failed: ${error?.message ?? ''}\n${stderr}`),
          );
          return;
        }
        resolve(
          matches.map((m) => ({
            file: m.Filename,
            rule: m.Rule.Id,
            level: m.Level,
            message: m.Message,
            path: (m.Location.Path ?? []).join('.'),
          })),
        );
      },
    );
  });
}

/** One line per match, for failure messages that show what cfn-lint said. */
export function formatCfnLint(matches: CfnLintMatch[]): string {
  return matches.map((m) => `${m.rule} ${m.level} ${m.path}: ${m.message}`).join('\n');
}
