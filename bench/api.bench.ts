/**
 * Requests/s and latency through the local API next to direct low-level DynamoDB calls against
 * the same embedded engine in the same run (SPEC.md, "Performance and limits"). Loopback only,
 * bounded: each measurement runs `DURATION_S` seconds with `CONNECTIONS` connections.
 * Run alone: `TS_NODE_TRANSPILE_ONLY=1 npx ts-node bench/api.bench.ts`.
 */
import autocannon from 'autocannon';
import { callDynamoDb } from '../local/dynamodb/client';
import { startLocalStage } from '../local/start';

const DURATION_S = Number(process.env.BENCH_DURATION_S ?? 5);
const CONNECTIONS = 10;

export interface BenchRow {
  name: string;
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  /** Requests/s through the API divided by requests/s of the direct call it wraps. */
  ratioToDirect?: number;
  errors: number;
  /**
   * Resident memory of this process (the local stage: emulator, dynalite and the load
   * generator all run in it) right after the run, in MB.
   */
  rssMb?: number;
}

async function throughApi(name: string, url: string): Promise<BenchRow> {
  const result = await autocannon({ url, connections: CONNECTIONS, duration: DURATION_S });
  return {
    name,
    requestsPerSecond: Math.round(result.requests.average),
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    errors: result.errors + result.non2xx,
  };
}

/** The same call the integration makes, from `CONNECTIONS` concurrent loops for DURATION_S. */
async function direct(
  name: string,
  endpoint: string,
  action: string,
  body: object,
): Promise<BenchRow> {
  const latencies: number[] = [];
  let errors = 0;
  const deadline = Date.now() + DURATION_S * 1000;
  const worker = async () => {
    while (Date.now() < deadline) {
      const started = process.hrtime.bigint();
      const res = await callDynamoDb(endpoint, action, body);
      latencies.push(Number(process.hrtime.bigint() - started) / 1e6);
      if (res.status !== 200) errors++;
    }
  };
  await Promise.all(Array.from({ length: CONNECTIONS }, worker));
  latencies.sort((a, b) => a - b);
  const at = (q: number) =>
    Number(latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))].toFixed(2));
  return {
    name,
    requestsPerSecond: Math.round(latencies.length / DURATION_S),
    p50Ms: at(0.5),
    p99Ms: at(0.99),
    errors,
  };
}

export default async function bench(): Promise<BenchRow[]> {
  // Throttling off: this measures the emulator, not the stage's 50 requests/s limit.
  const stage = await startLocalStage({
    port: 0,
    inMemory: true,
    throttling: false,
    log: () => undefined,
  });
  try {
    const table = stage.tables[0];
    const query = {
      TableName: table,
      KeyConditionExpression: 'id = :id',
      ExpressionAttributeValues: { ':id': { S: 'payments-service' } },
      Limit: 26,
    };
    const getItem = {
      TableName: table,
      Key: { id: { S: 'payments-service' }, range: { S: 'config' } },
    };
    const directQuery = await direct(
      'direct Query (callDynamoDb)',
      stage.dynamoEndpoint,
      'Query',
      query,
    );
    const apiQuery = await throughApi('GET /{id} (local API)', `${stage.url}/payments-service`);
    const directGet = await direct(
      'direct GetItem (callDynamoDb)',
      stage.dynamoEndpoint,
      'GetItem',
      getItem,
    );
    const apiGet = await throughApi(
      'GET /{id}/{range} (local API)',
      `${stage.url}/payments-service/config`,
    );
    apiQuery.ratioToDirect = Number(
      (apiQuery.requestsPerSecond / directQuery.requestsPerSecond).toFixed(2),
    );
    apiGet.ratioToDirect = Number(
      (apiGet.requestsPerSecond / directGet.requestsPerSecond).toFixed(2),
    );
    const rows = [directQuery, apiQuery, directGet, apiGet];
    rows[rows.length - 1].rssMb = Math.round(process.memoryUsage().rss / 2 ** 20);
    return rows;
  } finally {
    await stage.stop();
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
