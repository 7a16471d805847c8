/**
 * Integration: send the rendered request to the backend. `AWS` (DynamoDB actions only) POSTs it
 * to the DynamoDB endpoint with `X-Amz-Target: DynamoDB_20120810.<Action>`; `MOCK` answers with
 * the `statusCode` of the rendered request template and no body.
 */
import { callDynamoDb, DynamoDbUnreachableError } from '../dynamodb/client';
import type { MethodModel } from './api-model';
import { gatewayErrors } from './gateway-response';
import type { IntegrationRequest } from './integration-request';

export interface IntegrationResult {
  status: number;
  /** Lower-cased names. */
  headers: Record<string, string>;
  body: string;
}

export async function invokeIntegration(
  method: MethodModel,
  request: IntegrationRequest,
  dynamoEndpoint: string,
): Promise<IntegrationResult> {
  const { integration } = method;
  if (integration.type === 'MOCK') {
    return { status: mockStatus(request.body), headers: {}, body: '' };
  }
  // DynamoDB authorizes the role before anything else; a refusal is its own 400.
  const denied = integration.credentials.authorize(request.body);
  if (denied) return denied;
  try {
    return await callDynamoDb(dynamoEndpoint, integration.action, request.body, {
      timeoutMs: integration.timeoutMs,
    });
  } catch (err) {
    if (err instanceof DynamoDbUnreachableError) {
      throw err.reason === 'timeout'
        ? gatewayErrors.integrationTimeout()
        : gatewayErrors.integrationFailure();
    }
    throw err;
  }
}

/** MOCK: the rendered template must be JSON with an integer `statusCode`, else AWS answers 500. */
function mockStatus(body: string): number {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    throw gatewayErrors.configuration();
  }
  const status = (parsed as { statusCode?: unknown } | null)?.statusCode;
  if (typeof status !== 'number' || !Number.isInteger(status)) throw gatewayErrors.configuration();
  return status;
}
