/**
 * The gateway response stage on its own (gateway-response.ts): how a GatewayError becomes an
 * answer, from the template's AWS::ApiGateway::GatewayResponse for its type, else the
 * DEFAULT_4XX/DEFAULT_5XX one, else AWS's built-in default.
 */
import type { GatewayResponseDefinition } from '../../local/gateway/gateway-response';
import { renderGatewayResponse } from '../../local/gateway/gateway-response';
import {
  GATEWAY_RESPONSE_DEFAULTS,
  GatewayError,
  gatewayErrors,
  type GatewayResponseType,
} from '../../local/gateway/gateway-errors';
import { buildApiModel } from '../../local/gateway/api-model-build';
import { readTemplate } from '../../local/gateway/packaged-template';
import { templatePath } from '../helpers/packaged';

const packaged = buildApiModel(readTemplate(templatePath('local'))).gatewayResponses;

function render(
  error: GatewayError,
  definitions: Map<string, GatewayResponseDefinition> = new Map(),
  extra: { header?: Record<string, string>; stageVariables?: Record<string, string> } = {},
) {
  return renderGatewayResponse(definitions, {
    error,
    context: { requestId: 'req-1', stage: 'test' },
    params: { path: {}, querystring: {}, header: extra.header ?? {} },
    stageVariables: extra.stageVariables ?? {},
  });
}

function definition(
  responseType: string,
  overrides: Partial<GatewayResponseDefinition> = {},
): Map<string, GatewayResponseDefinition> {
  return new Map([
    [
      responseType,
      { logicalId: responseType, responseParameters: {}, responseTemplates: {}, ...overrides },
    ],
  ]);
}

describe('gateway responses', () => {
  it.each(Object.keys(GATEWAY_RESPONSE_DEFAULTS) as GatewayResponseType[])(
    'built-in %s: its status, x-amzn-ErrorType and {"message": ...} JSON',
    (type) => {
      const answer = render(new GatewayError(type, 'Some "quoted" text'));
      expect(answer.status).toBe(GATEWAY_RESPONSE_DEFAULTS[type].status);
      expect(answer.headers['x-amzn-ErrorType']).toBe(GATEWAY_RESPONSE_DEFAULTS[type].errorType);
      expect(JSON.parse(answer.body)).toEqual({ message: 'Some "quoted" text' });
    },
  );

  it.each([
    [
      'MISSING_AUTHENTICATION_TOKEN',
      gatewayErrors.missingAuthenticationToken(),
      403,
      'Missing Authentication Token',
    ],
    ['INVALID_API_KEY', gatewayErrors.invalidApiKey(), 403, 'Forbidden'],
    ['THROTTLED', gatewayErrors.throttled(), 429, 'Too Many Requests'],
    [
      'INTEGRATION_FAILURE (503 in the template)',
      gatewayErrors.integrationFailure(),
      503,
      'Service unavailable',
    ],
  ])('packaged template, %s: CORS header and the JSON message', (_case, error, status, message) => {
    const answer = render(error, packaged);
    expect(answer.status).toBe(status);
    expect(answer.headers['Access-Control-Allow-Origin']).toBe('*');
    expect(JSON.parse(answer.body)).toEqual({ message });
  });

  it('falls back to DEFAULT_4XX / DEFAULT_5XX by the built-in status', () => {
    const defaults = new Map([
      ...definition('DEFAULT_4XX', {
        responseTemplates: { 'application/json': '{"family":"4xx"}' },
      }),
      ...definition('DEFAULT_5XX', {
        responseTemplates: { 'application/json': '{"family":"5xx"}' },
      }),
    ]);
    expect(render(gatewayErrors.unsupportedMediaType(), defaults)).toMatchObject({
      status: 415,
      body: '{"family":"4xx"}',
    });
    expect(render(gatewayErrors.integrationTimeout(), defaults)).toMatchObject({
      status: 504,
      body: '{"family":"5xx"}',
    });
  });

  it("uses the definition's StatusCode over the built-in status", () => {
    expect(
      render(gatewayErrors.throttled(), definition('THROTTLED', { statusCode: 503 })).status,
    ).toBe(503);
  });

  it('fills headers from static values, method request headers (any case) and stage variables', () => {
    const answer = render(
      gatewayErrors.invalidApiKey(),
      definition('INVALID_API_KEY', {
        responseParameters: {
          'gatewayresponse.header.X-Static': "'fixed'",
          'gatewayresponse.header.X-Origin': 'method.request.header.origin',
          'gatewayresponse.header.X-Stage': 'stageVariables.flavour',
        },
      }),
      { header: { Origin: 'https://example.com' }, stageVariables: { flavour: 'blue' } },
    );
    expect(answer.headers).toMatchObject({
      'X-Static': 'fixed',
      'X-Origin': 'https://example.com',
      'X-Stage': 'blue',
    });
  });

  it('substitutes $context variables (unknown ones empty); it does not run VTL', () => {
    const answer = render(
      gatewayErrors.invalidBody(),
      definition('BAD_REQUEST_BODY', {
        responseTemplates: {
          'application/json':
            '{"id":"$context.requestId","type":"${context.error.responseType}","x":"$context.nope","v":"#if(true)vtl#end"}',
        },
      }),
    );
    expect(JSON.parse(answer.body)).toEqual({
      id: 'req-1',
      type: 'BAD_REQUEST_BODY',
      x: '',
      v: '#if(true)vtl#end',
    });
  });
});
