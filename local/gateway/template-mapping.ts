/**
 * What the integration request and integration response stages share to render a mapping
 * template: the input the template sees, and what a failing template becomes.
 */
import { describeTemplateError, templateTextOf } from '../template-sources';
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

/**
 * A template that fails while rendering is an API configuration error (500) on AWS. The
 * reason (access log, trace) names the method, the template and the `vtl/` file and line.
 */
export function templateFailure(
  inv: Invocation,
  kind: 'request' | 'response',
  contentType: string,
  template: object,
  err: unknown,
): GatewayError {
  const text = templateTextOf(template);
  const detail = text === undefined ? (err as Error).message : describeTemplateError(text, err);
  return gatewayErrors.configuration(
    `${inv.request.httpMethod} ${inv.resource?.path ?? inv.request.path} ${kind} template (${contentType}): ${detail}`,
  );
}
