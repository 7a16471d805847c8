/**
 * Route match: the request path (after the stage) against the API's resources, then the method.
 * No match, or no such method, is API Gateway's `403 Missing Authentication Token`.
 * Path parameter values keep their percent-encoding, as on AWS (LocalStack snapshot
 * test_apigateway_lambda.snapshot.json, test_lambda_aws_proxy_integration,
 * "invocation-payload-with-path-encoded-email": `test%2Balias@gmail.com` reaches the backend as sent).
 */
import type { ApiModel, MethodModel, ResourceModel } from './api-model';
import { gatewayErrors } from './gateway-response';

interface CompiledRoute {
  resource: ResourceModel;
  /** Literal text or `{name}` per segment. */
  segments: { literal?: string; param?: string }[];
}

export interface RouteMatch {
  resource: ResourceModel;
  method: MethodModel;
  pathParams: Record<string, string>;
}

export function compileRoutes(api: ApiModel): CompiledRoute[] {
  return api.resources.map((resource) => ({
    resource,
    segments: resource.path
      .split('/')
      .filter(Boolean)
      .map((part) => {
        const param = /^\{(.+)\}$/.exec(part);
        return param ? { param: param[1] } : { literal: part };
      }),
  }));
}

export function matchRoute(routes: CompiledRoute[], httpMethod: string, path: string): RouteMatch {
  // Trailing slashes are ignored by API Gateway.
  const parts = path.replace(/\/+$/, '').split('/').slice(1);
  let best: { route: CompiledRoute; params: Record<string, string>; literals: number } | undefined;
  for (const route of routes) {
    if (route.segments.length !== parts.length) continue;
    const params: Record<string, string> = {};
    let literals = 0;
    const matches = route.segments.every((segment, i) => {
      if (segment.literal !== undefined) {
        literals++;
        return segment.literal === parts[i];
      }
      if (parts[i] === '') return false;
      params[segment.param as string] = parts[i];
      return true;
    });
    // A literal segment wins over a path parameter at the same place.
    if (matches && (!best || literals > best.literals)) best = { route, params, literals };
  }
  const method =
    best?.route.resource.methods.get(httpMethod) ?? best?.route.resource.methods.get('ANY');
  if (!best || !method) throw gatewayErrors.missingAuthenticationToken();
  return { resource: best.route.resource, method, pathParams: best.params };
}
