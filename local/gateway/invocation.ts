/**
 * One request as it moves through the pipeline: what the client sent (parsed the way API
 * Gateway parses it), what routing found, and the `$context` the templates see.
 */
import { randomFillSync, randomUUID } from 'node:crypto';
import { LOCAL_ACCOUNT_ID } from '../../lib/aws-constants';
import type { MethodModel, ResourceModel } from './api-model';
import { lookupParam } from './request-params';

/**
 * Random bytes for the ids every request gets, cut from one buffer refilled when used up (as
 * randomUUID does): three randomBytes calls per request were 4% of the gateway's CPU.
 */
const randomPool = Buffer.alloc(4096);
let randomPoolAt = randomPool.length;

function randomBytes(count: number): Buffer {
  if (randomPoolAt + count > randomPool.length) {
    randomFillSync(randomPool);
    randomPoolAt = 0;
  }
  randomPoolAt += count;
  // A copy: the pool's bytes are overwritten by the next refill.
  return Buffer.from(randomPool.subarray(randomPoolAt - count, randomPoolAt));
}

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
  /**
   * A large body as received, when `body` is decoded from it only if read: such a body usually
   * goes to a render worker as bytes (offload.ts), and decoding it here would be wasted.
   */
  bodyBytes?: Uint8Array;
}

/** The request's body was handed to a render worker and can no longer be read here. */
export class BodyHandedOverError extends Error {
  override readonly name = 'BodyHandedOverError';
}

/** `request` with `body` decoded from `bytes` on first read. */
export function withLazyBody(
  request: Omit<InvocationRequest, 'body' | 'bodyBytes'>,
  bytes: Buffer,
): InvocationRequest {
  let decoded: string | undefined;
  const lazy: InvocationRequest = { ...request, bodyBytes: bytes, body: '' };
  Object.defineProperty(lazy, 'body', {
    enumerable: true,
    get: () => {
      // Transferred to a worker: its buffer is detached (empty) from then on.
      if (decoded === undefined && bytes.buffer.byteLength === 0 && bytes.length === 0) {
        throw new BodyHandedOverError('the request body was handed to a render worker');
      }
      return (decoded ??= Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString(
        'utf8',
      ));
    },
  });
  return lazy;
}

/** The body's size: bytes when only the bytes are at hand, else characters. */
export function bodySize(request: InvocationRequest): number {
  return request.bodyBytes?.length ?? request.body.length;
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
  /** `X-Amzn-Trace-Id` of the answer (AWS integrations): the caller's trace, else a new one. */
  traceId: string;
}

export function newInvocation(request: InvocationRequest): Invocation {
  const requestTimeEpoch = Date.now();
  return {
    request,
    requestId: randomUUID(),
    // The real one is a base64-ish 16-character id, e.g. `Kx3nVH8coAMEb5w=`.
    extendedRequestId: randomBytes(11).toString('base64').slice(0, 15) + '=',
    requestTimeEpoch,
    pathParams: {},
    traceId: traceIdFor(lookupParam(request.header, 'x-amzn-trace-id', true), requestTimeEpoch),
  };
}

/**
 * The X-Ray trace header: the caller's `Root` and `Parent` are kept, a missing part generated
 * (`Root=1-<epoch seconds hex>-<24 hex>`, `Parent=<16 hex>`; `Sampled=1` when the caller gave a
 * parent, else 0). Recorded on AWS: LocalStack snapshot test_apigateway_common.snapshot.json,
 * test_invocation_trace_id (the full incoming trace is echoed; a Root alone gets a new Parent).
 */
function traceIdFor(incoming: string | undefined, epochMs: number): string {
  const parts = new Map<string, string>();
  for (const part of (incoming ?? '').split(';')) {
    const [key, value, extra] = part.trim().split('=');
    if (value !== undefined && extra === undefined && key !== '') {
      parts.set(key[0].toUpperCase() + key.slice(1).toLowerCase(), value);
    }
  }
  const root =
    parts.get('Root') ??
    `1-${Math.floor(epochMs / 1000).toString(16)}-${randomBytes(12).toString('hex')}`;
  const parent = parts.get('Parent');
  const sampled = parts.get('Sampled') ?? (parent ? '1' : '0');
  return `Root=${root};Parent=${parent ?? randomBytes(8).toString('hex')};Sampled=${sampled}`;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** CLF time as `$context.requestTime` prints it: `25/Nov/2025:15:36:00 +0000`. */
function clfTime(epochMs: number): string {
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
  /** The stage has a canary: only the base deployment is served locally. */
  hasCanary: boolean;
}

/** `$context` as API Gateway fills it for a REST API (https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-mapping-template-reference.html). */
export function contextVariables(inv: Invocation, stage: StageInfo): Record<string, unknown> {
  const headerValue = (name: string) => lookupParam(inv.request.header, name, true) ?? '';
  return {
    accountId: LOCAL_ACCOUNT_ID,
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
    // Set on stages with a canary; the local stage always serves the base deployment
    // (test_apigateway_canary.snapshot.json, test_invoking_canary_deployment, "response-deployment-1").
    ...(stage.hasCanary ? { isCanaryRequest: false } : {}),
  };
}
