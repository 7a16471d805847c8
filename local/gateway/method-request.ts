/**
 * Method request: API key (`checkApiKey`), then throttling and quotas (throttling.ts, run by the
 * pipeline in between), then the request validator (`validateMethodRequest`: required
 * parameters, then the body against the method's model with ajv draft-04), in API Gateway's
 * order.
 */
import type { ApiModel, MethodModel } from './api-model';
import { gatewayErrors } from './gateway-errors';
import type { Invocation } from './invocation';
import { lookupParam, ownValue, requestContentType } from './request-params';

export function checkApiKey(api: ApiModel, method: MethodModel, inv: Invocation): void {
  const presentedKey = lookupParam(inv.request.header, 'x-api-key', true);
  if (method.apiKeyRequired) {
    if (presentedKey === undefined) throw gatewayErrors.invalidApiKey('no x-api-key header');
    if (!api.apiKeys.has(presentedKey)) {
      throw gatewayErrors.invalidApiKey('x-api-key is not a key of this API');
    }
    inv.apiKey = presentedKey;
  }
}

export function validateMethodRequest(method: MethodModel, inv: Invocation): void {
  if (method.validateParameters) {
    const missing = method.requiredParameters
      .filter(({ where, name }) => {
        if (where === 'path') return !Object.hasOwn(inv.pathParams, name);
        if (where === 'querystring') return !Object.hasOwn(inv.request.querystring, name);
        return lookupParam(inv.request.header, name, true) === undefined;
      })
      .map(({ name }) => name);
    if (missing.length > 0) throw gatewayErrors.missingParameters(missing);
  }
  if (method.bodyValidators) {
    const validate =
      ownValue(method.bodyValidators, requestContentType(inv.request.header)) ??
      ownValue(method.bodyValidators, '$default');
    if (!validate) return;
    let body: unknown;
    try {
      // An empty body is `{}` to API Gateway, as `$input.body` shows (recorded on AWS: localstack/localstack#7916 and #12413).
      body = JSON.parse(inv.request.body === '' ? '{}' : inv.request.body);
    } catch {
      throw gatewayErrors.invalidBody('the body is not JSON');
    }
    if (!validate(body)) {
      const [first] = validate.errors ?? [];
      throw gatewayErrors.invalidBody(
        first ? `${first.instancePath || 'the body'} ${first.message ?? 'is invalid'}` : undefined,
      );
    }
  }
}
