/**
 * Fault injection between the packaged `local` stage and a real DynamoDB engine (dynalite on a
 * data directory): the engine stopped and restarted, answers held past the integration
 * timeout, throttling, DynamoDB's 5XX, garbage and cut-off answers, each while writes and reads
 * go on. Every answer must be the documented JSON status; no write may be acknowledged (2xx)
 * unless the table has it, and a write the engine never saw must not be in the table; once the
 * fault is gone, the stage answers normally again.
 *
 * tests/integration/api-faults.test.ts maps each DynamoDB error type to its status with a stub
 * engine; this suite puts the faults in a live write stream and checks the table afterwards.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startDynamoDb, type RunningDynamoDb } from '../../local/dynamodb/engine';
import { startLocalStage, type RunningLocalStage } from '../../local/start';
import { templatePath } from '../helpers/packaged';
import { canonicalItem, parseExactJson, typedFromExact, type Item } from './dynamo-values';
import { FaultProxy, FORWARDING_FAULTS, type Fault } from './fault-proxy';
import { INTERNAL_DETAIL, StageClient, type Answer } from './http-client';
import { FAULT_ROUNDS } from './sizes';
import { TableReader } from './table';

/** Integration timeout of the stage under test: short, so held answers time out quickly. */
const TIMEOUT_MS = 3000;

/** The statuses each fault may produce (docs/http-api.md, "Errors"). */
const FAULT_STATUSES: [Fault, number[]][] = [
  ['connection-reset', [503]],
  ['hang-after-forward', [504]],
  ['throttling', [429]],
  ['provisioned-throughput-exceeded', [429]],
  ['internal-server-error-500', [503]],
  ['service-unavailable-503', [503]],
  ['forward-then-500', [503]],
  ['garbage-200-text', [500]],
  ['garbage-200-html', [500]],
  ['garbage-200-truncated-json', [500]],
  ['forward-then-truncate', [503]],
];

/** Keys the writes go to: a few hostile ones, so faults land on overlapping items. */
const KEYS: [string, string][] = [
  ['__proto__', 'constructor'],
  ['fault "one"', "it's"],
  ['fault/two', 'a+b'],
  ['fault\\three', '😀'],
  ['toString', '%'],
  ['fault-four', 'é'],
];

let dataDir: string;
let engine: RunningDynamoDb;
let proxy: FaultProxy;
let stage: RunningLocalStage;
let client: StageClient;
let table: TableReader;
let version = 0;
/** What each key may hold: canonical item strings, or 'absent'. */
const possible = new Map<string, Set<string>>(
  KEYS.map(([i, r]) => [`${i}\u0000${r}`, new Set(['absent'])]),
);
const statusesSeen = new Map<string, number>();
const counts = { requests: 0, writes: 0, acknowledged: 0, faults: 0 };

beforeAll(async () => {
  dataDir = mkdtempSync(path.join(os.tmpdir(), 'reliab-faults-'));
  engine = await startDynamoDb({ dataDir: path.join(dataDir, 'db') });
  proxy = new FaultProxy(engine.endpoint);
  const proxyUrl = await proxy.start();
  const template = JSON.parse(readFileSync(templatePath('local'), 'utf8'));
  for (const resource of Object.values<{ Type: string; Properties: Record<string, any> }>(
    template.Resources,
  )) {
    if (
      resource.Type === 'AWS::ApiGateway::Method' &&
      resource.Properties.Integration?.Type === 'AWS'
    ) {
      resource.Properties.Integration.TimeoutInMillis = TIMEOUT_MS;
    }
  }
  const file = path.join(dataDir, 'template.json');
  writeFileSync(file, JSON.stringify(template));
  stage = await startLocalStage({
    port: 0,
    template: file,
    dynamoEndpoint: proxyUrl,
    seed: false,
    throttling: false,
    log: process.env.FAULT_LOG ? (line) => console.error(line) : () => undefined,
  });
  client = new StageClient(stage.url);
  table = new TableReader(engine.endpoint, stage.tables[0]);
});

afterAll(async () => {
  client?.close();
  await stage?.stop();
  await proxy?.stop();
  await engine?.stop();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  console.log(
    `faults: ${JSON.stringify(counts)}; proxy saw ${JSON.stringify(Object.fromEntries(proxy?.seen ?? []))}; answers ${JSON.stringify(Object.fromEntries(statusesSeen))}`,
  );
});

const enc = encodeURIComponent;
const keyName = (id: string, range: string): string => `${id}\u0000${range}`;

/** Fails naming the request unless `status` is one of `allowed`. */
function expectStatus(answer: Answer, allowed: number[], what: string): void {
  if (!allowed.includes(answer.status)) {
    throw new Error(
      `${what}: expected ${allowed.join(' or ')}, got ${answer.status} ${answer.body.slice(0, 300)}`,
    );
  }
}

function expectJsonError(answer: Answer, statuses: number[], what: string): void {
  expectStatus(answer, statuses, what);
  const json = (() => {
    try {
      return JSON.parse(answer.body) as unknown;
    } catch {
      return undefined;
    }
  })();
  expect({ what, json }).toEqual({ what, json: { message: expect.any(String) } });
  expect(answer.headers['access-control-allow-origin']).toBe('*');
  expect(answer.body).not.toMatch(INTERNAL_DETAIL);
}

