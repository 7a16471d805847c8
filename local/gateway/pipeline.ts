/**
 * The request pipeline, one stage per module as in API Gateway (and LocalStack's next_gen
 * execute_api handlers): route → method request → integration request → integration →
 * integration response → method response; any failure becomes a gateway response.
 */
import type { ApiModel } from './api-model';
import {
  GatewayError,
  gatewayErrors,
  renderGatewayResponse,
  type HttpAnswer,
} from './gateway-response';
import { invokeIntegration } from './integration';
import { buildIntegrationRequest } from './integration-request';
import { buildMethodAnswer } from './integration-response';
import {
  contextVariables,
  newInvocation,
  type InvocationRequest,
  type StageInfo,
} from './invocation';
import { checkMethodRequest } from './method-request';
import { finishMethodResponse, withAwsHeaders } from './method-response';
import { compileRoutes, matchRoute } from './resource-router';

export interface Gateway {
  api: ApiModel;
  stage: StageInfo;
  /** Where `AWS` integrations send DynamoDB actions. */
  dynamoEndpoint: string;
  handle(request: InvocationRequest): Promise<HttpAnswer & { requestId: string }>;
}

export function createGateway(api: ApiModel, dynamoEndpoint: string, domainName: string): Gateway {
  const routes = compileRoutes(api);
  const stage: StageInfo = { apiId: api.apiId, stageName: api.stageName, domainName };
  const handle = async (request: InvocationRequest) => {
    const inv = newInvocation(request);
    let answer: HttpAnswer;
    try {
      const route = matchRoute(routes, request.httpMethod, request.path);
      inv.resource = route.resource;
      inv.method = route.method;
      inv.pathParams = route.pathParams;
      checkMethodRequest(api, route.method, inv);
      const context = contextVariables(inv, stage);
      const integrationRequest = buildIntegrationRequest(api, route.method, inv, context);
      const result = await invokeIntegration(route.method, integrationRequest, dynamoEndpoint);
      const methodAnswer = buildMethodAnswer(api, route.method, inv, context, result);
      answer = finishMethodResponse(methodAnswer, inv);
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

export { gatewayErrors };
