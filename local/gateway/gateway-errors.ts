/**
 * The failures that end a request in a gateway response, shared by every stage: each stage
 * throws a `GatewayError` of one response type and the gateway-response stage renders it.
 * Types, statuses and `x-amzn-ErrorType` codes: AWS `supported-gateway-response-types.md`;
 * codes as recorded by LocalStack (next_gen/execute_api/gateway_response.py).
 */
export type GatewayResponseType =
  | 'ACCESS_DENIED'
  | 'API_CONFIGURATION_ERROR'
  | 'BAD_REQUEST_BODY'
  | 'BAD_REQUEST_PARAMETERS'
  | 'DEFAULT_4XX'
  | 'DEFAULT_5XX'
  | 'INTEGRATION_FAILURE'
  | 'INTEGRATION_TIMEOUT'
  | 'INVALID_API_KEY'
  | 'MISSING_AUTHENTICATION_TOKEN'
  | 'QUOTA_EXCEEDED'
  | 'REQUEST_TOO_LARGE'
  | 'RESOURCE_NOT_FOUND'
  | 'THROTTLED'
  | 'UNSUPPORTED_MEDIA_TYPE';

export const GATEWAY_RESPONSE_DEFAULTS: Record<
  GatewayResponseType,
  { status: number; errorType: string }
> = {
  ACCESS_DENIED: { status: 403, errorType: 'AccessDeniedException' },
  API_CONFIGURATION_ERROR: { status: 500, errorType: 'InternalServerErrorException' },
  BAD_REQUEST_BODY: { status: 400, errorType: 'BadRequestException' },
  BAD_REQUEST_PARAMETERS: { status: 400, errorType: 'BadRequestException' },
  DEFAULT_4XX: { status: 400, errorType: 'BadRequestException' },
  DEFAULT_5XX: { status: 500, errorType: 'InternalServerErrorException' },
  INTEGRATION_FAILURE: { status: 504, errorType: 'InternalServerErrorException' },
  INTEGRATION_TIMEOUT: { status: 504, errorType: 'InternalServerErrorException' },
  INVALID_API_KEY: { status: 403, errorType: 'ForbiddenException' },
  MISSING_AUTHENTICATION_TOKEN: { status: 403, errorType: 'MissingAuthenticationTokenException' },
  QUOTA_EXCEEDED: { status: 429, errorType: 'LimitExceededException' },
  REQUEST_TOO_LARGE: { status: 413, errorType: 'RequestTooLargeException' },
  RESOURCE_NOT_FOUND: { status: 404, errorType: 'ResourceNotFoundException' },
  THROTTLED: { status: 429, errorType: 'TooManyRequestsException' },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, errorType: 'BadRequestException' },
};

export const SUPPORTED_RESPONSE_TYPES = new Set<string>(Object.keys(GATEWAY_RESPONSE_DEFAULTS));

/**
 * A request ends in a gateway response of `type`; `message` is `$context.error.message`.
 * `reason` says why in a few words for the local access log and trace only: the client never
 * sees it (AWS answers the same generic message whatever the cause).
 */
export class GatewayError extends Error {
  override readonly name = 'GatewayError';
  constructor(
    readonly type: GatewayResponseType,
    message: string,
    readonly reason?: string,
  ) {
    super(message);
  }
}

export const gatewayErrors = {
  missingAuthenticationToken: (reason?: string) =>
    new GatewayError('MISSING_AUTHENTICATION_TOKEN', 'Missing Authentication Token', reason),
  invalidApiKey: (reason?: string) => new GatewayError('INVALID_API_KEY', 'Forbidden', reason),
  missingParameters: (names: string[]) =>
    new GatewayError(
      'BAD_REQUEST_PARAMETERS',
      `Missing required request parameters: [${names.join(', ')}]`,
      `missing ${names.join(', ')}`,
    ),
  invalidBody: (reason?: string) =>
    new GatewayError('BAD_REQUEST_BODY', 'Invalid request body', reason),
  unsupportedMediaType: (reason?: string) =>
    new GatewayError('UNSUPPORTED_MEDIA_TYPE', 'Unsupported Media Type', reason),
  requestTooLarge: (reason?: string) =>
    new GatewayError('REQUEST_TOO_LARGE', 'Request Too Long', reason),
  configuration: (reason?: string) =>
    new GatewayError('API_CONFIGURATION_ERROR', 'Internal server error', reason),
  integrationTimeout: (reason?: string) =>
    new GatewayError('INTEGRATION_TIMEOUT', 'Endpoint request timed out', reason),
  integrationFailure: (reason?: string) =>
    new GatewayError('INTEGRATION_FAILURE', 'Internal server error', reason),
  throttled: (reason?: string) => new GatewayError('THROTTLED', 'Too Many Requests', reason),
  quotaExceeded: (reason?: string) => new GatewayError('QUOTA_EXCEEDED', 'Limit Exceeded', reason),
};
