/**
 * Route match: the request path (after the stage) and method against the API's resources.
 * Resolution is on the resource + method pair, as measured on API Gateway (REST): of the
 * resources whose path matches, the most specific one that has the request's method (or `ANY`)
 * serves it, comparing segment by segment a literal before a `{param}` before a greedy
 * `{param+}`; a more specific resource without the method falls through to a less specific one
 * (captures on AWS: https://github.com/floci-io/floci/pull/3399,
 * https://github.com/ministackorg/ministack/pull/1423). No match is API Gateway's
 * `403 Missing Authentication Token`. A greedy `{name+}` takes one or more whole segments (so
 * `/{proxy+}` does not match `/`, https://github.com/logandk/serverless-wsgi/issues/20).
 * Path parameter values keep their percent-encoding, as on AWS (LocalStack snapshot
 * test_apigateway_lambda.snapshot.json, test_lambda_aws_proxy_integration,
 * "invocation-payload-with-path-encoded-email": `test%2Balias@gmail.com` reaches the backend as sent).
 */
import type { ApiModel, MethodModel, ResourceModel } from './api-model';
import { gatewayErrors } from './gateway-errors';

type Segment = { kind: 'literal'; text: string } | { kind: 'param' | 'greedy'; name: string };

interface CompiledRoute {
  resource: ResourceModel;
  segments: Segment[];
}

export interface RouteMatch {
  resource: ResourceModel;
  method: MethodModel;
  pathParams: Record<string, string>;
}

/** Lower is more specific. */
const RANK: Record<Segment['kind'], number> = { literal: 0, param: 1, greedy: 2 };

export function compileRoutes(api: ApiModel): CompiledRoute[] {
  const routes = api.resources.map((resource) => ({
    resource,
    segments: resource.path
      .split('/')
      .filter(Boolean)
      .map((part): Segment => {
        const param = /^\{(.+?)(\+)?\}$/.exec(part);
        if (!param) return { kind: 'literal', text: part };
        return { kind: param[2] ? 'greedy' : 'param', name: param[1] };
      }),
  }));
  // Most specific first, so the first route that matches and has the method wins.
  return routes.sort((a, b) => {
    for (let i = 0; i < Math.min(a.segments.length, b.segments.length); i++) {
      const diff = RANK[a.segments[i].kind] - RANK[b.segments[i].kind];
      if (diff !== 0) return diff;
    }
    return b.segments.length - a.segments.length;
  });
}

function matchPath(route: CompiledRoute, parts: string[]): Record<string, string> | undefined {
  const params: Record<string, string> = Object.create(null) as Record<string, string>;
  const { segments } = route;
  for (let i = 0; i < segments.length; i++) {
    const segment = segments[i];
    if (segment.kind === 'greedy') {
      const rest = parts.slice(i);
      if (rest.length === 0 || rest.some((part) => part === '')) return undefined;
      params[segment.name] = rest.join('/');
      return params;
    }
    if (i >= parts.length) return undefined;
    if (segment.kind === 'literal') {
      if (segment.text !== parts[i]) return undefined;
    } else {
      if (parts[i] === '') return undefined;
      params[segment.name] = parts[i];
    }
  }
  return segments.length === parts.length ? params : undefined;
}

export function matchRoute(routes: CompiledRoute[], httpMethod: string, path: string): RouteMatch {
  // Trailing slashes are ignored by API Gateway.
  const trimmed = path.replace(/\/+$/, '');
  const parts = trimmed === '' ? [] : trimmed.split('/').slice(1);
  for (const route of routes) {
    const method = route.resource.methods.get(httpMethod) ?? route.resource.methods.get('ANY');
    if (!method) continue;
    const pathParams = matchPath(route, parts);
    if (pathParams) return { resource: route.resource, method, pathParams };
  }
  // No match: say why in the access log (the client only sees the generic 403).
  const sameResource = routes.find((route) => matchPath(route, parts));
  throw gatewayErrors.missingAuthenticationToken(
    sameResource
      ? `no ${httpMethod} method on ${sameResource.resource.path}`
      : `no resource matches ${path}`,
  );
}
