/**
 * Compares the two embedded DynamoDB engines on the evidence docs/dynamodb-engines.md records:
 * start time, load time, Query throughput through the raw client, RSS, the errors each returns
 * for the same bad requests, and how each normalises numbers.
 *
 *   TS_NODE_TRANSPILE_ONLY=1 npx ts-node bench/dynamodb.bench.ts
 *
 * The load generator runs in its own process (bench/processes/). Bounded well under a minute
 * (dynamodb-local is measured only where `java` runs).
 */
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { callDynamoDb } from '../local/dynamodb/client';
import {
  isJavaAvailable,
  startDynamoDb,
  type DynamoDbEngineName,
  type RunningDynamoDb,
} from '../local/dynamodb/engine';
import { loadDataDir } from '../local/dynamodb/load-items';
import { createTablesFromTemplate } from '../local/dynamodb/tables';
import { dynamoHeaders } from './processes/dynamo-wire';
import type { LoadResult, LoadSpec } from './processes/load-generator';
import { startProcess } from './processes/spawn';

export interface BenchRow {
  engine: DynamoDbEngineName;
  section: 'performance' | 'errors' | 'numbers';
  case: string;
  /** A measurement, or what the engine answered. */
  result: string;
  /** For errors: the `__type` suffix AWS answers (DynamoDB's documented error types). */
  aws?: string;
}

const TABLE = 'config-bench';
const DATA_DIR = path.join(__dirname, '..', 'data');
const THROUGHPUT_S = 3;
/** As in api.bench.ts. */
const CONNECTIONS = 16;

const TEMPLATE = {
  Resources: {
    ConfigTable: {
      Type: 'AWS::DynamoDB::Table',
      Properties: {
        TableName: TABLE,
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [
          { AttributeName: 'id', AttributeType: 'S' },
          { AttributeName: 'range', AttributeType: 'S' },
        ],
        KeySchema: [
          { AttributeName: 'id', KeyType: 'HASH' },
          { AttributeName: 'range', KeyType: 'RANGE' },
        ],
      },
    },
  },
};

const key = (id: string, range: string) => ({ id: { S: id }, range: { S: range } });

/** The same bad requests for both engines, with what AWS answers. */
const ERROR_CASES: { name: string; action: string; body: object; aws: string }[] = [
  {
    name: 'Query Limit 0',
    action: 'Query',
    body: {
      TableName: TABLE,
      KeyConditionExpression: 'id = :id',
      ExpressionAttributeValues: { ':id': { S: 'feature-flags' } },
      Limit: 0,
    },
    aws: 'ValidationException',
  },
  {
    name: 'Query ExclusiveStartKey missing the range key',
    action: 'Query',
    body: {
      TableName: TABLE,
      KeyConditionExpression: 'id = :id',
      ExpressionAttributeValues: { ':id': { S: 'feature-flags' } },
      ExclusiveStartKey: { id: { S: 'feature-flags' } },
    },
    aws: 'ValidationException',
  },
  {
    name: 'Query ExclusiveStartKey of another hash key',
    action: 'Query',
    body: {
      TableName: TABLE,
      KeyConditionExpression: 'id = :id',
      ExpressionAttributeValues: { ':id': { S: 'feature-flags' } },
      ExclusiveStartKey: key('payments-service', 'config'),
    },
    aws: 'ValidationException',
  },
  {
    name: 'PutItem item > 400 KB',
    action: 'PutItem',
    body: { TableName: TABLE, Item: { ...key('big', 'item'), blob: { S: 'x'.repeat(410_000) } } },
    aws: 'ValidationException',
  },
  {
    name: 'PutItem attribute_not_exists on an existing item',
    action: 'PutItem',
    body: {
      TableName: TABLE,
      Item: key('payments-service', 'config'),
      ConditionExpression: 'attribute_not_exists(id)',
    },
    aws: 'ConditionalCheckFailedException',
  },
  {
    name: 'Query a missing table',
    action: 'Query',
    body: {
      TableName: 'no-such-table',
      KeyConditionExpression: 'id = :id',
      ExpressionAttributeValues: { ':id': { S: 'x' } },
    },
    aws: 'ResourceNotFoundException',
  },
  {
    name: 'GetItem key attribute N instead of S',
    action: 'GetItem',
    body: { TableName: TABLE, Key: { id: { N: '1' }, range: { S: 'config' } } },
    aws: 'ValidationException',
  },
  {
    name: 'Query reserved word `range` without placeholder',
    action: 'Query',
    body: {
      TableName: TABLE,
      KeyConditionExpression: 'id = :id AND begins_with(range, :p)',
      ExpressionAttributeValues: { ':id': { S: 'feature-flags' }, ':p': { S: 'flag:' } },
    },
    aws: 'ValidationException',
  },
  {
    name: 'Query begins_with empty string',
    action: 'Query',
    body: {
      TableName: TABLE,
      KeyConditionExpression: 'id = :id AND begins_with(#r, :p)',
      ExpressionAttributeNames: { '#r': 'range' },
      ExpressionAttributeValues: { ':id': { S: 'feature-flags' }, ':p': { S: '' } },
    },
    aws: 'ValidationException',
  },
  {
    name: 'GetItem malformed JSON body',
    action: 'GetItem',
    body: { raw: '{"TableName": ' },
    aws: 'SerializationException',
  },
];

