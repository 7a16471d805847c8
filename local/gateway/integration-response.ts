/**
 * Integration response: choose the response by SelectionPattern (a Java regex, fully matched
 * against the integration's HTTP status for AWS and MOCK integrations), else the default one
 * (no pattern); none → 500 `Internal server error`. Then map headers, render the response
 * template and apply `$context.responseOverride`.
 */
import type { ApiModel, IntegrationResponseModel, MethodModel } from './api-model';
import { gatewayErrors } from './gateway-errors';
import type { Invocation } from './invocation';
import { lookupParam } from './request-params';
import type { IntegrationResult, MethodAnswer, RequestOverrides } from './stage-types';
import { mappingInput, templateFailure } from './template-mapping';

export function selectIntegrationResponse(
  responses: IntegrationResponseModel[],
  status: number,
): IntegrationResponseModel {
  const selectionValue = String(status);
  const selected =
    responses.find((r) => r.selectionPattern?.test(selectionValue)) ??
    responses.find((r) => !r.selectionPattern);
  if (!selected) {
    throw gatewayErrors.configuration(`no integration response matches status ${selectionValue}`);
  }
  return selected;
}

export function buildMethodAnswer(
  api: ApiModel,
  method: MethodModel,
  inv: Invocation,
  context: Record<string, unknown>,
  request: RequestOverrides,
  result: IntegrationResult,
): MethodAnswer {
  const selected = selectIntegrationResponse(method.integration.responses, result.status);
  const headers: Record<string, string> = {};
  for (const [target, source] of Object.entries(selected.responseParameters)) {
    const name = target.replace(/^method\.response\.header\./, '');
    const literal = /^'(.*)'$/s.exec(source);
    const value = literal
      ? literal[1]
      : lookupParam(result.headers, source.replace(/^integration\.response\.header\./, ''), true);
    if (value !== undefined) headers[name] = value;
  }
  const [contentType, template] = pickResponseTemplate(selected, inv);
  // $context.responseOverride set by the request template changes the answer too (MOCK status
  // 444 and header foo: bar in LocalStack's test_integration_mock_with_response_override_in_request_template,
  // recorded on AWS); the response template's own overrides come after and win.
  let status = request.responseOverride.status ?? selected.statusCode;
  Object.assign(headers, request.responseOverride.headers);
  let body = result.body;
  if (template) {
    try {
      const rendered = template(
        mappingInput(api, inv, { ...context, ...request.contextOverrides }, result.body),
      );
      body = rendered.body;
      // Overrides apply after the whole template rendered, and win (https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-override-request-response-parameters.html).
      if (rendered.statusOverride !== undefined) status = rendered.statusOverride;
      Object.assign(headers, rendered.headerOverrides);
    } catch (err) {
      throw templateFailure(inv, 'response', contentType, template, err);
    }
  }
  return { status, headers, body, contentType };
}

/** By the Accept header, else application/json, else the first template (AWS behaviour). */
function pickResponseTemplate(
  response: IntegrationResponseModel,
  inv: Invocation,
): [string, IntegrationResponseModel['responseTemplates'][string] | undefined] {
  const templates = response.responseTemplates;
  const accepted = (lookupParam(inv.request.header, 'accept', true) ?? '')
    .split(',')
    .map((part) => part.split(';')[0].trim().toLowerCase());
  const byAccept = accepted.find((type) => Object.hasOwn(templates, type));
  const contentType =
    byAccept ?? ('application/json' in templates ? 'application/json' : Object.keys(templates)[0]);
  return [contentType ?? 'application/json', contentType ? templates[contentType] : undefined];
}
