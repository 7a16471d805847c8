/**
 * Requests/s and latency through the local API next to the direct DynamoDB calls it wraps, on
 * the same engine, in one run (docs/benchmarks.md). Every server runs in its own
 * process: the engine (dynalite), the local stage, a bare Node proxy (the ceiling: forwards the
 * same Query, answers DynamoDB's bytes) and a lean hand-written handler (Query + conversion to
 * plain JSON); the load generator (autocannon) runs in another. Same concurrency everywhere,
 * keep-alive on both sides, throttling and access log off.
 *
 *   npm run bench -- api    (BENCH_ROUNDS=3 rounds of BENCH_DURATION_S=3 s per case)
 *   BENCH_PROFILE=local-stage npm run bench -- api   (CPU profile in .local-data/profiles/)
 */
import { toTypedItem } from '../lib/items';
import { callDynamoDb } from '../local/dynamodb/client';
import { dynamoHeaders } from './processes/dynamo-wire';
import type { BigPutSpec, LoadResult, LoadSpec } from './processes/load-generator';
import { startProcess, type BenchProcess } from './processes/spawn';

const DURATION_S = Number(process.env.BENCH_DURATION_S ?? 3);
/**
 * Every case runs once per round, rounds interleave the cases, and each case reports its best
 * round: on a shared machine, other load only ever slows a measurement down.
 */
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const WARMUP_S = 1;
const CONNECTIONS = 16;
const PAGE_ID = 'bench-page';
const PAGE_SIZE = 25;
const PUT_ID = 'bench-put';
const BIG_PUT_BYTES = 10_000_000;
const BIG_PUTS_IN_FLIGHT = 4;
const LARGE_CASE_S = Math.max(DURATION_S, 8);

export interface BenchRow {
  case: string;
  'req/s'?: number;
  'p50 ms'?: number;
  'p99 ms'?: number;
  /** Requests/s of this case divided by requests/s of `vs`, from the same run. */
  ratio?: number;
  vs?: string;
  /**
   * CPU time per answered request of the process the load hits (the engine itself for direct
   * calls) and of the engine behind it: unlike req/s, barely moved by other load on the machine.
   */
  'server CPU µs/req'?: number;
  'engine CPU µs/req'?: number;
  errors?: number;
}

/** ~10 attributes of mixed types, as a config item holds them (DynamoDB JSON). */
function typedItem(range: string, i: number): Record<string, unknown> {
  return {
    id: { S: PAGE_ID },
    range: { S: range },
    name: { S: `Service ${i} "primary" — eu-west-1` },
    version: { N: String(1000 + i) },
    ratio: { N: '0.125' },
    enabled: { BOOL: i % 2 === 0 },
    retired: { NULL: true },
    owner: { M: { team: { S: 'payments' }, oncall: { S: `person-${i}@example.com` } } },
    limits: { L: [{ N: '10' }, { N: '250' }, { S: 'burst' }, { BOOL: false }] },
    regions: { SS: ['eu-west-1', 'us-east-1', 'ap-south-1'] },
    ports: { NS: ['443', '8080'] },
    description: { S: 'Line one.\nLine two with a tab\tand unicode: ünïcødé.' },
  };
}

/** The PUT body (plain JSON) and the PutItem its template renders, the same ~10 attributes. */
const PUT_BODY = {
  name: 'Service "primary"',
  version: 1042,
  ratio: 0.125,
  enabled: true,
  retired: null,
  owner: { team: 'payments', oncall: 'person@example.com' },
  limits: [10, 250, 'burst', false],
  regions: ['eu-west-1', 'us-east-1'],
  description: 'Line one.\nLine two.',
};

async function seed(endpoint: string, table: string): Promise<void> {
  for (let i = 0; i < PAGE_SIZE; i++) {
    const res = await callDynamoDb(endpoint, 'PutItem', {
      TableName: table,
      Item: typedItem(`item-${String(i).padStart(2, '0')}`, i),
    });
    if (res.status !== 200) throw new Error(`seeding failed: ${res.body}`);
  }
}

