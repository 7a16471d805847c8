/**
 * Runs every bench/*.bench.ts in turn and prints each one's rows as a markdown table, ready for
 * docs/benchmarks.md. `npm run bench`.
 */
import { readdirSync } from 'node:fs';
import path from 'node:path';

type Row = Record<string, unknown>;

function markdown(rows: Row[]): string {
  if (rows.length === 0) return '_no rows_';
  const columns = [...new Set(rows.flatMap((r) => Object.keys(r)))];
  const cell = (v: unknown): string =>
    v === undefined ? '' : String(v).replace(/\|/g, '\\|').replace(/\n/g, ' ');
  return [
    `| ${columns.join(' | ')} |`,
    `| ${columns.map(() => '---').join(' | ')} |`,
    ...rows.map((r) => `| ${columns.map((c) => cell(r[c])).join(' | ')} |`),
  ].join('\n');
}

async function main(): Promise<void> {
  const only = process.argv.slice(2);
  const files = readdirSync(__dirname)
    .filter((f) => f.endsWith('.bench.ts'))
    .filter((f) => only.length === 0 || only.some((o) => f.includes(o)))
    .sort();
  for (const file of files) {
    const started = Date.now();
    const mod = (await import(path.join(__dirname, file))) as {
      default: () => Promise<Row[] | void>;
    };
    const rows = await mod.default();
    console.log(
      `\n## ${file.replace(/\.bench\.ts$/, '')} (${((Date.now() - started) / 1000).toFixed(1)} s)\n`,
    );
    if (Array.isArray(rows)) console.log(markdown(rows));
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exitCode = 1;
});
