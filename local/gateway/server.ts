/**
 * The HTTP front of the local stage: serves `http://127.0.0.1:<port>/<stage>/...` through the
 * gateway pipeline and writes one access-log line per request.
 */
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { GatewayError, gatewayErrors } from './gateway-errors';
import { renderGatewayResponse } from './gateway-response';
import { withLazyBody, type InvocationRequest } from './invocation';
import { OFFLOAD_MIN_CHARS } from './offload';
import type { Gateway } from './pipeline';
import type { HttpAnswer } from './stage-types';

/**
 * API Gateway's limit on all request header values together (REST API quotas, "Total combined
 * size of all header values": 10240 bytes,
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/limits.html). AWS does not
 * document the status; the local stage answers as for headers Node cannot hold (431).
 */
const MAX_HEADER_VALUE_BYTES = 10_240;

function headerValueBytes(req: http.IncomingMessage): number {
  let total = 0;
  for (let i = 1; i < req.rawHeaders.length; i += 2) total += Buffer.byteLength(req.rawHeaders[i]);
  return total;
}

/** API Gateway's payload limit (10 MB). */
const MAX_BODY_BYTES = 10 * 1024 * 1024;

export interface ServeOptions {
  port: number;
  host?: string;
  /** One line per request; default: stdout. Pass `() => {}` to silence. */
  accessLog?: (line: string) => void;
}

export interface RunningServer {
  url: string;
  port: number;
  /**
   * Serves `next` from the next request on (reload on change): the port, open connections and
   * requests in flight stay; those in flight finish on the gateway they started with. The
   * stage name must not change (the URL would): `startLocalStage` checks that first.
   */
  setGateway(next: Gateway): void;
  close(): Promise<void>;
}