interface Measured extends LoadResult {
  serverCpuMicros?: number;
  engineCpuMicros?: number;
}

function row(name: string, result: Measured): BenchRow {
  const perRequest = (micros: number | undefined) =>
    micros === undefined ? undefined : Math.round(micros / Math.max(1, result.answered));
  return {
    case: name,
    'req/s': result.requestsPerSecond,
    'p50 ms': result.p50Ms,
    'p99 ms': result.p99Ms,
    'server CPU µs/req': perRequest(result.serverCpuMicros),
    'engine CPU µs/req': perRequest(result.engineCpuMicros),
    errors: result.errors,
  };
}

function ratio(target: BenchRow, base: BenchRow): void {
  target.ratio = Number(((target['req/s'] ?? 0) / (base['req/s'] ?? 1)).toFixed(2));
  target.vs = base.case;
}

export default async function bench(): Promise<BenchRow[]> {
  const processes: BenchProcess<unknown>[] = [];
  const start = async <T>(name: string, args?: unknown) => {
    const started = await startProcess<T>(name, args);
    processes.push(started as BenchProcess<unknown>);
    return started;
  };
  try {
    const engine = await start<{ endpoint: string }>('engine');
    const dynamoEndpoint = engine.ready.endpoint;
    const stage = await start<{ url: string; apiKey: string; table: string }>('local-stage', {
      dynamoEndpoint,
    });
    const { table, apiKey } = stage.ready;
    await seed(dynamoEndpoint, table);
    // What GET /{id} renders for the page: one item more than the page tells whether more remain.
    const query = {
      TableName: table,
      KeyConditionExpression: 'id = :id',
      ExpressionAttributeValues: { ':id': { S: PAGE_ID } },
      Limit: PAGE_SIZE + 1,
    };
    const getItem = { TableName: table, Key: { id: { S: PAGE_ID }, range: { S: 'item-00' } } };
    const putItem = {
      TableName: table,
      Item: {
        id: { S: PUT_ID },
        range: { S: 'item' },
        ...toTypedItem(PUT_BODY),
      },
      ReturnValues: 'ALL_OLD',
    };
    const proxy = await start<{ url: string }>('bare-proxy', { dynamoEndpoint, query });
    const lean = await start<{ url: string }>('lean-handler', { dynamoEndpoint, table });
    const loader = await start<Record<string, never>>('load-generator');

    const direct = (action: string, body: object) => ({
      url: dynamoEndpoint,
      method: 'POST' as const,
      headers: dynamoHeaders(action),
      body: JSON.stringify(body),
    });
    const putHeaders = { 'content-type': 'application/json', 'x-api-key': apiKey };
    type Spec = Omit<LoadSpec, 'connections' | 'durationS'>;
    const cases: [string, BenchProcess<unknown>, Spec][] = [
      ['direct Query (25 items)', engine, direct('Query', query)],
      ['bare Node proxy (same Query)', proxy, { url: proxy.ready.url }],
      ['lean Node handler (Query + to JSON)', lean, { url: `${lean.ready.url}/${PAGE_ID}` }],
      ['GET /{id} (local API, 25 items)', stage, { url: `${stage.ready.url}/${PAGE_ID}` }],
      ['direct GetItem', engine, direct('GetItem', getItem)],
      ['GET /{id}/{range} (local API)', stage, { url: `${stage.ready.url}/${PAGE_ID}/item-00` }],
      ['direct PutItem', engine, direct('PutItem', putItem)],
      [
        'PUT /{id}/{range} (local API)',
        stage,
        {
          url: `${stage.ready.url}/${PUT_ID}/item`,
          method: 'PUT',
          headers: putHeaders,
          body: JSON.stringify(PUT_BODY),
        },
      ],
    ];
    const best = new Map<string, Measured>();
    const run = (spec: Spec, durationS: number) =>
      loader.call<LoadResult>('load', {
        connections: CONNECTIONS,
        durationS,
        ...spec,
      } satisfies LoadSpec);
    for (let round = 0; round < ROUNDS; round++) {
      for (const [name, server, spec] of cases) {
        // Warm-up (JIT, connections on every side), not counted.
        if (round === 0) await run(spec, WARMUP_S);
        const [serverBefore, engineBefore] = [await server.cpuMicros(), await engine.cpuMicros()];
        const result: Measured = await run(spec, DURATION_S);
        result.serverCpuMicros = (await server.cpuMicros()) - serverBefore;
        if (server !== engine) result.engineCpuMicros = (await engine.cpuMicros()) - engineBefore;
        const previous = best.get(name);
        if (!previous || result.requestsPerSecond > previous.requestsPerSecond) {
          best.set(name, result);
        }
      }
    }
    const [directQuery, bareProxy, leanHandler, apiPage, directGet, apiGet, directPut, apiPut] =
      cases.map(([name]) => row(name, best.get(name) as Measured));
    ratio(bareProxy, directQuery);
    ratio(leanHandler, directQuery);
    ratio(apiPage, directQuery);
    const apiPageVsLean = { ...apiPage };
    ratio(apiPageVsLean, leanHandler);
    ratio(apiGet, directGet);
    ratio(apiPut, directPut);

    const rows = [
      directQuery,
      bareProxy,
      leanHandler,
      apiPage,
      apiPageVsLean,
      directGet,
      apiGet,
      directPut,
      apiPut,
    ];
    // BENCH_LARGE=0 skips the large-body case (e.g. to profile the small requests alone).
    if (process.env.BENCH_LARGE !== '0') {
      // The same GETs alone first: what the large PUTs add to them.
      const alone = await loader.call<LoadResult>('load', {
        url: `${stage.ready.url}/${PAGE_ID}/item-00`,
        connections: 4,
        durationS: LARGE_CASE_S,
      } satisfies LoadSpec);
      rows.push(row('GET /{id}/{range}, 4 connections, alone', alone));
      await stage.call('delayStart');
      const big = await loader.call<{
        gets: LoadResult;
        putBytes: number;
        puts: number;
        putStatuses: Record<string, number>;
        putMaxMs?: number;
      }>('whileBigPuts', {
        get: {
          url: `${stage.ready.url}/${PAGE_ID}/item-00`,
          connections: 4,
          durationS: LARGE_CASE_S,
        },
        putUrl: `${stage.ready.url}/${PUT_ID}/big`,
        putHeaders,
        putBytes: BIG_PUT_BYTES,
        inFlight: BIG_PUTS_IN_FLIGHT,
      } satisfies BigPutSpec);
      const delay = await stage.call<{ p99Ms: number; maxMs: number }>('delayStop');
      rows.push(
        row(
          `GET /{id}/{range} while ${BIG_PUTS_IN_FLIGHT} PUTs of ${(big.putBytes / 1e6).toFixed(0)} MB are in flight ` +
            `(${big.puts} PUTs answered ${JSON.stringify(big.putStatuses)}` +
            `${big.putMaxMs === undefined ? '' : `, slowest ${big.putMaxMs} ms`}; ` +
            `${big.gets.answered} GETs answered, ${big.gets.timeouts} timed out; ` +
            `the stage's event loop delay p99 ${delay.p99Ms} ms, max ${delay.maxMs} ms)`,
          big.gets,
        ),
      );
    }
    const rssAfterLoad = await stage.rssMb();
    // Render workers end after 5 idle seconds (local/gateway/offload.ts).
    await new Promise((resolve) => setTimeout(resolve, 6_000));
    rows.push({
      case:
        `RSS of the local stage after the load: ${rssAfterLoad} MB, ` +
        `${await stage.rssMb()} MB after 6 s idle`,
    });
    return rows;
  } finally {
    // The local stage first (its profile, if any, is written on exit), the engine last.
    for (const child of processes.reverse()) await child.stop();
  }
}

if (require.main === module) {
  bench().then(
    (rows) => console.table(rows),
    (err: unknown) => {
      console.error(err);
      process.exit(1);
    },
  );
}