/** Numbers as written → as read back (or the error). */
const NUMBER_CASES = [
  '1.50',
  '1e3',
  '1E+2',
  '-0',
  '0.000',
  '007',
  '12345678901234567890123456789012345678', // 38 digits: the maximum precision
  '123456789012345678901234567890123456789', // 39 digits
  '1E+125',
  '1E+126', // beyond the maximum magnitude
  '1E-130',
  '1E-131',
];

function shortError(body: string): string {
  const parsed = JSON.parse(body) as { __type?: string; message?: string; Message?: string };
  const type = (parsed.__type ?? '').split('#').pop();
  const message = parsed.message ?? parsed.Message;
  return `${type}${message === undefined ? ' (no message)' : `: ${message.slice(0, 160)}`}${
    parsed.Message !== undefined ? ' [field `Message`]' : ''
  }`;
}

async function probeErrors(db: RunningDynamoDb, rows: BenchRow[]): Promise<void> {
  for (const probe of ERROR_CASES) {
    const body = 'raw' in probe.body ? (probe.body.raw as string) : probe.body;
    const res = await callDynamoDb(db.endpoint, probe.action, body);
    rows.push({
      engine: db.engine,
      section: 'errors',
      case: probe.name,
      result: `${res.status} ${res.status === 200 ? 'OK (no error)' : shortError(res.body)}`,
      aws: probe.aws,
    });
  }
}

async function probeNumbers(db: RunningDynamoDb, rows: BenchRow[]): Promise<void> {
  for (const [i, n] of NUMBER_CASES.entries()) {
    const itemKey = key('numbers', `n${i}`);
    const put = await callDynamoDb(db.endpoint, 'PutItem', {
      TableName: TABLE,
      Item: { ...itemKey, n: { N: n } },
    });
    let result: string;
    if (put.status !== 200) {
      result = `rejected: ${shortError(put.body)}`;
    } else {
      const got = await callDynamoDb(db.endpoint, 'GetItem', { TableName: TABLE, Key: itemKey });
      result = (JSON.parse(got.body) as { Item: { n: { N: string } } }).Item.n.N;
    }
    rows.push({ engine: db.engine, section: 'numbers', case: `N "${n}"`, result });
  }
}

/**
 * Query ops/s from the load generator's process (autocannon, `CONNECTIONS` keep-alive
 * connections), so that the engine's CPU is not shared with the client measuring it.
 */
