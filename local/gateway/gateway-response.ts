/**
 * Gateway responses: what API Gateway answers when the request fails before (or around) the
 * integration. Each failure is a `GatewayError` of one response type; the template's
 * `AWS::ApiGateway::GatewayResponse` for that type, else its DEFAULT_4XX/DEFAULT_5XX, else
 * AWS's built-in default shapes the answer. Templates here are variable substitution only
 * (`$context.error.messageString` etc.), not VTL, as on AWS.
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

const DEFAULTS: Record<GatewayResponseType, { status: number; errorType: string }> = {
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

export const SUPPORTED_RESPONSE_TYPES = new Set<string>(Object.keys(DEFAULTS));

/** A request ends in a gateway response of `type`; `message` is `$context.error.message`. */
export class GatewayError extends Error {
  override readonly name = 'GatewayError';
  constructor(
    readonly type: GatewayResponseType,
    message: string,
  ) {
    super(message);
  }
}

export const gatewayErrors = {
  missingAuthenticationToken: () =>
    new GatewayError('MISSING_AUTHENTICATION_TOKEN', 'Missing Authentication Token'),
  invalidApiKey: () => new GatewayError('INVALID_API_KEY', 'Forbidden'),
  missingParameters: (names: string[]) =>
    new GatewayError(
      'BAD_REQUEST_PARAMETERS',
      `Missing required request parameters: [${names.join(', ')}]`,
    ),
  invalidBody: () => new GatewayError('BAD_REQUEST_BODY', 'Invalid request body'),
  unsupportedMediaType: () => new GatewayError('UNSUPPORTED_MEDIA_TYPE', 'Unsupported Media Type'),
  requestTooLarge: () => new GatewayError('REQUEST_TOO_LARGE', 'Request Too Long'),
  configuration: () => new GatewayError('API_CONFIGURATION_ERROR', 'Internal server error'),
  integrationTimeout: () => new GatewayError('INTEGRATION_TIMEOUT', 'Endpoint request timed out'),
  integrationFailure: () => new GatewayError('INTEGRATION_FAILURE', 'Internal server error'),
  throttled: () => new GatewayError('THROTTLED', 'Too Many Requests'),
  quotaExceeded: () => new GatewayError('QUOTA_EXCEEDED', 'Limit Exceeded'),
};

/** One `AWS::ApiGateway::GatewayResponse`, resolved. */
export interface GatewayResponseDefinition {
  logicalId: string;
  statusCode?: number;
  /** `gatewayresponse.header.X` → source (`'static'` or `method.request.header.Y`, ...). */
  responseParameters: Record<string, string>;
  responseTemplates: Record<string, string>;
}

export interface GatewayResponseInput {
  error: GatewayError;
  /** `$context` values (flat dotted names are looked up as nested paths). */
  context: Record<string, unknown>;
  /** Method request parameters, for `method.request.*` header sources. */
  params: {
    path: Record<string, string>;
    querystring: Record<string, string>;
    header: Record<string, string>;
  };
  stageVariables: Record<string, string>;
}

export interface HttpAnswer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

const DEFAULT_TEMPLATE = '{"message":$context.error.messageString}';

export function renderGatewayResponse(
  definitions: Map<string, GatewayResponseDefinition>,
  input: GatewayResponseInput,
): HttpAnswer {
  const { error } = input;
  const builtIn = DEFAULTS[error.type];
  const family = builtIn.status >= 500 ? 'DEFAULT_5XX' : 'DEFAULT_4XX';
  const definition = definitions.get(error.type) ?? definitions.get(family);
  const status = definition?.statusCode ?? builtIn.status;
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    'x-amzn-ErrorType': builtIn.errorType,
  };
  for (const [target, source] of Object.entries(definition?.responseParameters ?? {})) {
    const name = target.replace(/^gatewayresponse\.header\./, '');
    const value = parameterSource(source, input);
    if (value !== undefined) headers[name] = value;
  }
  const templates = definition?.responseTemplates ?? {};
  const template = templates['application/json'] ?? Object.values(templates)[0] ?? DEFAULT_TEMPLATE;
  const errorContext = {
    ...input.context,
    error: {
      message: error.message,
      messageString: JSON.stringify(error.message),
      responseType: error.type,
      validationErrorString: '',
    },
  };
  return {
    status,
    headers,
    body: substituteVariables(template, errorContext, input.stageVariables),
  };
}

function parameterSource(source: string, input: GatewayResponseInput): string | undefined {
  const literal = /^'(.*)'$/s.exec(source);
  if (literal) return literal[1];
  const request = /^method\.request\.(path|querystring|header)\.(.+)$/.exec(source);
  if (request) {
    const where = request[1] as 'path' | 'querystring' | 'header';
    return lookupParam(input.params[where], request[2], where === 'header');
  }
  const stageVariable = /^stageVariables\.(.+)$/.exec(source);
  if (stageVariable) return input.stageVariables[stageVariable[1]];
  return undefined;
}

export function lookupParam(
  map: Record<string, string>,
  name: string,
  caseInsensitive: boolean,
): string | undefined {
  if (Object.hasOwn(map, name)) return map[name];
  if (!caseInsensitive) return undefined;
  const lower = name.toLowerCase();
  const key = Object.keys(map).find((k) => k.toLowerCase() === lower);
  return key === undefined ? undefined : map[key];
}

/** `$context.a.b` / `${context.a.b}` / `$stageVariables.x`: substituted, unknown ones empty. */
function substituteVariables(
  template: string,
  context: Record<string, unknown>,
  stageVariables: Record<string, string>,
): string {
  const lookup = (root: string, dotted: string): string => {
    let value: unknown = root === 'context' ? context : stageVariables;
    for (const key of dotted.slice(1).split('.')) {
      value =
        value !== null && typeof value === 'object'
          ? (value as Record<string, unknown>)[key]
          : undefined;
    }
    return value === undefined || value === null ? '' : String(value);
  };
  return template.replace(
    /\$\{(context|stageVariables)((?:\.[A-Za-z0-9_]+)+)\}|\$(context|stageVariables)((?:\.[A-Za-z0-9_]+)+)/g,
    (_, bracedRoot?: string, bracedPath?: string, root?: string, dotted?: string) =>
      bracedRoot
        ? lookup(bracedRoot, bracedPath as string)
        : lookup(root as string, dotted as string),
  );
}
