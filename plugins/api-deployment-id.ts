import { createHash } from 'node:crypto';
import type { CfnResource, CfnResources, CfnTemplate } from '../lib/cloudformation';

/** Resource types that make up what a deployment snapshots: change one, redeploy. */
const API_DEFINITION_TYPES = new Set([
  'AWS::ApiGateway::RestApi',
  'AWS::ApiGateway::Resource',
  'AWS::ApiGateway::Method',
  'AWS::ApiGateway::Model',
  'AWS::ApiGateway::RequestValidator',
  'AWS::ApiGateway::GatewayResponse',
  'AWS::ApiGateway::Authorizer',
]);

export const DEPLOYMENT_PLACEHOLDER = 'ApiDeployment';

/** JSON with object keys sorted, so the hash does not depend on key order. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`);
    return `{${entries.join(',')}}`;
  }
  return JSON.stringify(value);
}

/** Hash of the API definition: every API Gateway resource a deployment snapshots. */
export function apiDefinitionHash(resources: CfnResources): string {
  const definition = Object.keys(resources)
    .filter((id) => API_DEFINITION_TYPES.has(resources[id].Type))
    .sort()
    .map((id) => [id, resources[id]]);
  return createHash('sha256').update(canonicalJson(definition)).digest('hex').slice(0, 12);
}

/** Replaces every `{"Ref": from}` in a value with `{"Ref": to}`, and DependsOn entries too. */
function renameRefs(value: unknown, from: string, to: string): unknown {
  if (Array.isArray(value)) return value.map((v) => renameRefs(v, from, to));
  if (value !== null && typeof value === 'object') {
    const object = value as Record<string, unknown>;
    if (Object.keys(object).length === 1 && object.Ref === from) return { Ref: to };
    return Object.fromEntries(
      Object.entries(object).map(([k, v]) => [
        k,
        k === 'DependsOn' && (v === from || (Array.isArray(v) && v.includes(from)))
          ? [v].flat().map((d) => (d === from ? to : d))
          : renameRefs(v, from, to),
      ]),
    );
  }
  return value;
}

/**
 * Renames the `ApiDeployment` resource of a compiled template to `ApiDeployment<hash>`, the
 * hash taken over the API definition after Serverless has resolved every variable: a new
 * logical id makes CloudFormation create a new deployment, exactly when the API changed.
 */
export function assignDeploymentId(template: CfnTemplate): string {
  const deployment = template.Resources[DEPLOYMENT_PLACEHOLDER];
  if (!deployment) return DEPLOYMENT_PLACEHOLDER;
  const logicalId = `${DEPLOYMENT_PLACEHOLDER}${apiDefinitionHash(template.Resources)}`;
  const renamed = renameRefs(template, DEPLOYMENT_PLACEHOLDER, logicalId) as typeof template;
  delete renamed.Resources[DEPLOYMENT_PLACEHOLDER];
  renamed.Resources[logicalId] = renameRefs(
    deployment,
    DEPLOYMENT_PLACEHOLDER,
    logicalId,
  ) as CfnResource;
  Object.assign(template, renamed);
  return logicalId;
}

interface ServerlessLike {
  service: {
    provider: { compiledCloudFormationTemplate: CfnTemplate };
  };
}

class ApiDeploymentIdPlugin {
  readonly hooks: Record<string, () => void>;

  constructor(serverless: ServerlessLike) {
    this.hooks = {
      // After `resources:` is merged into the template, before it is written to disk.
      'after:aws:package:finalize:mergeCustomProviderResources': () => {
        assignDeploymentId(serverless.service.provider.compiledCloudFormationTemplate);
      },
    };
  }
}

module.exports = ApiDeploymentIdPlugin;
module.exports.apiDefinitionHash = apiDefinitionHash;
module.exports.assignDeploymentId = assignDeploymentId;
