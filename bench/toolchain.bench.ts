/**
 * How long the developer loop takes: `sls package` (what `npm start` and the tests pay per
 * stage), with and without type-checking serverless.ts, and the whole `npm test`.
 * Medians of a few runs on this machine; each run starts a fresh process.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

import { SERVICE_DIR, slsPackage } from '../local/sls-package';

const API_KEY = 'bench-api-key-0123456789abcdef';

async function seconds(run: () => Promise<unknown>): Promise<number> {
  const started = process.hrtime.bigint();
  await run();
  return Number(process.hrtime.bigint() - started) / 1e9;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[values.length >> 1];

async function packageTimes(transpileOnly: boolean, runs: number): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'bench-package-'));
    try {
      times.push(
        await seconds(() =>
          slsPackage('dev', dir, { env: { API_KEY }, transpileOnly, dotenv: false }),
        ),
      );
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }
  return times;
}

export default async function bench(): Promise<Record<string, unknown>[]> {
  const rows: Record<string, unknown>[] = [];
  for (const transpileOnly of [true, false]) {
    const times = await packageTimes(transpileOnly, 3);
    rows.push({
      measurement: `sls package --stage dev (${transpileOnly ? 'transpile only' : 'type-checked'})`,
      'median s': median(times).toFixed(2),
      runs: times.map((t) => t.toFixed(2)).join(', '),
    });
  }
  if (process.env.BENCH_SKIP_NPM_TEST !== '1') {
    const time = await seconds(() =>
      promisify(execFile)('npm', ['test', '--silent'], {
        cwd: SERVICE_DIR,
        maxBuffer: 64 * 1024 * 1024,
      }),
    );
    rows.push({
      measurement: 'npm test (tsc --noEmit + jest, all suites)',
      'median s': time.toFixed(1),
      runs: '1',
    });
  }
  return rows;
}

if (require.main === module) {
  bench().then((rows) => console.table(rows));
}
