/**
 * Integration: send the rendered request to the backend. `AWS` (DynamoDB actions only) POSTs it
 * to the DynamoDB endpoint with `X-Amz-Target: DynamoDB_20120810.<Action>`; `MOCK` answers with
 * the `statusCode` of the rendered request template and no body.
 */
import { callDynamoDb, DynamoDbUnreachableError } from '../dynamodb/client';
import type { MethodModel } from './api-model';
import { gatewayErrors } from './gateway-errors';
import type { IntegrationRequest, IntegrationResult } from './stage-types';

export async function invokeIntegration(
  method: MethodModel,
  request: IntegrationRequest,
  dynamoEndpoint: string,
): Promise<IntegrationResult> {
  const { integration } = method;
  if (integration.type === 'MOCK') {
    return { status: mockStatus(request.body), headers: {}, body: '' };
  }
  const { prepared } = request;
  // DynamoDB authorizes the role before anything else; a refusal is its own 400.
  const denied = prepared
    ? integration.credentials.authorizeResource(prepared.resource)
    : integration.credentials.authorize(request.body);
  if (denied) return denied;
  try {
    return await callDynamoDb(
      dynamoEndpoint,
      integration.action,
      prepared
        ? Buffer.from(prepared.bytes.buffer, prepared.bytes.byteOffset, prepared.bytes.byteLength)
        : request.body,
      { timeoutMs: integration.timeoutMs, payloadSha256: prepared?.sha256 },
    );
  } catch (err) {
    if (err instanceof DynamoDbUnreachableError) {
      throw err.reason === 'timeout'
        ? gatewayErrors.integrationTimeout(
            `DynamoDB ${integration.action}: no answer within ${integration.timeoutMs} ms`,
          )
        : gatewayErrors.integrationFailure(
            `DynamoDB ${integration.action}: ${(err.cause as NodeJS.ErrnoException | undefined)?.code ?? err.reason}`,
          );
    }
    throw err;
  }
}

/**
 * MOCK: the rendered template must give an integer `statusCode`, else AWS answers 500. AWS reads
 * it leniently: `{statusCode: 200}` (unquoted key, as CDK's CORS preflight writes it) is accepted
 * and answers 200 with an empty body (LocalStack test test_integration_mock_with_path_param,
 * validated on AWS).
 */
function mockStatus(body: string): number {
  let status: unknown;
  try {
    status = (JSON.parse(body) as { statusCode?: unknown } | null)?.statusCode;
  } catch {
    const lenient =
      /^\s*\{(?:[^{}]*?,)?\s*(['"]?)statusCode\1\s*:\s*(-?\d+)\s*(?:,[^{}]*)?\}\s*$/.exec(body);
    status = lenient ? Number(lenient[2]) : undefined;
  }
  if (typeof status !== 'number' || !Number.isInteger(status)) {
    throw gatewayErrors.configuration('the MOCK request template rendered no integer statusCode');
  }
  return status;
}
