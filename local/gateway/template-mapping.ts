/**
 * What the integration request and integration response stages share to render a mapping
 * template: the input the template sees, and what a failing template becomes.
 */
import type { MappingInput } from '../vtl';
import type { ApiModel } from './api-model';
import { gatewayErrors, type GatewayError } from './gateway-errors';
import type { Invocation } from './invocation';

export function mappingInput(
  api: ApiModel,
  inv: Invocation,
  context: Record<string, unknown>,
  body: string,
): MappingInput {
  return {
    body,
    params: {
      path: inv.pathParams,
      querystring: inv.request.querystring,
      header: inv.request.header,
    },
    context,
    stageVariables: api.stageVariables,
  };
}

/** A template that fails while rendering is an API configuration error (500) on AWS. */
export function templateFailure(logicalId: string, kind: string, err: unknown): GatewayError {
  process.emitWarning(
    `${logicalId}: the ${kind} template failed: ${(err as Error).message}`,
    'MappingTemplateWarning',
  );
  return gatewayErrors.configuration();
}
