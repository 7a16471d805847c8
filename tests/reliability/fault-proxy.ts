/**
 * A fault-injecting HTTP proxy between the local stage and its DynamoDB engine: it forwards
 * the integration's requests to the real engine, or answers in its place the way a failing
 * DynamoDB (or a network between) would.
 */
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export type Fault =
  /** Forward and answer faithfully. */
  | 'none'
  /** Close the connection without answering (new and kept-alive connections alike). */
  | 'connection-reset'
  /** Forward, then never answer: past the integration timeout. The write may happen. */
  | 'hang-after-forward'
  /** DynamoDB throttling, not forwarded. */
  | 'throttling'
  | 'provisioned-throughput-exceeded'
  /** DynamoDB's own 5XX, not forwarded. */
  | 'internal-server-error-500'
  | 'service-unavailable-503'
  /** Forward, then answer 500 instead of DynamoDB's answer. The write happens. */
  | 'forward-then-500'
  /** 200 answers that are not DynamoDB's JSON, not forwarded. */
  | 'garbage-200-text'
  | 'garbage-200-html'
  | 'garbage-200-truncated-json'
  /** Forward, then cut the answer after half its body. The write happens. */
  | 'forward-then-truncate';

/** Faults under which the engine may have carried the request out. */
export const FORWARDING_FAULTS: ReadonlySet<Fault> = new Set<Fault>([
  'none',
  'hang-after-forward',
  'forward-then-500',
  'forward-then-truncate',
]);

const AMZ_JSON = 'application/x-amz-json-1.0';

function dynamoError(type: string): string {
  return JSON.stringify({ __type: type, message: 'Rate exceeded for table config-store-local' });
}

export class FaultProxy {
  fault: Fault = 'none';
  /** Requests that reached the proxy, by fault. */
  readonly seen = new Map<Fault, number>();
  private server?: http.Server;
  private readonly sockets = new Set<Socket>();

  constructor(public target: string) {}

  async start(): Promise<string> {
    this.server = http.createServer((req, res) => this.handle(req, res));
    this.server.on('connection', (socket: Socket) => {
      if (this.fault === 'connection-reset') {
        this.count();
        socket.destroy();
        return;
      }
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** Drops every open connection (the stage's keep-alive sockets too) and hung answers. */
  dropConnections(): void {
    for (const socket of this.sockets) socket.destroy();
  }

  async stop(): Promise<void> {
    this.dropConnections();
    await new Promise((resolve) => this.server?.close(resolve));
  }

  private count(): void {
    this.seen.set(this.fault, (this.seen.get(this.fault) ?? 0) + 1);
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    const fault = this.fault;
    this.count();
    if (fault === 'connection-reset') {
      req.socket.destroy();
      return;
    }
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const answer = (status: number, contentType: string, text: string): void => {
        res.writeHead(status, { 'content-type': contentType });
        res.end(text);
      };
      switch (fault) {
        case 'throttling':
          return answer(
            400,
            AMZ_JSON,
            dynamoError('com.amazon.coral.availability#ThrottlingException'),
          );
        case 'provisioned-throughput-exceeded':
          return answer(
            400,
            AMZ_JSON,
            dynamoError('com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException'),
          );
        case 'internal-server-error-500':
          return answer(
            500,
            AMZ_JSON,
            dynamoError('com.amazonaws.dynamodb.v20120810#InternalServerError'),
          );
        case 'service-unavailable-503':
          return answer(
            503,
            AMZ_JSON,
            dynamoError('com.amazon.coral.availability#ServiceUnavailableException'),
          );
        case 'garbage-200-text':
          return answer(200, 'text/plain', 'OK, stored it, probably');
        case 'garbage-200-html':
          return answer(200, 'text/html', '<html><body>Welcome to nginx!</body></html>');
        case 'garbage-200-truncated-json':
          return answer(200, AMZ_JSON, '{"Attributes":{"id":{"S":"x"},"range":{"S"');
        default:
          return this.forward(req, body, res, fault);
      }
    });
  }

  private forward(
    req: http.IncomingMessage,
    body: Buffer,
    res: http.ServerResponse,
    fault: Fault,
  ): void {
    const target = new URL(this.target);
    const upstream = http.request(
      {
        host: target.hostname,
        port: target.port,
        method: req.method,
        path: req.url,
        headers: req.headers,
        // A new connection per request: a kept-alive one that the engine closes while idle
        // would reset, and the proxy would pass that on as a fault it was not asked for.
        agent: false,
      },
      (up) => {
        const chunks: Buffer[] = [];
        up.on('data', (c: Buffer) => chunks.push(c));
        up.on('end', () => {
          const text = Buffer.concat(chunks);
          if (fault === 'hang-after-forward') return; // carried out, never answered
          if (fault === 'forward-then-500') {
            res.writeHead(500, { 'content-type': AMZ_JSON });
            res.end(dynamoError('com.amazonaws.dynamodb.v20120810#InternalServerError'));
            return;
          }
          const headers = { ...up.headers };
          if (fault === 'forward-then-truncate') {
            res.writeHead(up.statusCode ?? 502, headers);
            res.write(text.subarray(0, Math.floor(text.length / 2)));
            res.socket?.destroy();
            return;
          }
          res.writeHead(up.statusCode ?? 502, headers);
          res.end(text);
        });
        up.on('error', () => res.socket?.destroy());
      },
    );
    // The engine is down (stopped): close the stage's connection like an unreachable host.
    upstream.on('error', () => res.socket?.destroy());
    upstream.end(body);
  }
}
