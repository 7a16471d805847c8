/**
 * Integration credentials: the IAM role an `AWS` integration's `Credentials` names, enforced as
 * AWS enforces it. At start-up the role must be one the template declares; its trust policy and
 * its permission policies are compiled once. Per request, API Gateway first assumes the role (a
 * trust policy that does not let `apigateway.amazonaws.com` assume it fails every call with a
 * 500), then DynamoDB authorizes `dynamodb:<Action>` on the table the rendered request names (not
 * allowed → DynamoDB's 400 AccessDeniedException, which the integration responses then map like
 * any DynamoDB error). Whatever cannot be evaluated exactly (Conditions, managed policies,
 * permissions boundaries, policy variables) stops start-up, naming it.
 */
import { GatewayError } from './gateway-errors';
import type { IntegrationResult } from './stage-types';
import {
  API_GATEWAY_PRINCIPAL,
  LOCAL_ACCOUNT_ID as ACCOUNT_ID,
  LOCAL_REGION as REGION,
  PARTITION,
} from '../../lib/aws-constants';
import type { CfnTemplate } from '../../lib/cloudformation';
import { resolveValue, resourcesOfType, UnsupportedConstructError } from './packaged-template';
/** The session name API Gateway gives the role it assumes (CloudTrail; LocalStack does the same). */
const SESSION_NAME = 'BackplaneAssumeRoleSession';

export interface IntegrationCredentials {
  roleLogicalId: string;
  /**
   * DynamoDB's answer when the role may not perform this request, else undefined. Throws the
   * gateway's 500 when API Gateway cannot assume the role.
   */
  authorize(renderedBody: string): IntegrationResult | undefined;
  /** The same, for a request whose resource was already read (`requestedResource`). */
  authorizeResource(resource: string | undefined): IntegrationResult | undefined;
}

type Effect = 'Allow' | 'Deny';

interface CompiledStatement {
  effect: Effect;
  matchesAction(action: string): boolean;
  matchesResource(arn: string): boolean;
}

function refuse(where: string, what: string): never {
  throw new UnsupportedConstructError(`${where}: ${what} is not supported by the local stage`);
}

