import { REST_API } from './api';
import type { CfnResources } from '../lib/cloudformation';
import { ref } from './intrinsics';

/**
 * Errors API Gateway answers itself (before or instead of the integration) — unknown route,
 * missing API key, invalid body, throttling — get the same JSON shape and CORS header as
 * the methods' own errors. `$context.error.messageString` is a quoted JSON string.
 */
const RESPONSE_TYPES = [
  'DEFAULT_4XX',
  'DEFAULT_5XX',
  'MISSING_AUTHENTICATION_TOKEN',
  'INVALID_API_KEY',
  'ACCESS_DENIED',
  'BAD_REQUEST_BODY',
  'BAD_REQUEST_PARAMETERS',
  'UNSUPPORTED_MEDIA_TYPE',
  'REQUEST_TOO_LARGE',
  'RESOURCE_NOT_FOUND',
  'THROTTLED',
  'QUOTA_EXCEEDED',
  'INTEGRATION_FAILURE',
  'INTEGRATION_TIMEOUT',
  'API_CONFIGURATION_ERROR',
] as const;

/**
 * Where our contract differs from API Gateway's default for a type: DynamoDB unreachable
 * (INTEGRATION_FAILURE, AWS default 504 "Internal server error") is a 503 the client may
 * retry, like DynamoDB's own 5XX answers (server-error.response.vtl).
 */
const OVERRIDES: Partial<
  Record<(typeof RESPONSE_TYPES)[number], { status: string; message: string }>
> = {
  INTEGRATION_FAILURE: { status: '503', message: 'Service unavailable' },
};

const logicalId = (type: string) =>
  `GatewayResponse${type
    .toLowerCase()
    .split('_')
    .map((word) => word[0].toUpperCase() + word.slice(1))
    .join('')}`;

export const gatewayResponseResources: CfnResources = Object.fromEntries(
  RESPONSE_TYPES.map((type) => [
    logicalId(type),
    {
      Type: 'AWS::ApiGateway::GatewayResponse',
      Properties: {
        RestApiId: ref(REST_API),
        ResponseType: type,
        ResponseParameters: {
          'gatewayresponse.header.Access-Control-Allow-Origin': "'${param:corsOrigin}'",
        },
        ResponseTemplates: {
          'application/json': OVERRIDES[type]
            ? JSON.stringify({ message: OVERRIDES[type].message })
            : '{"message":$context.error.messageString}',
        },
        ...(OVERRIDES[type] ? { StatusCode: OVERRIDES[type].status } : {}),
      },
    },
  ]),
);
