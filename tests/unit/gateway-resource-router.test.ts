/**
 * The route stage on its own (resource-router.ts): which resource and method a request reaches,
 * with which path parameters, and API Gateway's 403 Missing Authentication Token otherwise.
 */
import { GatewayError } from '../../local/gateway/gateway-errors';
import { compileRoutes, matchRoute } from '../../local/gateway/resource-router';
import { api, method, resource } from '../helpers/gateway-model';

const routes = compileRoutes(
  api([
    resource('/', method('GET')),
    resource('/{id}', method('GET'), method('OPTIONS')),
    resource('/{id}/{range}', method('GET'), method('PUT'), method('DELETE')),
    resource('/health', method('GET')),
    resource('/files/{proxy+}', method('ANY')),
  ]),
);

function route(httpMethod: string, path: string) {
  const match = matchRoute(routes, httpMethod, path);
  return {
    resource: match.resource.path,
    method: match.method.httpMethod,
    params: { ...match.pathParams },
  };
}

function refusal(httpMethod: string, path: string): GatewayError {
  try {
    matchRoute(routes, httpMethod, path);
  } catch (err) {
    if (err instanceof GatewayError) return err;
    throw err;
  }
  throw new Error(`${httpMethod} ${path} matched a route`);
}

describe('route matching', () => {
  it.each([
    ['GET', '/', '/', 'GET', {}],
    ['GET', '/svc', '/{id}', 'GET', { id: 'svc' }],
    ['OPTIONS', '/svc', '/{id}', 'OPTIONS', { id: 'svc' }],
    ['PUT', '/svc/config', '/{id}/{range}', 'PUT', { id: 'svc', range: 'config' }],
    ['GET', '/svc/config/', '/{id}/{range}', 'GET', { id: 'svc', range: 'config' }],
    ['GET', '/health', '/health', 'GET', {}],
    ['GET', '/files/a/b/c', '/files/{proxy+}', 'ANY', { proxy: 'a/b/c' }],
    ['POST', '/files/x', '/files/{proxy+}', 'ANY', { proxy: 'x' }],
  ])('%s %s reaches %s (%s)', (httpMethod, path, resourcePath, methodName, params) => {
    expect(route(httpMethod, path)).toEqual({ resource: resourcePath, method: methodName, params });
  });

  it('prefers a literal segment to a path parameter', () => {
    expect(route('GET', '/health').resource).toBe('/health');
  });

  it('keeps path parameter values percent-encoded, as sent', () => {
    expect(route('GET', '/a%2Fb/c%20d').params).toEqual({ id: 'a%2Fb', range: 'c%20d' });
  });

  it('gives path parameters named like Object.prototype members as data', () => {
    expect(route('GET', '/__proto__/constructor').params).toEqual({
      id: '__proto__',
      range: 'constructor',
    });
  });

  it.each([
    ['no resource has the path', 'GET', '/a/b/c'],
    ['the resource has no such method', 'POST', '/svc'],
    ['a path parameter would be empty', 'GET', '//config'],
    ['a greedy parameter would be empty', 'POST', '/files/'],
  ])('answers 403 Missing Authentication Token when %s', (_case, httpMethod, path) => {
    const error = refusal(httpMethod, path);
    expect(error.type).toBe('MISSING_AUTHENTICATION_TOKEN');
    expect(error.message).toBe('Missing Authentication Token');
  });
});