/**
 * One round of writes (PUT or DELETE on every key, concurrently) under `fault`; `allowed` is
 * the statuses the fault may give (2xx only when there is no fault).
 */
async function writeRound(fault: string, allowed: number[], engineMaySee: boolean): Promise<void> {
  await settleAll(
    KEYS.map(async ([id, range], i) => {
      const key = keyName(id, range);
      const put = (version + i) % 3 !== 0;
      const v = ++version;
      const item: Item = [
        ['id', { S: id }],
        ['range', { S: range }],
        ['v', { N: String(v) }],
      ];
      const answer = await client.request({
        method: put ? 'PUT' : 'DELETE',
        path: `/${enc(id)}/${enc(range)}`,
        headers: { 'x-api-key': stage.apiKey!, 'content-type': 'application/json' },
        body: put ? JSON.stringify({ v }) : undefined,
      });
      counts.requests++;
      counts.writes++;
      const after = put ? canonicalItem(item) : 'absent';
      const before = possible.get(key)!;
      if (answer.status >= 200 && answer.status < 300) {
        expectStatus(answer, allowed, `${fault} ${put ? 'PUT' : 'DELETE'} ${key}`);
        counts.acknowledged++;
        // Acknowledged: the table has exactly this write (until the next one).
        if (answer.status === 201 || (!put && answer.status === 204)) {
          expect({ key, answer: answer.status, before: [...before] }).toEqual({
            key,
            answer: answer.status,
            before: put ? expect.arrayContaining(['absent']) : expect.any(Array),
          });
        }
        possible.set(key, new Set([after]));
      } else if (!put && answer.status === 404 && allowed.includes(404)) {
        possible.set(key, new Set(['absent']));
      } else {
        counts.faults++;
        statusesSeen.set(
          `${fault} ${answer.status}`,
          (statusesSeen.get(`${fault} ${answer.status}`) ?? 0) + 1,
        );
        expectJsonError(answer, allowed, `${fault} ${put ? 'PUT' : 'DELETE'} ${key}`);
        // Not acknowledged: carried out or not, depending on whether the engine saw it.
        if (engineMaySee) before.add(after);
      }
    }),
  );
}

/** Waits for every request (none left running into the next test), then fails with the first error. */
async function settleAll(work: Promise<void>[]): Promise<void> {
  const results = await Promise.allSettled(work);
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;
}

/** Reads every key through the API (and the table directly): each must be a possible state. */
async function verifyKeys(): Promise<void> {
  for (const [id, range] of KEYS) {
    const key = keyName(id, range);
    const answer = await client.request({ method: 'GET', path: `/${enc(id)}/${enc(range)}` });
    counts.requests++;
    expect([200, 404]).toContain(answer.status);
    const seen =
      answer.status === 404
        ? 'absent'
        : (() => {
            const typed = typedFromExact(parseExactJson(answer.body));
            return 'M' in typed ? canonicalItem(typed.M) : 'not an item';
          })();
    const direct = (await table.itemsOf(id)).get(range);
    expect({ key, api: seen }).toEqual({ key, api: direct ? canonicalItem(direct) : 'absent' });
    expect({ key, possible: [...possible.get(key)!] }).toEqual({
      key,
      possible: expect.arrayContaining([seen]),
    });
    possible.set(key, new Set([seen]));
  }
}

it(
  'writes and reads work before any fault',
  async () => {
    for (let round = 0; round < FAULT_ROUNDS; round++)
      await writeRound('no fault', [200, 201, 204, 404], true);
    await verifyKeys();
  },
  60_000 + FAULT_ROUNDS * 5_000,
);

describe.each(FAULT_STATUSES)('DynamoDB fault %s', (fault, statuses) => {
  it(
    `answers ${statuses.join(' or ')}, acknowledges nothing it did not store, then recovers`,
    async () => {
      proxy.fault = fault;
      try {
        for (let round = 0; round < FAULT_ROUNDS; round++) {
          await writeRound(fault, statuses, FORWARDING_FAULTS.has(fault));
          const read = await client.request({ method: 'GET', path: `/${enc(KEYS[0][0])}` });
          counts.requests++;
          expectJsonError(read, statuses, `${fault} list`);
        }
      } finally {
        proxy.fault = 'none';
        proxy.dropConnections();
      }
      await verifyKeys();
      await writeRound('no fault', [200, 201, 204, 404], true);
      await verifyKeys();
    },
    30_000 + FAULT_ROUNDS * 10_000,
  );
});

it(
  'the engine stopped: 503 for every request; restarted on its data: every acknowledged write is there and the stage serves again',
  async () => {
    await writeRound('no fault', [200, 201, 204, 404], true);
    await verifyKeys();
    await engine.stop();
    for (let round = 0; round < FAULT_ROUNDS; round++) {
      await writeRound('engine stopped', [503], false);
      const read = await client.request({
        method: 'GET',
        path: `/${enc(KEYS[1][0])}/${enc(KEYS[1][1])}`,
      });
      counts.requests++;
      expectJsonError(read, [503], 'engine stopped GET');
    }
    engine = await startDynamoDb({ dataDir: path.join(dataDir, 'db') });
    proxy.target = engine.endpoint;
    table = new TableReader(engine.endpoint, stage.tables[0]);
    await verifyKeys();
    await writeRound('no fault', [200, 201, 204, 404], true);
    await verifyKeys();
  },
  60_000 + FAULT_ROUNDS * 5_000,
);
