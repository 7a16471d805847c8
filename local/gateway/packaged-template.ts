/**
 * The packaged CloudFormation template as the emulator reads it: resources by logical id, with
 * the intrinsic functions it needs resolved the way CloudFormation would resolve them for a
 * local deployment (LOCAL_REGION, LOCAL_ACCOUNT_ID of lib/aws-constants.ts). An intrinsic or reference it
 * cannot resolve stops start-up with an error naming where it sits.
 */
import { readFileSync } from 'node:fs';
import { LOCAL_ACCOUNT_ID, LOCAL_REGION, PARTITION, URL_SUFFIX } from '../../lib/aws-constants';
import type { CfnTemplate } from '../../lib/cloudformation';

/** The template uses something the local stage does not emulate; the message names it. */
export class UnsupportedConstructError extends Error {
  override readonly name = 'UnsupportedConstructError';
}

const PSEUDO_PARAMETERS = new Map<string, string>([
  ['AWS::Region', LOCAL_REGION],
  ['AWS::AccountId', LOCAL_ACCOUNT_ID],
  ['AWS::Partition', PARTITION],
  ['AWS::URLSuffix', URL_SUFFIX],
  ['AWS::StackName', 'local'],
  [
    'AWS::StackId',
    `arn:${PARTITION}:cloudformation:${LOCAL_REGION}:${LOCAL_ACCOUNT_ID}:stack/local/local`,
  ],
]);

/** Stands in for `{"Ref": "AWS::NoValue"}`: the property is dropped. */
const NO_VALUE = Symbol('AWS::NoValue');

export function readTemplate(file: string): CfnTemplate {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new Error(`Cannot read the packaged template ${file}: ${(err as Error).message}`);
  }
  const template = parsed as CfnTemplate;
  if (!template || typeof template.Resources !== 'object') {
    throw new Error(`${file} is not a CloudFormation template (no Resources)`);
  }
  return template;
}

/** Local physical ids: what `Ref` and `Fn::GetAtt` give for each resource type. */
function physicalId(template: CfnTemplate, logicalId: string, where: string): string {
  const resource = template.Resources[logicalId];
  if (!resource)
    throw new UnsupportedConstructError(`${where}: Ref to unknown resource ${logicalId}`);
  const name = resource.Properties?.TableName ?? resource.Properties?.StageName;
  if (resource.Type === 'AWS::DynamoDB::Table' && typeof name === 'string') return name;
  if (resource.Type === 'AWS::ApiGateway::Stage' && typeof name === 'string') return name;
  // API Gateway ids are 10 lower-case alphanumerics; a stable one per logical id is enough.
  return stableId(logicalId);
}

export function stableId(logicalId: string): string {
  let hash = 2166136261;
  for (const ch of logicalId) hash = Math.imul(hash ^ ch.charCodeAt(0), 16777619) >>> 0;
  return (hash.toString(36) + 'local00000').slice(0, 10);
}

function getAtt(
  template: CfnTemplate,
  logicalId: string,
  attribute: string,
  where: string,
): string {
  const resource = template.Resources[logicalId];
  if (!resource) {
    throw new UnsupportedConstructError(`${where}: Fn::GetAtt of unknown resource ${logicalId}`);
  }
  const id = physicalId(template, logicalId, where);
  switch (`${resource.Type}.${attribute}`) {
    case 'AWS::ApiGateway::RestApi.RootResourceId':
      return stableId(`${logicalId}/`);
    case 'AWS::DynamoDB::Table.Arn':
      return `arn:${PARTITION}:dynamodb:${LOCAL_REGION}:${LOCAL_ACCOUNT_ID}:table/${id}`;
    case 'AWS::IAM::Role.Arn':
      return `arn:${PARTITION}:iam::${LOCAL_ACCOUNT_ID}:role/${logicalId}`;
    case 'AWS::Logs::LogGroup.Arn':
      return `arn:${PARTITION}:logs:${LOCAL_REGION}:${LOCAL_ACCOUNT_ID}:log-group:${logicalId}`;
    default:
      throw new UnsupportedConstructError(
        `${where}: Fn::GetAtt ${logicalId}.${attribute} (${resource.Type}) is not emulated`,
      );
  }
}

/**
 * Resolves intrinsics in `value`. `where` names the property for error messages, e.g.
 * `GetItemsMethod.Properties.Integration.Uri`.
 */
export function resolveValue(template: CfnTemplate, value: unknown, where: string): unknown {
  const resolved = resolveInner(template, value, where);
  return resolved === NO_VALUE ? undefined : resolved;
}

function resolveInner(template: CfnTemplate, value: unknown, where: string): unknown {
  if (Array.isArray(value)) {
    return value
      .map((item, i) => resolveInner(template, item, `${where}[${i}]`))
      .filter((item) => item !== NO_VALUE);
  }
  if (value === null || typeof value !== 'object') return value;
  const entries = Object.entries(value);
  if (entries.length === 1) {
    const [fn, arg] = entries[0];
    if (fn === 'Ref' || fn.startsWith('Fn::') || fn === 'Condition') {
      return resolveIntrinsic(template, fn, arg, `${where}.${fn}`);
    }
  }
  const out: Record<string, unknown> = {};
  for (const [key, item] of entries) {
    const resolved = resolveInner(template, item, `${where}.${key}`);
    if (resolved !== NO_VALUE) out[key] = resolved;
  }
  return out;
}

