/**
 * Crash safety: the local stage runs as its own process over dynalite (the default engine) on
 * a data directory; writers PUT and DELETE until the process is killed with SIGKILL mid-write;
 * the stage restarts on the same directory, and every write acknowledged (2xx) before the kill
 * must be there, exactly. CRASH_CYCLES kill/restart rounds (1 in `npm test`).
 *
 * Why it holds: dynalite writes each item through LevelDB (classic-level) before it answers,
 * and LevelDB's default (non-sync) write "returns after pushing the write from the process into
 * the operating system" (https://github.com/google/leveldb/blob/main/doc/index.md#synchronous-writes):
 * the bytes are in the kernel when the API answers, and a killed process cannot lose them. A
 * machine crash or power cut can: LevelDB only fsyncs with `sync: true`, which dynalite does not set.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { templatePath } from '../helpers/packaged';
import { canonicalItem, type Item } from './dynamo-values';
import { StageClient } from './http-client';
import { CRASH_CYCLES } from './sizes';
import { diffContents, TableReader, type TableContents } from './table';

interface ChildStage {
  child: ChildProcess;
  url: string;
  apiKey: string;
  dynamoEndpoint: string;
  table: string;
}

const ROOT = path.resolve(__dirname, '..', '..');
let dataDir: string;
let running: ChildStage | undefined;

function startChild(): Promise<ChildStage> {
  const child = spawn(
    process.execPath,
    [
      '-r',
      'ts-node/register/transpile-only',
      path.join(__dirname, 'stage-process.ts'),
      templatePath('local'),
      dataDir,
    ],
    {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
    },
  );
  let stderr = '';
  child.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
  return new Promise((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! });
    lines.once('line', (line) =>
      resolve({ child, ...(JSON.parse(line) as Omit<ChildStage, 'child'>) }),
    );
    child.once('exit', (code, signal) =>
      reject(new Error(`stage process exited (${signal ?? code}) before serving: ${stderr}`)),
    );
  });
}

function kill9(stage: ChildStage): Promise<void> {
  return new Promise((resolve) => {
    stage.child.once('exit', () => resolve());
    stage.child.kill('SIGKILL');
  });
}

beforeAll(() => {
  dataDir = mkdtempSync(path.join(os.tmpdir(), 'reliab-crash-'));
});

afterAll(async () => {
  if (running) await kill9(running);
  rmSync(dataDir, { recursive: true, force: true });
});

const enc = encodeURIComponent;

it(
  `kill -9 during writes, ${CRASH_CYCLES} times: every acknowledged write survives the restart`,
  async () => {
    /** id → range → item the table must hold (acknowledged writes only). */
    const expected: TableContents = new Map();
    /** Keys whose last write was cut off by the kill: either state is allowed. */
    const uncertain = new Map<string, Item | undefined>();
    let acknowledgedTotal = 0;
    let cutOff = 0;
    for (let cycle = 0; cycle < CRASH_CYCLES; cycle++) {
      running = await startChild();
      const stage = running;
      const client = new StageClient(stage.url, 16);
      let killed = false;
      let acknowledged = 0;
      const writer = async (w: number): Promise<void> => {
        const id = `crash '${w}' __proto__`;
        if (!expected.has(id)) expected.set(id, new Map());
        const mine = expected.get(id)!;
        for (let n = 0; !killed; n++) {
          const range = `r${(cycle * 1000 + n) % 40}`;
          const del = n % 5 === 4 && mine.has(range);
          const v = cycle * 100_000 + n;
          const item: Item = [
            ['id', { S: id }],
            ['range', { S: range }],
            ['v', { N: String(v) }],
            ['s', { S: `"${v}" \\ é` }],
          ];
          const key = `${id}\u0000${range}`;
          uncertain.set(key, del ? undefined : item);
          try {
            const res = await client.request({
              method: del ? 'DELETE' : 'PUT',
              path: `/${enc(id)}/${enc(range)}`,
              headers: { 'x-api-key': stage.apiKey, 'content-type': 'application/json' },
              body: del ? undefined : JSON.stringify({ v, s: `"${v}" \\ é` }),
            });
            uncertain.delete(key);
            if (res.status >= 200 && res.status < 300) {
              acknowledged++;
              if (del) mine.delete(range);
              else mine.set(range, item);
            } else {
              throw new Error(`${del ? 'DELETE' : 'PUT'} ${key}: ${res.status} ${res.body}`);
            }
          } catch (err) {
            if (!killed) throw err;
            cutOff++; // no answer: the kill came first
            return;
          }
        }
      };
      const writers = Array.from({ length: 6 }, (_, w) => writer(w));
      // Kill once writes are flowing (a count, not a time: the machine may be slow).
      while (acknowledged < 150) await new Promise((resolve) => setTimeout(resolve, 10));
      killed = true;
      await kill9(stage);
      running = undefined;
      await Promise.all(writers);
      client.close();
      acknowledgedTotal += acknowledged;

      running = await startChild();
      const contents = await new TableReader(running.dynamoEndpoint, running.table).everything();
      // A write in flight at the kill may or may not have reached the disk: accept what is there.
      for (const [key, item] of uncertain) {
        const [id, range] = key.split('\u0000');
        const actual = contents.get(id)?.get(range);
        const mine = expected.get(id)!;
        const before = mine.get(range);
        const ok = [before, item].some(
          (s) => (s ? canonicalItem(s) : 'absent') === (actual ? canonicalItem(actual) : 'absent'),
        );
        expect({ key, ok }).toEqual({ key, ok: true });
        if (actual) mine.set(range, actual);
        else mine.delete(range);
      }
      uncertain.clear();
      const diff = diffContents(new Map([...expected].filter(([, m]) => m.size)), contents);
      expect(diff.slice(0, 10)).toEqual([]);
      await kill9(running);
      running = undefined;
    }
    console.log(
      `crash: ${CRASH_CYCLES} kill -9 cycles, ${acknowledgedTotal} acknowledged writes all present after restart, ${cutOff} writes cut off by the kill`,
    );
  },
  120_000 * CRASH_CYCLES,
);