/** IAM's `*` (any run of characters) and `?` (one character); nothing else is special. */
function wildcardPattern(pattern: string, ignoreCase: boolean): RegExp {
  const source = pattern
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${source}$`, ignoreCase ? 'is' : 's');
}

/** `"x"` or `["x", "y"]`, as IAM accepts both. */
function stringList(where: string, value: unknown): string[] {
  const list = Array.isArray(value) ? value : [value];
  if (list.length === 0 || list.some((item) => typeof item !== 'string')) {
    refuse(where, `the value ${JSON.stringify(value)} (a string or a list of strings is needed)`);
  }
  return list as string[];
}

/** `Action`/`NotAction` or `Resource`/`NotResource`: exactly one of the pair. */
function matcher(
  where: string,
  statement: Record<string, unknown>,
  [positive, negative]: [string, string],
  ignoreCase: boolean,
): (value: string) => boolean {
  const has = (key: string) => statement[key] !== undefined;
  if (has(positive) === has(negative)) {
    refuse(
      where,
      `a statement with ${has(positive) ? 'both' : 'neither'} ${positive} and ${negative}`,
    );
  }
  const key = has(positive) ? positive : negative;
  const patterns = stringList(`${where}.${key}`, statement[key]).map((item) => {
    // Policy variables (`${aws:username}`) depend on the request context: not emulated.
    if (item.includes('${')) refuse(`${where}.${key}`, `the policy variable in ${item}`);
    return wildcardPattern(item, ignoreCase);
  });
  const negated = key === negative;
  return (value) => patterns.some((p) => p.test(value)) !== negated;
}

/** An empty Condition changes nothing; any other needs request context the emulator lacks. */
function checkCondition(where: string, statement: Record<string, unknown>): void {
  const condition = statement.Condition;
  if (condition === undefined) return;
  if (condition !== null && typeof condition === 'object' && Object.keys(condition).length === 0) {
    return;
  }
  refuse(`${where}.Condition`, 'a policy Condition');
}

function statementsOf(where: string, document: unknown): [string, Record<string, unknown>][] {
  const parsed = typeof document === 'string' ? (JSON.parse(document) as unknown) : document;
  if (parsed === null || typeof parsed !== 'object') refuse(where, 'a policy that is no object');
  const statement = (parsed as Record<string, unknown>).Statement;
  const list = Array.isArray(statement) ? statement : [statement];
  return list.map((item, i) => {
    const at = Array.isArray(statement) ? `${where}.Statement[${i}]` : `${where}.Statement`;
    if (item === null || typeof item !== 'object') refuse(at, 'a statement that is no object');
    return [at, item as Record<string, unknown>];
  });
}

function effectOf(where: string, statement: Record<string, unknown>): Effect {
  if (statement.Effect !== 'Allow' && statement.Effect !== 'Deny') {
    refuse(`${where}.Effect`, `the effect ${JSON.stringify(statement.Effect)}`);
  }
  return statement.Effect;
}

/** A permission policy (identity-based: no Principal). */
function compilePermissions(where: string, document: unknown): CompiledStatement[] {
  return statementsOf(where, document).map(([at, statement]) => {
    if (statement.Principal !== undefined || statement.NotPrincipal !== undefined) {
      refuse(`${at}.Principal`, 'a Principal in an identity-based policy (IAM refuses it)');
    }
    checkCondition(at, statement);
    return {
      effect: effectOf(at, statement),
      // Actions are case-insensitive in IAM; resource ARNs are not.
      matchesAction: matcher(at, statement, ['Action', 'NotAction'], true),
      matchesResource: matcher(at, statement, ['Resource', 'NotResource'], false),
    };
  });
}

/** Whether the trust policy lets API Gateway's service principal `sts:AssumeRole`. */
function trustsApiGateway(where: string, document: unknown): boolean {
  let allowed = false;
  for (const [at, statement] of statementsOf(where, document)) {
    if (statement.NotPrincipal !== undefined) refuse(`${at}.NotPrincipal`, 'NotPrincipal');
    checkCondition(at, statement);
    const effect = effectOf(at, statement);
    const matchesAction = matcher(at, statement, ['Action', 'NotAction'], true);
    const principal = statement.Principal;
    const services =
      principal !== null && typeof principal === 'object'
        ? (principal as Record<string, unknown>).Service
        : undefined;
    const anyone =
      principal === '*' ||
      (principal !== null &&
        typeof principal === 'object' &&
        (principal as Record<string, unknown>).AWS === '*');
    const names = services === undefined ? [] : stringList(`${at}.Principal.Service`, services);
    if (!matchesAction('sts:AssumeRole') || !(anyone || names.includes(API_GATEWAY_PRINCIPAL))) {
      continue;
    }
    if (effect === 'Deny') return false;
    allowed = true;
  }
  return allowed;
}

interface RoleModel {
  logicalId: string;
  roleName: string;
  arns: string[];
  props: Record<string, unknown>;
}

function templateRoles(template: CfnTemplate): RoleModel[] {
  return resourcesOfType(template, 'AWS::IAM::Role').map(({ logicalId, props }) => {
    // Fn::GetAtt Arn as packaged-template.ts resolves it; a RoleName (and Path) gives the real ARN too.
    const arns = [
      resolveValue(template, { 'Fn::GetAtt': [logicalId, 'Arn'] }, logicalId) as string,
    ];
    const roleName = typeof props.RoleName === 'string' ? props.RoleName : logicalId;
    if (typeof props.RoleName === 'string') {
      const path = typeof props.Path === 'string' ? props.Path : '/';
      arns.push(`arn:${PARTITION}:iam::${ACCOUNT_ID}:role${path}${props.RoleName}`);
    }
    return { logicalId, roleName, arns, props };
  });
}

const ROLE_PROPERTIES = [
  'AssumeRolePolicyDocument',
  'Policies',
  'ManagedPolicyArns',
  'PermissionsBoundary',
  'RoleName',
  'Path',
  'Description',
  'MaxSessionDuration',
  'Tags',
];

/** Inline `Policies`, plus `AWS::IAM::Policy`/`ManagedPolicy` resources whose `Roles` name it. */
function rolePermissions(template: CfnTemplate, role: RoleModel): CompiledStatement[] {
  const { logicalId, props } = role;
  for (const key of Object.keys(props)) {
    if (!ROLE_PROPERTIES.includes(key)) refuse(`${logicalId}.${key}`, `the property ${key}`);
  }
  if (props.PermissionsBoundary !== undefined) {
    refuse(`${logicalId}.PermissionsBoundary`, 'a permissions boundary');
  }
  const managed = (props.ManagedPolicyArns ?? []) as unknown[];
  if (managed.length > 0) {
    refuse(
      `${logicalId}.ManagedPolicyArns`,
      `a managed policy (${String(managed[0])}: its document is not in the template)`,
    );
  }
  const inline = ((props.Policies ?? []) as Record<string, unknown>[]).flatMap((policy, i) =>
    compilePermissions(`${logicalId}.Policies[${i}].PolicyDocument`, policy.PolicyDocument),
  );
  // `Ref` to a role is its name: the local physical id, or RoleName when it has one.
  const refs = new Set([resolveValue(template, { Ref: logicalId }, logicalId), role.roleName]);
  const attached = ['AWS::IAM::Policy', 'AWS::IAM::ManagedPolicy'].flatMap((type) =>
    resourcesOfType(template, type)
      .filter(({ props: p }) => ((p.Roles ?? []) as unknown[]).some((r) => refs.has(r)))
      .flatMap(({ logicalId: id, props: p }) =>
        compilePermissions(`${id}.PolicyDocument`, p.PolicyDocument),
      ),
  );
  return [...inline, ...attached];
}

/** The role an integration names, checked and compiled once. `where` is `<Method>.Integration`. */
export function compileIntegrationCredentials(
  template: CfnTemplate,
  where: string,
  credentials: unknown,
  action: string,
): IntegrationCredentials {
  const at = `${where}.Credentials`;
  if (credentials === undefined) {
    refuse(at, 'an AWS integration without Credentials (AWS needs a role to call DynamoDB)');
  }
  const arn = String(credentials);
  if (/^arn:aws:iam::[^:]*:user\/\*$/.test(arn)) {
    refuse(at, `caller credentials (${arn}): the caller's own IAM policies cannot be checked`);
  }
  const role = templateRoles(template).find((r) => r.arns.includes(arn));
  if (!role) refuse(at, `the role ${arn}, which the template does not declare`);

  const used = ` (Credentials of ${where})`;
  let permissions: CompiledStatement[];
  let assumable: boolean;
  try {
    assumable = trustsApiGateway(
      `${role.logicalId}.AssumeRolePolicyDocument`,
      role.props.AssumeRolePolicyDocument ?? {},
    );
    permissions = rolePermissions(template, role);
  } catch (err) {
    if (err instanceof UnsupportedConstructError) {
      throw new UnsupportedConstructError(err.message + used);
    }
    throw err;
  }

  const principal = `arn:${PARTITION}:sts::${ACCOUNT_ID}:assumed-role/${role.roleName}/${SESSION_NAME}`;
  const qualified = `dynamodb:${action}`;
  // One decision per resource ARN: the policies do not change after start-up.
  const decisions = new Map<string, IntegrationResult | undefined>();
  const decide = (resource: string): IntegrationResult | undefined => {
    const applies = (s: CompiledStatement) =>
      s.matchesAction(qualified) && s.matchesResource(resource);
    if (permissions.some((s) => s.effect === 'Deny' && applies(s))) {
      return accessDenied(
        `${principal} is not authorized to perform: ${qualified} on resource: ${resource} with an explicit deny in an identity-based policy`,
      );
    }
    if (permissions.some((s) => s.effect === 'Allow' && applies(s))) return undefined;
    return accessDenied(
      `${principal} is not authorized to perform: ${qualified} on resource: ${resource} because no identity-based policy allows the ${qualified} action`,
    );
  };

  const authorizeResource = (resource: string | undefined) => {
    if (!assumable) {
      // AWS logs "API Gateway does not have permission to assume the provided role" and
      // answers its DEFAULT_5XX gateway response.
      throw new GatewayError(
        'DEFAULT_5XX',
        'Internal server error',
        `API Gateway cannot assume the role ${role.logicalId}`,
      );
    }
    // No table named: DynamoDB refuses the request itself (ValidationException).
    if (resource === undefined) return undefined;
    if (!decisions.has(resource)) decisions.set(resource, decide(resource));
    return decisions.get(resource);
  };
  return {
    roleLogicalId: role.logicalId,
    authorize: (renderedBody) => authorizeResource(requestedResource(renderedBody)),
    authorizeResource,
  };
}

/** The ARN DynamoDB authorizes: the table, or its index when the request names one. */
export function requestedResource(renderedBody: string): string | undefined {
  let body: unknown;
  try {
    body = JSON.parse(renderedBody);
  } catch {
    return undefined;
  }
  if (body === null || typeof body !== 'object') return undefined;
  const { TableName: table, IndexName: index } = body as Record<string, unknown>;
  if (typeof table !== 'string') return undefined;
  // TableName also takes the table's ARN.
  const tableArn = table.startsWith('arn:')
    ? table
    : `arn:${PARTITION}:dynamodb:${REGION}:${ACCOUNT_ID}:table/${table}`;
  return typeof index === 'string' ? `${tableArn}/index/${index}` : tableArn;
}

/** DynamoDB's answer to an unauthorized call (the key is `Message`, capitalised, as AWS sends it). */
function accessDenied(message: string): IntegrationResult {
  return {
    status: 400,
    headers: { 'content-type': 'application/x-amz-json-1.0' },
    body: JSON.stringify({
      __type: 'com.amazon.coral.service#AccessDeniedException',
      Message: `User: ${message}`,
    }),
  };
}
