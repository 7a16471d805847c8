/**
 * The integration response stage on its own (integration-response.ts): which integration
 * response a backend status selects, and what the selected one makes of headers and body. The
 * selection patterns are the packaged template's own (vtl/ error mapping: `4\d{2}`, `5\d{2}`).
 */
import type { IntegrationResponseModel } from '../../local/gateway/api-model';
import { buildApiModel } from '../../local/gateway/api-model-build';
import { GatewayError } from '../../local/gateway/gateway-errors';
import {
  buildMethodAnswer,
  selectIntegrationResponse,
} from '../../local/gateway/integration-response';
import { readTemplate } from '../../local/gateway/packaged-template';
import { templatePath } from '../helpers/packaged';
import {
  api,
  integrationResponse,
  invocation,
  method,
  mockIntegration,
  resource,
  vtl,
} from '../helpers/gateway-model';

const packaged = buildApiModel(readTemplate(templatePath('local')));
const getItem = packaged.resources
  .flatMap((r) => [...r.methods.values()])
  .find((m) => m.logicalId === 'GetItemMethod');
if (!getItem) throw new Error('the packaged template has no GetItemMethod');
const packagedResponses = getItem.integration.responses;

describe('integration response selection', () => {
  it.each([
    [200, 200],
    [201, 200],
    [302, 200],
    [400, 400],
    [404, 400],
    [499, 400],
    [500, 503],
    [503, 503],
  ])('DynamoDB status %i selects the %i response of the packaged template', (status, chosen) => {
    expect(selectIntegrationResponse(packagedResponses, status).statusCode).toBe(chosen);
  });

  it('matches the whole status, not a part of it (Java regex full match)', () => {
    const responses = [
      integrationResponse(500, { selectionPattern: /^(?:4)$/ }),
      integrationResponse(200),
    ];
    expect(selectIntegrationResponse(responses, 404).statusCode).toBe(200);
  });

  it('answers 500 API_CONFIGURATION_ERROR when no response matches and none is the default', () => {
    const responses: IntegrationResponseModel[] = [
      integrationResponse(400, { selectionPattern: /^(?:4\d{2})$/ }),
    ];
    let error: unknown;
    try {
      selectIntegrationResponse(responses, 200);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(GatewayError);
    expect((error as GatewayError).type).toBe('API_CONFIGURATION_ERROR');
  });
});

describe('method answer', () => {
  const answer = (
    responses: IntegrationResponseModel[],
    result: { status: number; headers?: Record<string, string>; body?: string },
    header: Record<string, string> = {},
  ) => {
    const m = method('GET', { integration: mockIntegration({ responses }) });
    return buildMethodAnswer(
      api([resource('/', m)]),
      m,
      invocation({ header }),
      {},
      { responseOverride: { headers: {} }, contextOverrides: {} },
      {
        status: result.status,
        headers: result.headers ?? {},
        body: result.body ?? '',
      },
    );
  };

  it('maps static and integration response headers, case-insensitively', () => {
    const responses = [
      integrationResponse(200, {
        responseParameters: {
          'method.response.header.Access-Control-Allow-Origin': "'*'",
          'method.response.header.X-Request': 'integration.response.header.x-amzn-requestid',
        },
      }),
    ];
    const result = answer(responses, { status: 200, headers: { 'X-Amzn-RequestId': 'r-1' } });
    expect(result.headers).toEqual({ 'Access-Control-Allow-Origin': '*', 'X-Request': 'r-1' });
  });

  it('passes the integration body through when the response has no template', () => {
    const result = answer([integrationResponse(200)], { status: 200, body: '{"a":1}' });
    expect(result).toMatchObject({ status: 200, body: '{"a":1}', contentType: 'application/json' });
  });

  it('renders the template the Accept header names, else application/json', () => {
    const responses = [
      integrationResponse(200, {
        responseTemplates: { 'application/json': vtl('json'), 'text/plain': vtl('text') },
      }),
    ];
    expect(answer(responses, { status: 200 }, { Accept: 'text/plain' })).toMatchObject({
      body: 'text',
      contentType: 'text/plain',
    });
    expect(answer(responses, { status: 200 }, { Accept: 'image/png' })).toMatchObject({
      body: 'json',
      contentType: 'application/json',
    });
    // Names the client chooses are data: `constructor` is no template.
    expect(answer(responses, { status: 200 }, { Accept: 'constructor' })).toMatchObject({
      body: 'json',
      contentType: 'application/json',
    });
  });

  it('applies $context.responseOverride.status after the template rendered', () => {
    const responses = [
      integrationResponse(200, {
        responseTemplates: {
          'application/json': vtl('#set($context.responseOverride.status = 404){}'),
        },
      }),
    ];
    expect(answer(responses, { status: 200 }).status).toBe(404);
  });
});
