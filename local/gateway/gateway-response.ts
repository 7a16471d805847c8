/**
 * Gateway responses: what API Gateway answers when the request fails before (or around) the
 * integration. Each failure is a `GatewayError` of one response type; the template's
 * `AWS::ApiGateway::GatewayResponse` for that type, else its DEFAULT_4XX/DEFAULT_5XX, else
 * AWS's built-in default shapes the answer. Templates here are variable substitution only
 * (`$context.error.messageString` etc.), not VTL, as on AWS.
 * The response types and their built-in defaults are in gateway-errors.ts.
 */
import { GATEWAY_RESPONSE_DEFAULTS, type GatewayError } from './gateway-errors';
import { lookupParam } from './request-params';
import type { HttpAnswer } from './stage-types';

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

const DEFAULT_TEMPLATE = '{"message":$context.error.messageString}';

export function renderGatewayResponse(
  definitions: Map<string, GatewayResponseDefinition>,
  input: GatewayResponseInput,
): HttpAnswer {
  const { error } = input;
  const builtIn = GATEWAY_RESPONSE_DEFAULTS[error.type];
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
