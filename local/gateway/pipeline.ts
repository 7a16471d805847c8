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
import {
  invocationData,
  OFFLOAD_MIN_CHARS,
  RenderPool,
  requestOverrides,
  unwrapOutcome,
  type OffloadSource,
} from './offload';
import { compileRoutes, matchRoute } from './resource-router';
import type { HttpAnswer, IntegrationRequest, MethodAnswer } from './stage-types';
import { createLimiter } from './throttling';

export interface Gateway {
  api: ApiModel;
  stage: StageInfo;
  /** Where `AWS` integrations send DynamoDB actions. */
  dynamoEndpoint: string;
  /** `signal` aborts when the client went away: work no one will read may be dropped. */
  handle(
    request: InvocationRequest,
    signal?: AbortSignal,
  ): Promise<HttpAnswer & { requestId: string }>;
  /** Ends the gateway's render workers (offload.ts), if any. */
  close(): Promise<void>;
}

export interface GatewayOptions {
  /** Milliseconds since the epoch, for throttling and quotas. Default `Date.now`. */
  clock?: () => number;
  /** Enforce the template's throttling and quotas. Default true; off only to load-test. */
  throttling?: boolean;
  /**
   * The template `api` was built from: large bodies are then validated and rendered in worker
   * threads that build the same model (offload.ts). Default: everything on the main thread.
   */
  offload?: OffloadSource;
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
  const pool = opts.offload ? new RenderPool(opts.offload) : undefined;
  const handle = async (request: InvocationRequest, signal?: AbortSignal) => {
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
      const context = contextVariables(inv, stage);
      let integrationRequest: IntegrationRequest;
      if (pool && request.body.length >= OFFLOAD_MIN_CHARS) {
        integrationRequest = unwrapOutcome(
          await pool.run({ kind: 'request', inv: invocationData(inv, route), context }, signal),
        ) as IntegrationRequest;
      } else {
        validateMethodRequest(route.method, inv);
        integrationRequest = buildIntegrationRequest(api, route.method, inv, context);
      }
      const result = await invokeIntegration(route.method, integrationRequest, dynamoEndpoint);
      const methodAnswer =
        pool && result.body.length >= OFFLOAD_MIN_CHARS
          ? (unwrapOutcome(
              await pool.run(
                {
                  kind: 'response',
                  inv: invocationData(inv, route),
                  context,
                  overrides: requestOverrides(integrationRequest),
                  result,
                },
                signal,
              ),
            ) as MethodAnswer)
          : buildMethodAnswer(api, route.method, inv, context, integrationRequest, result);
      answer = finishMethodResponse(methodAnswer, inv, route.method.integration);
    } catch (err) {
      // A client that went away gets no answer: its dropped work is no bug to report.
      const error =
        err instanceof GatewayError
          ? err
          : signal?.aborted
            ? new GatewayError('DEFAULT_5XX', 'Internal server error')
            : unexpected(err);
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
  return { api, stage, dynamoEndpoint, handle, close: async () => pool?.close() };
}

/** A bug in the emulator: logged in full locally, answered as AWS answers its own failures. */
function unexpected(err: unknown): GatewayError {
  console.error('local gateway: unexpected error', err);
  return new GatewayError('DEFAULT_5XX', 'Internal server error');
}