export async function serveGateway(initial: Gateway, opts: ServeOptions): Promise<RunningServer> {
  const log = opts.accessLog ?? ((line: string) => console.log(line));
  let current = initial;
  const stagePrefix = `/${initial.api.stageName}`;
  // Answers still being produced, per connection: a parse error later on the same connection
  // (pipelined garbage, a body sent without framing) must not overtake them.
  const inFlight = new WeakMap<Socket, Set<Promise<void>>>();
  const server = http.createServer((req, res) => {
    const gateway = current;
    const started = process.hrtime.bigint();
    const pending = inFlight.get(req.socket) ?? new Set<Promise<void>>();
    inFlight.set(req.socket, pending);
    const done = new Promise<void>((resolve) => res.once('close', resolve));
    pending.add(done);
    void done.then(() => pending.delete(done));
    const [rawPath, rawQuery = ''] = (req.url ?? '/').split(/\?(.*)/s, 2);
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) tooLarge = true;
      else chunks.push(chunk);
    });
    req.on('end', () => {
      // A client that leaves before its answer: work on a large body for it can be dropped.
      let departed: AbortController | undefined;
      if (size >= OFFLOAD_MIN_CHARS) {
        const controller = (departed = new AbortController());
        res.once('close', () => {
          if (!res.writableFinished) controller.abort();
        });
      }
      void (async () => {
        let answer: HttpAnswer & { note?: string };
        if (rawPath !== stagePrefix && !rawPath.startsWith(`${stagePrefix}/`)) {
          // Another stage (or none): API Gateway's answer for an unknown stage. It is not one
          // of the API's gateway responses (no API is found), so the note names no type.
          const asked = rawPath.split('/')[1];
          answer = {
            status: 403,
            headers: { 'content-type': 'application/json' },
            body: '{"message":"Forbidden"}',
            note: `${asked ? `no stage "${decodeURIComponentSafe(asked)}"` : 'no stage in the path'} (this is "${gateway.api.stageName}")`,
          };
        } else if (tooLarge) {
          const error = gatewayErrors.requestTooLarge(`body over ${MAX_BODY_BYTES} bytes`);
          answer = {
            ...renderGatewayResponse(gateway.api.gatewayResponses, {
              error,
              context: { stage: gateway.api.stageName },
              params: { path: {}, querystring: {}, header: {} },
              stageVariables: gateway.api.stageVariables,
            }),
            note: `${error.type}: ${error.reason}`,
          };
        } else if (headerValueBytes(req) > MAX_HEADER_VALUE_BYTES) {
          answer = {
            ...renderGatewayResponse(gateway.api.gatewayResponses, {
              error: new GatewayError('DEFAULT_4XX', 'Request Header Fields Too Large'),
              context: { stage: gateway.api.stageName },
              params: { path: {}, querystring: {}, header: {} },
              stageVariables: gateway.api.stageVariables,
            }),
            status: 431,
            note: `DEFAULT_4XX: header values total over ${MAX_HEADER_VALUE_BYTES} bytes`,
          };
        } else {
          answer = await gateway.handle(
            toInvocationRequest(req, rawPath.slice(stagePrefix.length) || '/', rawQuery, chunks),
            departed?.signal,
          );
        }
        // API Gateway frames every answer with Content-Length, never chunked (LocalStack
        // snapshots recorded on AWS, e.g. test_apigateway_integrations.snapshot.json,
        // test_apigateway_header_remapping_aws[AWS]: "Content-Length": "59").
        const noBody = answer.status === 204 || answer.status === 304;
        const payload = noBody ? undefined : Buffer.from(answer.body, 'utf8');
        const headers = Object.fromEntries(
          Object.entries(answer.headers).filter(
            ([name]) => !/^(content-length|transfer-encoding)$/i.test(name),
          ),
        );
        if (payload) headers['content-length'] = String(payload.length);
        res.writeHead(answer.status, headers);
        res.end(payload);
        const ms = Number(process.hrtime.bigint() - started) / 1e6;
        const note = answer.status < 200 || answer.status > 299 ? accessLogNote(answer) : '';
        log(
          `${req.method} ${rawPath}${rawQuery ? `?${rawQuery}` : ''} ${answer.status} ${ms.toFixed(1)} ms${note}`,
        );
      })().catch((err: unknown) => {
        console.error('local gateway: failed to answer', err);
        if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' });
        res.end('{"message":"Internal server error"}');
      });
    });
  });
  // Requests Node cannot parse (a request line or headers over its 16 KB limit, well above
  // API Gateway's 10 KB for all header values; malformed HTTP) would get an empty response:
  // they get the stage's DEFAULT_4XX gateway response instead, JSON and CORS like any error.
  //
  // When the bytes that fail to parse follow a request on the same connection (pipelining; a
  // DELETE whose body was sent without Content-Length, so the body reads as a next request),
  // that request is answered first and the error after it, so that a client never reads "400"
  // for a write that was carried out. (Node's own fallback, without a clientError listener,
  // only avoids corrupting a response already being written: it answers 400 and closes the
  // connection before a response that has not started, losing it.)
  server.on('clientError', (err: NodeJS.ErrnoException, socket: Socket) => {
    const pending = inFlight.get(socket);
    if (pending && pending.size > 0) {
      void Promise.all([...pending]).then(() => answerUnparsable(err, socket));
      return;
    }
    answerUnparsable(err, socket);
  });
  const answerUnparsable = (err: NodeJS.ErrnoException, socket: Socket): void => {
    if (!socket.writable) return void socket.destroy();
    const tooLarge = err.code === 'HPE_HEADER_OVERFLOW';
    const gateway = current;
    const answer = renderGatewayResponse(gateway.api.gatewayResponses, {
      error: new GatewayError(
        'DEFAULT_4XX',
        tooLarge ? 'Request Header Fields Too Large' : 'Bad Request',
      ),
      context: { stage: gateway.api.stageName },
      params: { path: {}, querystring: {}, header: {} },
      stageVariables: gateway.api.stageVariables,
    });
    const status = tooLarge ? 431 : 400;
    const headers = Object.entries({
      ...answer.headers,
      'content-length': String(Buffer.byteLength(answer.body)),
      connection: 'close',
    })
      .map(([name, value]) => `${name}: ${value}\r\n`)
      .join('');
    socket.end(`HTTP/1.1 ${status} ${http.STATUS_CODES[status]}\r\n${headers}\r\n${answer.body}`);
    log(`- (unparsable request) ${status} DEFAULT_4XX: ${err.code ?? err.message}`);
  };
  // Node keeps only the first 2000 headers by default and drops the rest silently: a header
  // the client sent (If-None-Match after 2000 others) would vanish. Every header is kept; the
  // 16 KB header limit above still bounds how many there can be.
  server.maxHeadersCount = 0;
  // Benchmarks and browsers keep connections open; a clean stop must not wait for them.
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  let closing: Promise<void> | undefined;
  return {
    url: `http://127.0.0.1:${port}${stagePrefix}`,
    port,
    setGateway(next) {
      if (next.api.stageName !== initial.api.stageName) {
        throw new Error(
          `the stage changed from ${initial.api.stageName} to ${next.api.stageName}: restart to serve it`,
        );
      }
      current = next;
    },
    close: () =>
      (closing ??= new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      })),
  };
}

/** ` INVALID_API_KEY: no x-api-key header`: why an answer is not a 2xx, for the access log. */
function accessLogNote(answer: { note?: string }): string {
  return answer.note ? ` ${answer.note.replace(/\s+/g, ' ')}` : '';
}

function decodeURIComponentSafe(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

function toInvocationRequest(
  req: http.IncomingMessage,
  path: string,
  rawQuery: string,
  chunks: Buffer[],
): InvocationRequest {
  // Null-prototype maps: a header named `toString` or `__proto__` is a name like any other.
  const header: Record<string, string> = Object.create(null);
  for (let i = 0; i < req.rawHeaders.length; i += 2) {
    const name = req.rawHeaders[i];
    const value = req.rawHeaders[i + 1];
    header[name] = Object.hasOwn(header, name) ? `${header[name]},${value}` : value;
  }
  const querystring: Record<string, string> = Object.create(null);
  // Form decoding (`+` is a space), last value wins: as API Gateway (LocalStack snapshot
  // test_apigateway_lambda.snapshot.json, "invocation-payload-with-params-encoding").
  for (const [name, value] of new URLSearchParams(rawQuery)) querystring[name] = value;
  const request = {
    httpMethod: (req.method ?? 'GET').toUpperCase(),
    path,
    querystring,
    header,
    sourceIp: req.socket.remoteAddress?.replace(/^::ffff:/, '') ?? '127.0.0.1',
  };
  const bytes = Buffer.concat(chunks);
  // A large body is decoded only where it is read (usually a render worker, see offload.ts).
  return bytes.length >= OFFLOAD_MIN_CHARS
    ? withLazyBody(request, bytes)
    : { ...request, body: bytes.toString('utf8') };
}