async function queryThroughput(endpoint: string): Promise<number> {
  const loader = await startProcess<Record<string, never>>('load-generator');
  try {
    const result = await loader.call<LoadResult>('load', {
      url: endpoint,
      method: 'POST',
      headers: dynamoHeaders('Query'),
      body: JSON.stringify({
        TableName: TABLE,
        KeyConditionExpression: 'id = :id',
        ExpressionAttributeValues: { ':id': { S: 'feature-flags' } },
        Limit: 25,
      }),
      connections: CONNECTIONS,
      durationS: THROUGHPUT_S,
      warmupS: 1,
    } satisfies LoadSpec);
    if (result.errors > 0) throw new Error(`Query failed ${result.errors} times`);
    return result.requestsPerSecond;
  } finally {
    await loader.stop();
  }
}

function rssMbOf(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024;
}

/** The JVM serving `port` (Linux): its command line names the jar and the port. */
function jvmPidFor(port: number): number | undefined {
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const args = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0');
      if (args[0].endsWith('java') && args.includes('-port') && args.includes(String(port))) {
        return Number(entry);
      }
    } catch {
      // Process gone meanwhile.
    }
  }
  return undefined;
}

/**
 * dynalite runs inside the Node process that starts it, so its own footprint is measured in a
 * separate plain Node process running only dynalite (no ts-node), loaded with the same data.
 */
async function dynaliteStandaloneRssMb(): Promise<number> {
  const script = `
    const server = require('dynalite')({ createTableMs: 0 });
    server.listen(0, '127.0.0.1', () => console.log(server.address().port));`;
  const child = spawn(process.execPath, ['-e', script], {
    cwd: path.join(__dirname, '..'),
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  try {
    const port = await new Promise<number>((resolve) =>
      child.stdout.once('data', (chunk: Buffer) => resolve(Number(chunk.toString().trim()))),
    );
    const endpoint = `http://127.0.0.1:${port}`;
    await createTablesFromTemplate(TEMPLATE, endpoint);
    await loadDataDir(endpoint, TABLE, DATA_DIR);
    await queryThroughput(endpoint);
    return rssMbOf(child.pid as number);
  } finally {
    child.kill();
  }
}

async function benchEngine(engine: DynamoDbEngineName, rows: BenchRow[]): Promise<void> {
  const row = (name: string, result: string) =>
    rows.push({ engine, section: 'performance', case: name, result });
  let t = performance.now();
  const db = await startDynamoDb({ engine });
  try {
    row('start (in memory, until first answer)', `${Math.round(performance.now() - t)} ms`);
    t = performance.now();
    await createTablesFromTemplate(TEMPLATE, db.endpoint);
    const counts = await loadDataDir(db.endpoint, TABLE, DATA_DIR);
    const total = Object.values(counts).reduce((a, b) => a + b, 0);
    row(`create table + load ${total} items`, `${Math.round(performance.now() - t)} ms`);
    const qps = await queryThroughput(db.endpoint);
    row(
      `Query ops/s (25 items of feature-flags, ${CONNECTIONS} connections)`,
      `${Math.round(qps)}`,
    );
    if (process.platform === 'linux') {
      if (engine === 'dynamodb-local') {
        const pid = jvmPidFor(Number(new URL(db.endpoint).port));
        if (pid) row('RSS after load + Query run', `${Math.round(rssMbOf(pid))} MB (JVM)`);
      } else {
        const rss = await dynaliteStandaloneRssMb();
        row('RSS after load + Query run', `${Math.round(rss)} MB (Node process running dynalite)`);
      }
    }
    await probeErrors(db, rows);
    await probeNumbers(db, rows);
  } finally {
    t = performance.now();
    await db.stop();
    row('stop', `${Math.round(performance.now() - t)} ms`);
  }
}

export default async function bench(): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  const engines: DynamoDbEngineName[] = isJavaAvailable()
    ? ['dynalite', 'dynamodb-local']
    : ['dynalite'];
  for (const engine of engines) await benchEngine(engine, rows);
  return rows;
}

if (require.main === module) {
  bench()
    .then((rows) => {
      for (const section of ['performance', 'errors', 'numbers'] as const) {
        console.log(`\n## ${section}\n`);
        console.table(
          rows.filter((r) => r.section === section).map(({ section: _section, ...rest }) => rest),
        );
      }
    })
    .catch((err: unknown) => {
      console.error(err);
      process.exitCode = 1;
    });
}
