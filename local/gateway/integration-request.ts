/**
 * Integration request: pick the request template by Content-Type (application/json when the
 * request has none), apply the passthrough behaviour, render it.
 * Passthrough: WHEN_NO_MATCH passes the body through when no template matches; WHEN_NO_TEMPLATES
 * only when the integration has no templates at all; NEVER never does. Otherwise 415
 * `Unsupported Media Type` (AWS `integration-passthrough-behaviors.md`).
 */
import { TemplateRuntimeError } from '../vtl';
import type { ApiModel, MethodModel } from './api-model';
import { GatewayError, gatewayErrors } from './gateway-errors';
import type { Invocation } from './invocation';
import { requestContentType } from './request-params';
import type { IntegrationRequest } from './stage-types';
import { mappingInput, templateFailure } from './template-mapping';

export function buildIntegrationRequest(
  api: ApiModel,
  method: MethodModel,
  inv: Invocation,
  context: Record<string, unknown>,
): IntegrationRequest {
  const { requestTemplates, passthroughBehavior } = method.integration;
  const contentType = requestContentType(inv.request.header);
  const template = requestTemplates[contentType] ?? requestTemplates['$default'];
  if (!template) {
    const hasTemplates = Object.keys(requestTemplates).length > 0;
    if (
      passthroughBehavior === 'NEVER' ||
      (passthroughBehavior === 'WHEN_NO_TEMPLATES' && hasTemplates)
    ) {
      throw gatewayErrors.unsupportedMediaType();
    }
    return { body: inv.request.body };
  }
  try {
    return { body: template(mappingInput(api, inv, context, inv.request.body)).body };
  } catch (err) {
    if (err instanceof TemplateRuntimeError && /not valid JSON/.test(err.message)) {
      // AWS: 400 "Could not parse request body into json" when a template reads a bad body.
      throw new GatewayError('BAD_REQUEST_BODY', 'Could not parse request body into json');
    }
    throw templateFailure(method.logicalId, 'request', err);
  }
}
