/**
 * Bench process: the load generator (autocannon), in its own process so that its CPU is not
 * charged to the server it measures. Also sends the large PUTs of the "large bodies" case.
 */
import http from 'node:http';
import autocannon from 'autocannon';
import { serveParent } from './child';

export interface LoadSpec {
  url: string;
  method?: 'GET' | 'PUT' | 'POST';
  headers?: Record<string, string>;
  body?: string;
  connections: number;
  durationS: number;
  /** Seconds of the same load first, not counted (JIT and connection set-up on every side). */
  warmupS?: number;
}

export interface LoadResult {
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  /** Connection errors, timeouts and answers other than 2xx. */
  errors: number;
  /** Requests that got no answer within autocannon's 10 s timeout (counted in `errors`). */
  timeouts: number;
  /** Answers received. */
  answered: number;
}

async function load(spec: LoadSpec): Promise<LoadResult> {
  const options = {
    url: spec.url,
    method: spec.method ?? 'GET',
    headers: spec.headers,
    body: spec.body,
    connections: spec.connections,
    pipelining: 1,
  };
  if (spec.warmupS) await autocannon({ ...options, duration: spec.warmupS });
  const result = await autocannon({ ...options, duration: spec.durationS });
  return {
    requestsPerSecond: Math.round(result.requests.average),
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    errors: result.errors + result.timeouts + result.non2xx,
    timeouts: result.timeouts,
    answered: result.requests.total,
  };
}

export interface BigPutSpec {
  /** The small GETs measured meanwhile. */
  get: LoadSpec;
  putUrl: string;
  putHeaders: Record<string, string>;
  putBytes: number;
  inFlight: number;
}

/**
 * A JSON object of `bytes` bytes (within a few hundred) that the write template must walk
 * value by value: a list of small objects of mixed types, the expensive shape for a converter.
 */
function bigBody(bytes: number): string {
  const element = (i: number) =>
    JSON.stringify({ name: `element-${i}`, n: i, on: i % 2 === 0, tags: ['a', 'b'], v: null });
  const parts: string[] = [];
  let size = '{"elements":[]}'.length;
  for (let i = 0; size < bytes - 200; i++) {
    const text = element(i);
    parts.push(text);
    size += text.length + 1;
  }
  return `{"elements":[${parts.join(',')}]}`;
}

function put(
  url: URL,
  headers: Record<string, string>,
  body: Buffer,
  inFlight: Set<http.ClientRequest>,
): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      url,
      { method: 'PUT', headers: { ...headers, 'content-length': String(body.length) } },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    inFlight.add(req);
    req.on('close', () => inFlight.delete(req));
    req.on('error', reject);
    req.end(body);
  });
}

async function whileBigPuts(spec: BigPutSpec) {
  const body = Buffer.from(bigBody(spec.putBytes));
  const url = new URL(spec.putUrl);
  const statuses = new Map<number, number>();
  const putMs: number[] = [];
  let running = true;
  const inFlight = new Set<http.ClientRequest>();
  const putLoop = async () => {
    while (running) {
      const started = performance.now();
      const status = await put(url, spec.putHeaders, body, inFlight).catch(() => undefined);
      // A PUT cut short when the GETs were done is not counted.
      if (status === undefined) continue;
      putMs.push(performance.now() - started);
      statuses.set(status, (statuses.get(status) ?? 0) + 1);
    }
  };
  const loops = Array.from({ length: spec.inFlight }, putLoop);
  // Let the first PUTs reach the server before the GETs start.
  await new Promise((resolve) => setTimeout(resolve, 200));
  const gets = await load(spec.get);
  running = false;
  // The GETs are measured: PUTs still in flight are abandoned (their clients disconnect).
  for (const req of inFlight) req.destroy();
  await Promise.all(loops);
  return {
    gets,
    putBytes: body.length,
    puts: putMs.length,
    putStatuses: Object.fromEntries(statuses),
    putMaxMs: putMs.length === 0 ? undefined : Math.round(Math.max(...putMs)),
  };
}

serveParent(
  {},
  {
    load: (args) => load(args as LoadSpec),
    whileBigPuts: (args) => whileBigPuts(args as BigPutSpec),
  },
);
