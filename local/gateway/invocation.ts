/**
 * One request as it moves through the pipeline: what the client sent (parsed the way API
 * Gateway parses it), what routing found, and the `$context` the templates see.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import type { MethodModel, ResourceModel } from './api-model';
import { lookupParam } from './gateway-response';

export interface InvocationRequest {
  httpMethod: string;
  /** Path after `/{stage}`, still percent-encoded as sent: API Gateway does not decode it. */
  path: string;
  /** Query string, form-decoded (`+` is a space); the last of repeated names wins. */
  querystring: Record<string, string>;
  /** Header names in the case the client sent; repeated headers joined with `,`. */
  header: Record<string, string>;
  body: string;
  sourceIp: string;
}

export interface Invocation {
  request: InvocationRequest;
  requestId: string;
  extendedRequestId: string;
  requestTimeEpoch: number;
  resource?: ResourceModel;
  method?: MethodModel;
  pathParams: Record<string, string>;
  /** The API key the caller presented, once the method request accepted it. */
  apiKey?: string;
}

export function newInvocation(request: InvocationRequest): Invocation {
  return {
    request,
    requestId: randomUUID(),
    // The real one is a base64-ish 16-character id, e.g. `Kx3nVH8coAMEb5w=`.
    extendedRequestId: randomBytes(11).toString('base64').slice(0, 15) + '=',
    requestTimeEpoch: Date.now(),
    pathParams: {},
  };
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** CLF time as `$context.requestTime` prints it: `25/Nov/2025:15:36:00 +0000`. */
export function clfTime(epochMs: number): string {
  const d = new Date(epochMs);
  const two = (n: number) => String(n).padStart(2, '0');
  return (
    `${two(d.getUTCDate())}/${MONTHS[d.getUTCMonth()]}/${d.getUTCFullYear()}:` +
    `${two(d.getUTCHours())}:${two(d.getUTCMinutes())}:${two(d.getUTCSeconds())} +0000`
  );
}

export interface StageInfo {
  apiId: string;
  stageName: string;
  domainName: string;
}

/** `$context` as API Gateway fills it for a REST API (AWS-FACTS.md, "Mapping templates"). */
export function contextVariables(inv: Invocation, stage: StageInfo): Record<string, unknown> {
  const headerValue = (name: string) => lookupParam(inv.request.header, name, true) ?? '';
  return {
    accountId: '000000000000',
    apiId: stage.apiId,
    domainName: stage.domainName,
    domainPrefix: stage.domainName.split('.')[0],
    extendedRequestId: inv.extendedRequestId,
    httpMethod: inv.request.httpMethod,
    identity: {
      sourceIp: inv.request.sourceIp,
      userAgent: headerValue('user-agent'),
      apiKey: inv.apiKey ?? '',
      apiKeyId: '',
      accountId: '',
      caller: '',
      user: '',
      userArn: '',
    },
    path: `/${stage.stageName}${inv.request.path}`,
    protocol: 'HTTP/1.1',
    requestId: inv.requestId,
    requestTime: clfTime(inv.requestTimeEpoch),
    requestTimeEpoch: inv.requestTimeEpoch,
    resourceId: inv.resource?.id ?? '',
    resourcePath: inv.resource?.path ?? '',
    stage: stage.stageName,
  };
}
