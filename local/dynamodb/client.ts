/**
 * The raw DynamoDB wire client of the local stage: what the API Gateway emulator's AWS
 * integration uses to send a rendered request template. It passes the body through byte for
 * byte and hands back DynamoDB's status, headers and body untouched (DynamoDB answers its
 * errors with HTTP 400 and an `__type`), so the integration responses see what AWS would.
 */
import http from 'node:http';
import { LOCAL_REGION } from '../../lib/aws-constants';
import { createDynamoDbSigner } from './sigv4';

export const DYNAMODB_TARGET_PREFIX = 'DynamoDB_20120810';
export const DYNAMODB_CONTENT_TYPE = 'application/x-amz-json-1.0';

/** Credentials the local stage signs with (for LOCAL_REGION); neither engine checks the signature. */
export const LOCAL_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' } as const;

/** API Gateway's maximum integration timeout (29 s) is the default. */
export const DEFAULT_TIMEOUT_MS = 29_000;

export interface DynamoDbResponse {
  status: number;
  /** Lower-cased header names; repeated headers joined with `, `. */
  headers: Record<string, string>;
  body: string;
}

export interface CallDynamoDbOptions {
  /** Whole-request deadline in ms, connect included. Default 29000 (API Gateway's maximum). */
  timeoutMs?: number;
  /** The body's SHA-256 (hex) when already known, e.g. computed off the main thread. */
  payloadSha256?: string;
}

export type UnreachableReason = 'refused' | 'timeout' | 'reset' | 'dns' | 'network';

/** DynamoDB could not be reached or did not answer in time; the emulator maps it to a 5xx. */
export class DynamoDbUnreachableError extends Error {
  override readonly name = 'DynamoDbUnreachableError';
  constructor(
    readonly endpoint: string,
    readonly reason: UnreachableReason,
    options?: { cause?: unknown },
  ) {
    super(`DynamoDB at ${endpoint} is unreachable (${reason})`, options);
  }
}

const sign = createDynamoDbSigner({
  ...LOCAL_CREDENTIALS,
  region: LOCAL_REGION,
  service: 'dynamodb',
});

// Keep-alive matters: the emulator sends one request per API call and a fresh TCP connection
// per call would dominate the local latency.
const keepAliveAgent = new http.Agent({ keepAlive: true, maxSockets: 64 });

const UNREACHABLE_CODES: Record<string, UnreachableReason> = {
  ECONNREFUSED: 'refused',
  ECONNRESET: 'reset',
  EPIPE: 'reset',
  ENOTFOUND: 'dns',
  EAI_AGAIN: 'dns',
  EHOSTUNREACH: 'network',
  ENETUNREACH: 'network',
  EADDRNOTAVAIL: 'network',
  ETIMEDOUT: 'timeout',
};

/**
 * POSTs `body` to DynamoDB's low-level JSON API as action `action` (e.g. `Query`), signed with
 * the dummy local credentials. Resolves with the raw answer whatever its status; rejects with
 * `DynamoDbUnreachableError` only when no HTTP answer arrived (refused, reset, timeout).
 */
export async function callDynamoDb(
  endpoint: string,
  action: string,
  body: string | Buffer | object,
  opts: CallDynamoDbOptions = {},
): Promise<DynamoDbResponse> {
  const url = parseEndpoint(endpoint);
  const bytes = Buffer.isBuffer(body)
    ? body
    : Buffer.from(typeof body === 'string' ? body : JSON.stringify(body), 'utf8');
  const signed = sign(
    url.host,
    url.pathname || '/',
    DYNAMODB_CONTENT_TYPE,
    `${DYNAMODB_TARGET_PREFIX}.${action}`,
    bytes,
    Date.now(),
    opts.payloadSha256,
  );
  const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;

  const started = Date.now();
  const attempt = (): Promise<DynamoDbResponse> =>
    new Promise<DynamoDbResponse>((resolve, reject) => {
      let settled = false;
      let answered = false;
      const fail = (err: Error): void => {
        if (settled) return;
        settled = true;
        clearTimeout(deadline);
        const code = (err as NodeJS.ErrnoException).code ?? '';
        // A kept-alive connection the engine had already closed (its idle timeout, a restart)
        // fails before any answer, as Node documents for req.reusedSocket: send the request
        // again on another connection instead of answering 503. Bounded: a fresh connection is
        // not retried. The API's calls are single-item or reads, so a repeat changes nothing.
        if (req.reusedSocket && !answered && (code === 'ECONNRESET' || code === 'EPIPE')) {
          resolve(attempt());
          return;
        }
        reject(
          err instanceof DynamoDbUnreachableError
            ? err
            : new DynamoDbUnreachableError(endpoint, UNREACHABLE_CODES[code] ?? 'network', {
                cause: err,
              }),
        );
      };
      const req = http.request(
        {
          agent: keepAliveAgent,
          method: 'POST',
          hostname: url.hostname,
          port: url.port,
          path: url.pathname || '/',
          headers: { ...signed, 'content-length': String(bytes.length) },
        },
        (res) => {
          answered = true;
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('error', fail);
          res.on('end', () => {
            if (settled) return;
            settled = true;
            clearTimeout(deadline);
            const headers: Record<string, string> = {};
            for (const [name, value] of Object.entries(res.headers)) {
              if (value !== undefined)
                headers[name] = Array.isArray(value) ? value.join(', ') : value;
            }
            resolve({
              status: res.statusCode ?? 0,
              headers,
              body: Buffer.concat(chunks).toString('utf8'),
            });
          });
        },
      );
      // One deadline for the whole exchange: socket timeouts only measure idle time.
      const deadline = setTimeout(
        () => {
          req.destroy(new DynamoDbUnreachableError(endpoint, 'timeout'));
        },
        timeoutMs - (Date.now() - started),
      );
      req.on('error', fail);
      req.end(bytes);
    });
  return attempt();
}

const parsedEndpoints = new Map<string, URL>();

/** The endpoint as a URL, parsed once per endpoint (the gateway calls one for every request). */
function parseEndpoint(endpoint: string): URL {
  let url = parsedEndpoints.get(endpoint);
  if (!url) {
    url = new URL(endpoint);
    if (url.protocol !== 'http:') {
      throw new TypeError(`DynamoDB endpoint must be an http:// URL, got ${endpoint}`);
    }
    if (parsedEndpoints.size > 100) parsedEndpoints.clear();
    parsedEndpoints.set(endpoint, url);
  }
  return url;
}
