/**
 * The reliability suite's HTTP client: keep-alive connections (thousands of requests), paths
 * sent byte for byte, the answer's body kept raw.
 */
import http from 'node:http';

export interface Answer {
  status: number;
  /** Lower-cased header names. */
  headers: http.IncomingHttpHeaders;
  body: string;
}

export interface Request {
  method: string;
  /** Sent as is: encode it yourself. */
  path: string;
  headers?: Record<string, string>;
  body?: string;
}

export class StageClient {
  private readonly agent: http.Agent;
  private readonly target: URL;
  /** Requests sent, by method; the suite reports them. */
  readonly sent = new Map<string, number>();

  constructor(stageUrl: string, maxSockets = 32) {
    this.target = new URL(stageUrl);
    this.agent = new http.Agent({ keepAlive: true, maxSockets });
  }

  request(req: Request, timeoutMs = 60_000): Promise<Answer> {
    this.sent.set(req.method, (this.sent.get(req.method) ?? 0) + 1);
    return new Promise((resolve, reject) => {
      const outgoing = http.request(
        {
          host: this.target.hostname,
          port: this.target.port,
          method: req.method,
          path: `${this.target.pathname}${req.path}`,
          headers: {
            ...(req.body !== undefined
              ? { 'Content-Length': String(Buffer.byteLength(req.body)) }
              : {}),
            ...req.headers,
          },
          agent: this.agent,
          timeout: timeoutMs,
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () =>
            resolve({
              status: res.statusCode ?? 0,
              headers: res.headers,
              body: Buffer.concat(chunks).toString('utf8'),
            }),
          );
          res.on('error', reject);
        },
      );
      outgoing.on('timeout', () => outgoing.destroy(new Error(`no answer in ${timeoutMs} ms`)));
      outgoing.on('error', reject);
      outgoing.end(req.body);
    });
  }

  get total(): number {
    return [...this.sent.values()].reduce((a, b) => a + b, 0);
  }

  close(): void {
    this.agent.destroy();
  }
}

/** Internal details an error body must never show. */
export const INTERNAL_DETAIL =
  /config-store|arn:aws|__type|com\.amazon|Exception|\bat .+:\d+|Table|dynalite|leveldb|ECONN|\.ts\b/;
