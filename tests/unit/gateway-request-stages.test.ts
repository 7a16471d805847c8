/**
 * The method request and integration request stages on their own (method-request.ts,
 * integration-request.ts): API key, required parameters and body validation, then the choice of
 * request template by Content-Type and the passthrough behaviours.
 */
import Ajv from 'ajv-draft-04';
import type { PassthroughBehavior } from '../../local/gateway/api-model';
import { GatewayError } from '../../local/gateway/gateway-errors';
import { buildIntegrationRequest } from '../../local/gateway/integration-request';
import { checkApiKey, validateMethodRequest } from '../../local/gateway/method-request';
import { api, invocation, method, mockIntegration, resource, vtl } from '../helpers/gateway-model';

/** The gateway response type a stage throws, or 'ok'. */
function outcome(stage: () => unknown): string {
  try {
    stage();
    return 'ok';
  } catch (err) {
    if (err instanceof GatewayError) return err.type;
    throw err;
  }
}

describe('method request: API key', () => {
  const keyed = method('PUT', { apiKeyRequired: true });
  const model = api([resource('/{id}', keyed)], { apiKeys: new Set(['good-key']) });

  it.each([
    ['no key', {}, 'INVALID_API_KEY'],
    ['an unknown key', { 'x-api-key': 'bad' }, 'INVALID_API_KEY'],
    ['a known key (header name in any case)', { 'X-API-Key': 'good-key' }, 'ok'],
  ])('%s → %s', (_case, header, expected) => {
    expect(outcome(() => checkApiKey(model, keyed, invocation({ header })))).toBe(expected);
  });

  it('records the accepted key for the limiter and $context.identity.apiKey', () => {
    const inv = invocation({ header: { 'x-api-key': 'good-key' } });
    checkApiKey(model, keyed, inv);
    expect(inv.apiKey).toBe('good-key');
  });

  it('does not ask for a key on a method that does not require one', () => {
    expect(outcome(() => checkApiKey(model, method('GET'), invocation()))).toBe('ok');
  });
});

describe('method request: validator', () => {
  const validated = method('PUT', {
    validateParameters: true,
    requiredParameters: [
      { where: 'querystring', name: 'version' },
      { where: 'header', name: 'x-tenant' },
    ],
  });

  it.each([
    ['both present', { version: '1' }, { 'X-Tenant': 't' }, 'ok'],
    ['a missing query parameter', {}, { 'x-tenant': 't' }, 'BAD_REQUEST_PARAMETERS'],
    ['a missing header', { version: '1' }, {}, 'BAD_REQUEST_PARAMETERS'],
  ])('%s → %s', (_case, querystring, header, expected) => {
    expect(
      outcome(() => validateMethodRequest(validated, invocation({ querystring, header }))),
    ).toBe(expected);
  });

  it('names every missing parameter, as API Gateway does', () => {
    expect(() => validateMethodRequest(validated, invocation())).toThrow(
      'Missing required request parameters: [version, x-tenant]',
    );
  });

  it('does not take an inherited name (constructor) for a present parameter', () => {
    const needsConstructor = method('GET', {
      validateParameters: true,
      requiredParameters: [{ where: 'querystring', name: 'constructor' }],
    });
    expect(outcome(() => validateMethodRequest(needsConstructor, invocation()))).toBe(
      'BAD_REQUEST_PARAMETERS',
    );
  });

  const ajv = new Ajv();
  const withBodyModel = method('PUT', {
    bodyValidators: {
      'application/json': ajv.compile({ type: 'object', required: ['enabled'] }),
    },
  });

  it.each([
    ['a body the model accepts', '{"enabled":true}', 'application/json', 'ok'],
    ['a body the model refuses', '{"other":1}', 'application/json', 'BAD_REQUEST_BODY'],
    ['a body that is not JSON', '{', 'application/json; charset=utf-8', 'BAD_REQUEST_BODY'],
    ['an empty body, which is {} to the model', '', 'application/json', 'BAD_REQUEST_BODY'],
    ['a content type with no model', 'anything', 'text/plain', 'ok'],
    ['a content type named like an Object.prototype member', 'x', 'constructor', 'ok'],
  ])('%s → %s', (_case, body, contentType, expected) => {
    const inv = invocation({ body, header: { 'Content-Type': contentType } });
    expect(outcome(() => validateMethodRequest(withBodyModel, inv))).toBe(expected);
  });
});

describe('integration request', () => {
  const request = (
    passthroughBehavior: PassthroughBehavior,
    requestTemplates: Record<string, ReturnType<typeof vtl>>,
    contentType: string | undefined,
    body = '{"a":1}',
  ) => {
    const m = method('PUT', {
      integration: mockIntegration({ passthroughBehavior, requestTemplates }),
    });
    const header: Record<string, string> = contentType ? { 'Content-Type': contentType } : {};
    return () =>
      buildIntegrationRequest(api([resource('/', m)]), m, invocation({ body, header }), {});
  };
  const json = { 'application/json': vtl('{"wrapped":$input.json(\'$\')}') };

  it('renders the template of the request Content-Type, application/json when there is none', () => {
    expect(request('WHEN_NO_MATCH', json, 'application/json; charset=utf-8')()).toMatchObject({
      body: '{"wrapped":{"a":1}}',
    });
    expect(request('WHEN_NO_MATCH', json, undefined)()).toMatchObject({
      body: '{"wrapped":{"a":1}}',
    });
  });

  it.each([
    ['WHEN_NO_MATCH', json, 'passes the body through'],
    ['WHEN_NO_TEMPLATES', json, 'UNSUPPORTED_MEDIA_TYPE'],
    ['WHEN_NO_TEMPLATES', {}, 'passes the body through'],
    ['NEVER', json, 'UNSUPPORTED_MEDIA_TYPE'],
    ['NEVER', {}, 'UNSUPPORTED_MEDIA_TYPE'],
  ] as const)('%s with templates %j and no matching one: %s', (behaviour, templates, expected) => {
    const build = request(behaviour, templates, 'text/plain', 'raw text');
    if (expected === 'passes the body through') expect(build()).toMatchObject({ body: 'raw text' });
    else expect(outcome(build)).toBe(expected);
  });

  it.each(['constructor', '__proto__', 'hasownproperty'])(
    'treats the Content-Type %s (an Object.prototype member) as unmatched',
    (contentType) => {
      expect(request('WHEN_NO_MATCH', json, contentType, 'raw')()).toMatchObject({ body: 'raw' });
      expect(outcome(request('NEVER', json, contentType, 'raw'))).toBe('UNSUPPORTED_MEDIA_TYPE');
    },
  );

  it('answers 400 "Could not parse request body into json" when the template reads a bad body', () => {
    const build = request('WHEN_NO_MATCH', json, 'application/json', '{not json');
    expect(outcome(build)).toBe('BAD_REQUEST_BODY');
    expect(build).toThrow('Could not parse request body into json');
  });
});