function resolveIntrinsic(template: CfnTemplate, fn: string, arg: unknown, where: string): unknown {
  const asString = (v: unknown, what: string): string => {
    const resolved = resolveInner(template, v, where);
    if (typeof resolved !== 'string' && typeof resolved !== 'number') {
      throw new UnsupportedConstructError(`${where}: ${what} must resolve to a string`);
    }
    return String(resolved);
  };
  /** The argument as a list of `n` items (any length when `n` is undefined), else a refusal. */
  const list = (n: number | undefined, what: string): unknown[] => {
    if (!Array.isArray(arg) || (n !== undefined && arg.length !== n)) {
      throw new UnsupportedConstructError(`${where}: ${fn} takes ${what}`);
    }
    return arg;
  };
  const text = (value: unknown, what: string): string => {
    if (typeof value !== 'string') {
      throw new UnsupportedConstructError(`${where}: ${fn} takes ${what}`);
    }
    return value;
  };
  switch (fn) {
    case 'Ref': {
      const name = text(arg, 'a logical id or parameter name');
      if (name === 'AWS::NoValue') return NO_VALUE;
      const pseudo = PSEUDO_PARAMETERS.get(name);
      if (pseudo !== undefined) return pseudo;
      const parameter = template.Parameters?.[name];
      if (parameter) {
        if (parameter.Default === undefined) {
          throw new UnsupportedConstructError(`${where}: parameter ${name} has no Default`);
        }
        return parameter.Default;
      }
      return physicalId(template, name, where);
    }
    case 'Fn::GetAtt': {
      const [logicalId, attribute] = Array.isArray(arg)
        ? list(2, '[logicalId, attribute]')
        : text(arg, 'logicalId.attribute').split('.');
      return getAtt(template, String(logicalId), String(attribute), where);
    }
    case 'Fn::Join': {
      const [separator, items] = list(2, '[separator, [values]]');
      const resolved = resolveInner(template, items, where);
      if (!Array.isArray(resolved)) throw new UnsupportedConstructError(`${where}: needs a list`);
      return resolved
        .map((item) => asString(item, 'each Fn::Join item'))
        .join(text(separator, 'a string separator'));
    }
    case 'Fn::Sub': {
      const [body, vars] = Array.isArray(arg) ? list(2, '[text, {variables}]') : [arg, {}];
      const variables = resolveInner(template, vars, where);
      if (variables === null || typeof variables !== 'object' || Array.isArray(variables)) {
        throw new UnsupportedConstructError(`${where}: Fn::Sub variables must be an object`);
      }
      const named = new Map(Object.entries(variables));
      return text(body, 'a string').replace(/\$\{([^}!]+)\}/g, (_, name: string) => {
        if (named.has(name)) return asString(named.get(name), `\${${name}}`);
        if (name.includes('.')) {
          const [logicalId, attribute] = name.split('.');
          return getAtt(template, logicalId, attribute, where);
        }
        return asString({ Ref: name }, `\${${name}}`);
      });
    }
    case 'Fn::If': {
      const [condition, whenTrue, whenFalse] = list(
        3,
        '[condition, value if true, value if false]',
      );
      return resolveInner(
        template,
        evaluateCondition(template, text(condition, 'a condition name first'), where)
          ? whenTrue
          : whenFalse,
        where,
      );
    }
    case 'Condition':
      return evaluateCondition(template, text(arg, 'a condition name'), where);
    case 'Fn::Equals': {
      const [a, b] = list(2, 'two values').map((v) => resolveInner(template, v, where));
      return JSON.stringify(a) === JSON.stringify(b);
    }
    case 'Fn::Not':
      return !resolveInner(template, list(1, 'one condition')[0], where);
    case 'Fn::And':
      return list(undefined, 'a list of conditions').every(
        (v) => resolveInner(template, v, where) === true,
      );
    case 'Fn::Or':
      return list(undefined, 'a list of conditions').some(
        (v) => resolveInner(template, v, where) === true,
      );
    default:
      throw new UnsupportedConstructError(`${where}: the intrinsic ${fn} is not emulated`);
  }
}

export function evaluateCondition(template: CfnTemplate, name: string, where: string): boolean {
  const definition = template.Conditions?.[name];
  if (definition === undefined) {
    throw new UnsupportedConstructError(`${where}: unknown condition ${name}`);
  }
  const value = resolveInner(template, definition, `Conditions.${name}`);
  if (typeof value !== 'boolean') {
    throw new UnsupportedConstructError(`Conditions.${name} does not evaluate to true or false`);
  }
  return value;
}

/** Resources of one type whose Condition (if any) holds, with resolved properties. */
export function resourcesOfType(
  template: CfnTemplate,
  type: string,
): { logicalId: string; props: Record<string, unknown> }[] {
  return Object.entries(template.Resources)
    .filter(([, r]) => r.Type === type)
    .filter(([id, r]) => !r.Condition || evaluateCondition(template, r.Condition, id))
    .map(([logicalId, r]) => ({
      logicalId,
      props: (resolveValue(template, r.Properties ?? {}, `${logicalId}.Properties`) ??
        {}) as Record<string, unknown>,
    }));
}
