/**
 * Method response: the final status, body and headers, plus the headers API Gateway adds to
 * every answer (`x-amzn-RequestId`, `x-amz-apigw-id`, `X-Amzn-Trace-Id`; LocalStack snapshot
 * test_apigateway_dynamodb.snapshot.json, recorded on AWS).
 */
import type { HttpAnswer } from './gateway-response';
import type { MethodAnswer } from './integration-response';
import type { Invocation } from './invocation';

export function finishMethodResponse(answer: MethodAnswer, inv: Invocation): HttpAnswer {
  return withAwsHeaders(
    {
      status: answer.status,
      headers: { 'content-type': answer.contentType, ...answer.headers },
      body: answer.body,
    },
    inv,
  );
}

export function withAwsHeaders(answer: HttpAnswer, inv: Invocation): HttpAnswer {
  return {
    ...answer,
    headers: {
      ...answer.headers,
      'x-amzn-RequestId': inv.requestId,
      'x-amz-apigw-id': inv.extendedRequestId,
      'X-Amzn-Trace-Id': `Root=1-${Math.floor(inv.requestTimeEpoch / 1000).toString(16)}-${inv.requestId.replace(/-/g, '').slice(0, 24)}`,
    },
  };
}
