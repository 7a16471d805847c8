/**
 * Method response: the final status, body and headers, plus the headers API Gateway adds.
 * Every answer carries `x-amzn-RequestId` and `x-amz-apigw-id`. `X-Amzn-Trace-Id` is on method
 * responses of AWS integrations only: not on MOCK integrations (LocalStack snapshot
 * test_apigateway_common.snapshot.json, test_invocation_trace_id, "normal-req-headers-MOCK"),
 * not on gateway responses (test_apigateway_integrations.snapshot.json,
 * test_apigateway_header_remapping_aws[AWS], "content-length"), present on DynamoDB answers
 * (test_apigateway_dynamodb.snapshot.json, test_rest_api_to_dynamodb_integration). All recorded
 * on AWS.
 */
import type { IntegrationModel } from './api-model';
import type { Invocation } from './invocation';
import type { HttpAnswer, MethodAnswer } from './stage-types';

export function finishMethodResponse(
  answer: MethodAnswer,
  inv: Invocation,
  integration: IntegrationModel,
): HttpAnswer {
  const finished = withAwsHeaders(
    {
      status: answer.status,
      headers: { 'content-type': answer.contentType, ...answer.headers },
      body: answer.body,
    },
    inv,
  );
  if (integration.type === 'AWS') finished.headers['X-Amzn-Trace-Id'] = inv.traceId;
  return finished;
}

export function withAwsHeaders(answer: HttpAnswer, inv: Invocation): HttpAnswer {
  return {
    ...answer,
    headers: {
      ...answer.headers,
      'x-amzn-RequestId': inv.requestId,
      'x-amz-apigw-id': inv.extendedRequestId,
    },
  };
}
