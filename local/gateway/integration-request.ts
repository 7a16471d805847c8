/**
 * Integration request: pick the request template by Content-Type (application/json when the
 * request has none), apply the passthrough behaviour, render it.
 * Passthrough: WHEN_NO_MATCH passes the body through when no template matches; WHEN_NO_TEMPLATES
 * only when the integration has no templates at all; NEVER never does. Otherwise 415
 * `Unsupported Media Type` (AWS `integration-passthrough-behaviors.md`).
 */
import { BodyNotJsonError } from '../vtl';
import type { ApiModel, MethodModel } from './api-model';
import { GatewayError, gatewayErrors } from './gateway-errors';
import type { Invocation } from './invocation';
import { lookupParam, ownValue, requestContentType } from './request-params';
import type { IntegrationParameters, IntegrationRequest } from './stage-types';
import { mappingInput, templateFailure } from './template-mapping';

/** Null-prototype records: parameter names are client-chosen data. */
function emptyParameters(): IntegrationParameters {
  const map = () => Object.create(null) as Record<string, string>;
  return { path: map(), querystring: map(), header: map() };
}

/** `Integration.RequestParameters`: a source the request does not carry leaves its target out. */
function integrationParameters(method: MethodModel, inv: Invocation): IntegrationParameters {
  const out = emptyParameters();
  for (const { where, name, source } of method.integration.requestParameters) {
    let value: string | undefined;
    if (source.kind === 'static') value = source.value;
    else if (source.where === 'path') value = lookupParam(inv.pathParams, source.name, false);
    else if (source.where === 'querystring') {
      value = lookupParam(inv.request.querystring, source.name, false);
    } else value = lookupParam(inv.request.header, source.name, true);
    if (value !== undefined) out[where][name] = value;
  }
  return out;
}

export function buildIntegrationRequest(
  api: ApiModel,
  method: MethodModel,
  inv: Invocation,
  context: Record<string, unknown>,
): IntegrationRequest {
  const { requestTemplates, passthroughBehavior } = method.integration;
  const parameters = integrationParameters(method, inv);
  const contentType = requestContentType(inv.request.header);
  const template =
    ownValue(requestTemplates, contentType) ?? ownValue(requestTemplates, '$default');
  if (!template) {
    const hasTemplates = Object.keys(requestTemplates).length > 0;
    if (
      passthroughBehavior === 'NEVER' ||
      (passthroughBehavior === 'WHEN_NO_TEMPLATES' && hasTemplates)
    ) {
      throw gatewayErrors.unsupportedMediaType(
        `no request template for ${contentType} (passthrough ${passthroughBehavior})`,
      );
    }
    return {
      body: inv.request.body,
      parameters,
      responseOverride: { headers: {} },
      contextOverrides: {},
    };
  }
  try {
    const rendered = template(mappingInput(api, inv, context, inv.request.body));
    const { requestOverrides } = rendered;
    for (const where of ['path', 'querystring', 'header'] as const) {
      Object.assign(parameters[where], requestOverrides[where]);
    }
    const responseOverride = { status: rendered.statusOverride, headers: rendered.headerOverrides };
    return {
      body: rendered.body,
      parameters,
      responseOverride,
      contextOverrides: {
        requestOverride: requestOverrides,
        responseOverride: { ...rendered.responseOverrideValues, header: rendered.headerOverrides },
      },
    };
  } catch (err) {
    if (err instanceof BodyNotJsonError) {
      // AWS: 400 "Could not parse request body into json" when a template reads a bad body.
      throw new GatewayError(
        'BAD_REQUEST_BODY',
        'Could not parse request body into json',
        'the request template read a body that is not JSON',
      );
    }
    throw templateFailure(inv, 'request', contentType, template, err);
  }
}
