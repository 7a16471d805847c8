/**
 * The request pipeline, one stage per module as in API Gateway (and LocalStack's next_gen
 * execute_api handlers): route → method request → integration request → integration →
 * integration response → method response; any failure becomes a gateway response.
 */
import type { ApiModel } from './api-model';
import { GatewayError } from './gateway-errors';
import { renderGatewayResponse } from './gateway-response';
import { invokeIntegration } from './integration';
import { buildIntegrationRequest } from './integration-request';
import { buildMethodAnswer } from './integration-response';
import {
  contextVariables,
  newInvocation,
  type InvocationRequest,
  type StageInfo,
} from './invocation';
import { checkApiKey, validateMethodRequest } from './method-request';
import { finishMethodResponse, withAwsHeaders } from './method-response';
import { compileRoutes, matchRoute } from './resource-router';
import type { HttpAnswer } from './stage-types';
import { createLimiter } from './throttling';

export interface Gateway {
  api: ApiModel;
  stage: StageInfo;
  /** Where `AWS` integrations send DynamoDB actions. */
  dynamoEndpoint: string;
  handle(request: InvocationRequest): Promise<HttpAnswer & { requestId: string }>;
}

export interface GatewayOptions {
  /** Milliseconds since the epoch, for throttling and quotas. Default `Date.now`. */
  clock?: () => number;
  /** Enforce the template's throttling and quotas. Default true; off only to load-test. */
  throttling?: boolean;
}

export function createGateway(
  api: ApiModel,
  dynamoEndpoint: string,
  domainName: string,
  opts: GatewayOptions = {},
): Gateway {
  const routes = compileRoutes(api);
  const limiter =
    opts.throttling === false
      ? { admit: () => undefined }
      : createLimiter(api.stageThrottling, api.usagePlans, opts.clock ?? Date.now);
  const stage: StageInfo = {
    apiId: api.apiId,
    stageName: api.stageName,
    domainName,
    hasCanary: api.hasCanary,
  };
  const handle = async (request: InvocationRequest) => {
    const inv = newInvocation(request);
    let answer: HttpAnswer;
    try {
      const route = matchRoute(routes, request.httpMethod, request.path);
      inv.resource = route.resource;
      inv.method = route.method;
      inv.pathParams = route.pathParams;
      checkApiKey(api, route.method, inv);
      limiter.admit({
        resourcePath: route.resource.path,
        httpMethod: route.method.httpMethod,
        apiKey: inv.apiKey,
      });
      validateMethodRequest(route.method, inv);
      const context = contextVariables(inv, stage);
      const integrationRequest = buildIntegrationRequest(api, route.method, inv, context);
      const result = await invokeIntegration(route.method, integrationRequest, dynamoEndpoint);
      const methodAnswer = buildMethodAnswer(api, route.method, inv, context, result);
      answer = finishMethodResponse(methodAnswer, inv, route.method.integration);
    } catch (err) {
      const error = err instanceof GatewayError ? err : unexpected(err);
      answer = withAwsHeaders(
        renderGatewayResponse(api.gatewayResponses, {
          error,
          context: contextVariables(inv, stage),
          params: {
            path: inv.pathParams,
            querystring: request.querystring,
            header: request.header,
          },
          stageVariables: api.stageVariables,
        }),
        inv,
      );
    }
    return { ...answer, requestId: inv.requestId };
  };
  return { api, stage, dynamoEndpoint, handle };
}

/** A bug in the emulator: logged in full locally, answered as AWS answers its own failures. */
function unexpected(err: unknown): GatewayError {
  console.error('local gateway: unexpected error', err);
  return new GatewayError('DEFAULT_5XX', 'Internal server error');
}
