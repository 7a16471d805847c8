/**
 * Load: writers and readers hit the packaged `local` stage at once for LOAD_MS (3 s in
 * `npm test`, longer in `npm run test:fuzz`). Every write the API acknowledged (2xx) must be in
 * the table exactly, every read of an acknowledged write must see it, and nothing else may be
 * in the table.
 */
import type { RunningLocalStage } from '../../local/start';
import { startPackagedLocalStage } from '../helpers/local-stage';
import { canonicalItem, parseExactJson, typedFromExact, type Item } from './dynamo-values';
import { INTERNAL_DETAIL, StageClient } from './http-client';
import { LOAD_CLIENTS, LOAD_MS } from './sizes';
import { diffContents, TableReader, type TableContents } from './table';

let stage: RunningLocalStage;

beforeAll(async () => {
  // Throttling off: this measures the stage under load, not the usage plan's 429s.
  stage = await startPackagedLocalStage({ throttling: false, seed: false });
});

afterAll(async () => {
  await stage?.stop();
});

const enc = encodeURIComponent;
const WRITER_IDS = [
  '__proto__',
  'constructor',
  "load 'w'",
  'load/"w"',
  'toString',
  'load\\w',
  'ünï',
  '😀',
];

it(
  `${LOAD_CLIENTS} writers and ${LOAD_CLIENTS} readers for ${LOAD_MS} ms: every acknowledged write is in the table`,
  async () => {
    const client = new StageClient(stage.url, LOAD_CLIENTS * 2 + 4);
    const table = new TableReader(stage.dynamoEndpoint, stage.tables[0]);
    /** What the table must hold: id → range → item, from acknowledged writes only. */
    const acknowledged: TableContents = new Map();
    const stats = { writes: 0, deletes: 0, reads: 0, lists: 0, errors: new Map<number, number>() };
    const deadline = Date.now() + LOAD_MS;
    const problems: string[] = [];
    /** Keys with a write in flight: a read of them may see the write before it is acknowledged. */
    const inFlight = new Set<string>();
    let writesStarted = 0;

    const writer = async (w: number): Promise<void> => {
      const id = `${WRITER_IDS[w % WRITER_IDS.length]}#${w}`;
      const mine = new Map<string, Item>();
      acknowledged.set(id, mine);
      for (let n = 0; Date.now() < deadline; n++) {
        const range = `r${n % 50}`;
        const path = `/${enc(id)}/${enc(range)}`;
        if (n % 7 === 6 && mine.size) {
          const victim = [...mine.keys()][n % mine.size];
          inFlight.add(`${id}\u0000${victim}`);
          const res = await client.request({
            method: 'DELETE',
            path: `/${enc(id)}/${enc(victim)}`,
            headers: { 'x-api-key': stage.apiKey! },
          });
          stats.deletes++;
          inFlight.delete(`${id}\u0000${victim}`);
          if (res.status === 204) mine.delete(victim);
          else problems.push(`DELETE ${id}/${victim}: ${res.status} ${res.body}`);
          continue;
        }
        const body = {
          n,
          w,
          s: `"quoted" \\ ${n}`,
          nested: { __proto__x: [n, true, null] },
          big: 12345678901234567890n.toString(),
        };
        inFlight.add(`${id}\u0000${range}`);
        writesStarted++;
        const res = await client.request({
          method: 'PUT',
          path,
          headers: { 'x-api-key': stage.apiKey!, 'content-type': 'application/json' },
          body: JSON.stringify(body).replace(
            '"big":"12345678901234567890"',
            '"big":12345678901234567890',
          ),
        });
        stats.writes++;
        inFlight.delete(`${id}\u0000${range}`);
        const expectStatus = mine.has(range) ? 200 : 201;
        if (res.status === expectStatus) {
          mine.set(range, [
            ['id', { S: id }],
            ['range', { S: range }],
            ['n', { N: String(n) }],
            ['w', { N: String(w) }],
            ['s', { S: body.s }],
            [
              'nested',
              { M: [['__proto__x', { L: [{ N: String(n) }, { BOOL: true }, { NULL: true }] }]] },
            ],
            ['big', { N: '12345678901234567890' }],
          ]);
        } else {
          problems.push(
            `PUT ${id}/${range}: expected ${expectStatus}, got ${res.status} ${res.body}`,
          );
        }
      }
    };

    const reader = async (r: number): Promise<void> => {
      for (let n = 0; Date.now() < deadline; n++) {
        const ids = [...acknowledged.keys()];
        if (!ids.length) {
          await new Promise((resolve) => setTimeout(resolve, 5));
          continue;
        }
        const id = ids[(r + n) % ids.length];
        const items = acknowledged.get(id)!;
        const ranges = [...items.keys()];
        if (n % 4 === 0 || !ranges.length) {
          const res = await client.request({ method: 'GET', path: `/${enc(id)}?limit=100` });
          stats.lists++;
          if (res.status !== 200 && res.status !== 404)
            problems.push(`LIST ${id}: ${res.status} ${res.body}`);
          continue;
        }
        const range = ranges[n % ranges.length];
        const want = items.get(range);
        const stableBefore = !inFlight.has(`${id}\u0000${range}`) ? writesStarted : -1;
        const res = await client.request({ method: 'GET', path: `/${enc(id)}/${enc(range)}` });
        stats.reads++;
        // The writer may have replaced or deleted it since: only a stable item must read back.
        const now = items.get(range);
        if (res.status >= 500 || (res.status >= 400 && res.status !== 404)) {
          stats.errors.set(res.status, (stats.errors.get(res.status) ?? 0) + 1);
          problems.push(`GET ${id}/${range}: ${res.status} ${res.body}`);
        } else if (
          want &&
          now === want &&
          stableBefore >= 0 &&
          !inFlight.has(`${id}\u0000${range}`)
        ) {
          if (res.status !== 200)
            problems.push(`GET ${id}/${range}: ${res.status} for an acknowledged write`);
          else {
            const got = typedFromExact(parseExactJson(res.body));
            const gotText = 'M' in got ? canonicalItem(got.M) : res.body;
            if (gotText !== canonicalItem(want) && items.get(range) === want) {
              problems.push(
                `GET ${id}/${range}: read ${gotText}, acknowledged ${canonicalItem(want)}`,
              );
            }
          }
        }
        if (res.status >= 400 && INTERNAL_DETAIL.test(res.body)) problems.push(`leak: ${res.body}`);
      }
    };

    await Promise.all([
      ...Array.from({ length: LOAD_CLIENTS }, (_, w) => writer(w)),
      ...Array.from({ length: LOAD_CLIENTS }, (_, r) => reader(r)),
    ]);
    client.close();
    const diff = diffContents(
      new Map([...acknowledged].filter(([, items]) => items.size)),
      await table.everything(),
    );
    console.log(
      `load: ${LOAD_MS} ms, ${LOAD_CLIENTS}+${LOAD_CLIENTS} clients, ${stats.writes} PUT, ${stats.deletes} DELETE, ` +
        `${stats.reads} GET item, ${stats.lists} GET list, ${client.total} requests; ` +
        `${problems.length} problems, ${diff.length} table differences`,
    );
    expect(problems.slice(0, 10)).toEqual([]);
    expect(diff.slice(0, 10)).toEqual([]);
    expect(stats.writes).toBeGreaterThan(0);
  },
  60_000 + LOAD_MS * 2,
);
