/**
 * The request pipeline, one stage per module as in API Gateway (and LocalStack's next_gen
 * execute_api handlers): route → method request → integration request → integration →
 * integration response → method response; any failure becomes a gateway response.
 */
import type { ApiModel, MethodModel } from './api-model';
import {
  formatTrace,
  javaMap,
  maskedHeaders,
  TraceRecorder,
  type ExecutionTrace,
} from './execution-trace';
import { GatewayError } from './gateway-errors';
import { renderGatewayResponse } from './gateway-response';
import { invokeIntegration } from './integration';
import { buildIntegrationRequest } from './integration-request';
import { buildMethodAnswer } from './integration-response';
import {
  bodySize,
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
import type {
  HttpAnswer,
  IntegrationRequest,
  IntegrationResult,
  MethodAnswer,
} from './stage-types';
import { createLimiter } from './throttling';

export interface Gateway {
  api: ApiModel;
  stage: StageInfo;
  /** Where `AWS` integrations send DynamoDB actions. */
  dynamoEndpoint: string;
  /** `signal` aborts when the client went away: work no one will read may be dropped. */
  handle(request: InvocationRequest, signal?: AbortSignal): Promise<GatewayAnswer>;
  /** Ends the gateway's render workers (offload.ts), if any. */
  close(): Promise<void>;
}

export interface GatewayAnswer extends HttpAnswer {
  requestId: string;
  /**
   * Why the answer is not a 2xx, in a few words, for the access log: the gateway response
   * type and reason (`INVALID_API_KEY: no x-api-key header`), or the integration and what it
   * answered (`DynamoDB PutItem answered 400 ConditionalCheckFailedException`). Never sent.
   */
  note?: string;
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
  /** Receives the execution trace of every request (`--trace`). Default: none, not recorded. */
  trace?: (trace: ExecutionTrace) => void;
}

export { formatTrace, type ExecutionTrace };

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
  const handle = async (
    request: InvocationRequest,
    signal?: AbortSignal,
  ): Promise<GatewayAnswer> => {
    const inv = newInvocation(request);
    const trace = opts.trace ? new TraceRecorder() : undefined;
    trace?.step(`Starting execution for request: ${inv.requestId}`);
    let answer: HttpAnswer;
    let note: string | undefined;
    let result: IntegrationResult | undefined;
    try {
      const route = matchRoute(routes, request.httpMethod, request.path);
      inv.resource = route.resource;
      inv.method = route.method;
      inv.pathParams = route.pathParams;
      if (trace) traceMethodRequest(trace, inv.resource.path, request, inv.pathParams);
      checkApiKey(api, route.method, inv);
      limiter.admit({
        resourcePath: route.resource.path,
        httpMethod: route.method.httpMethod,
        apiKey: inv.apiKey,
      });
      const context = contextVariables(inv, stage);
      let integrationRequest: IntegrationRequest;
      if (pool && bodySize(request) >= OFFLOAD_MIN_CHARS) {
        integrationRequest = unwrapOutcome(
          await pool.run(
            { kind: 'request', inv: invocationData(inv, route, true), context },
            signal,
          ),
        ) as IntegrationRequest;
      } else {
        validateMethodRequest(route.method, inv);
        integrationRequest = buildIntegrationRequest(api, route.method, inv, context);
      }
      const integration = route.method.integration;
      trace?.step(
        'Endpoint request URI',
        integration.type === 'AWS' ? `${dynamoEndpoint} (DynamoDB ${integration.action})` : 'MOCK',
      );
      trace?.step('Endpoint request body after transformations', integrationRequest.body);
      const sent = trace?.elapsed();
      result = await invokeIntegration(route.method, integrationRequest, dynamoEndpoint);
      if (trace) {
        const latency = trace.elapsed() - (sent ?? 0);
        trace.step(
          'Received response',
          `Status: ${result.status}, Integration latency: ${latency.toFixed(1)} ms`,
        );
        trace.step('Endpoint response headers', javaMap(Object.entries(result.headers)));
        trace.step('Endpoint response body before transformations', result.body);
      }
      const methodAnswer =
        pool && result.body.length >= OFFLOAD_MIN_CHARS
          ? (unwrapOutcome(
              await pool.run(
                {
                  kind: 'response',
                  inv: invocationData(inv, route, false),
                  context,
                  overrides: requestOverrides(integrationRequest),
                  result,
                },
                signal,
              ),
            ) as MethodAnswer)
          : buildMethodAnswer(api, route.method, inv, context, integrationRequest, result);
      answer = finishMethodResponse(methodAnswer, inv, route.method.integration);
      if (answer.status < 200 || answer.status > 299) {
        note = integrationNote(integration, result, answer.status);
      }
    } catch (err) {
      // A client that went away gets no answer: its dropped work is no bug to report.
      const error =
        err instanceof GatewayError
          ? err
          : signal?.aborted
            ? new GatewayError('DEFAULT_5XX', 'Internal server error')
            : unexpected(err);
      note = `${error.type}${error.reason ? `: ${error.reason}` : ''}`;
      if (trace && !inv.resource) traceMethodRequest(trace, undefined, request, inv.pathParams);
      trace?.step('Execution failed', note);
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
    if (trace && opts.trace) {
      trace.step('Method response body after transformations', answer.body);
      trace.step('Method response headers', javaMap(Object.entries(answer.headers)));
      if (!note) trace.step('Successfully completed execution');
      trace.step('Method completed with status', String(answer.status));
      opts.trace({
        requestId: inv.requestId,
        httpMethod: request.httpMethod,
        path: request.path,
        status: answer.status,
        error: note && !result ? note : undefined,
        totalMs: trace.elapsed(),
        steps: trace.steps,
      });
    }
    return { ...answer, requestId: inv.requestId, note };
  };
  return { api, stage, dynamoEndpoint, handle, close: async () => pool?.close() };
}

/** A bug in the emulator: logged in full locally, answered as AWS answers its own failures. */
function unexpected(err: unknown): GatewayError {
  console.error('local gateway: unexpected error', err);
  return new GatewayError(
    'DEFAULT_5XX',
    'Internal server error',
    `emulator error ${err instanceof Error ? err.name : typeof err} (stack above)`,
  );
}

function traceMethodRequest(
  trace: TraceRecorder,
  resourcePath: string | undefined,
  request: InvocationRequest,
  pathParams: Record<string, string>,
): void {
  trace.step(
    `HTTP Method: ${request.httpMethod}, Resource Path: ${resourcePath ?? `${request.path} (no match)`}`,
  );
  trace.step('Method request path', javaMap(Object.entries(pathParams)));
  trace.step('Method request query string', javaMap(Object.entries(request.querystring)));
  trace.step('Method request headers', maskedHeaders(request.header));
  trace.step('Method request body before transformations', request.body);
}

/** What the integration answered when the method's answer is not a 2xx (access log). */
function integrationNote(
  integration: MethodModel['integration'],
  result: IntegrationResult,
  status: number,
): string {
  const backend = integration.type === 'AWS' ? `DynamoDB ${integration.action}` : 'MOCK';
  let errorType = '';
  if (result.status >= 300 && integration.type === 'AWS') {
    try {
      // DynamoDB's `__type` is `<namespace>#<ErrorName>` (match the part after #: https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Programming.Errors.html).
      const type = (JSON.parse(result.body) as { __type?: unknown }).__type;
      if (typeof type === 'string') errorType = ` ${type.slice(type.indexOf('#') + 1)}`;
    } catch {
      // Not JSON: the status says enough.
    }
  }
  const answered = `${backend} answered ${result.status}${errorType}`;
  return result.status === status
    ? answered
    : `${answered}; the integration response made it ${status}`;
}
