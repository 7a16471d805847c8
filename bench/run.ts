/**
 * Runs every bench/*.bench.ts in turn and prints each one's rows as a markdown table, ready for
 * docs/benchmarks.md. `npm run bench`.
 */
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { UsageError } from '../lib/usage-error';

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
  const all = readdirSync(__dirname)
    .filter((f) => f.endsWith('.bench.ts'))
    .sort();
  const names = all.map((f) => f.replace(/\.bench\.ts$/, ''));
  if (only.some((o) => o === '--help' || o === '-h')) {
    console.log(
      `Usage: npm run bench [-- <name> ...]\n\nRuns every bench, or those whose name contains one of the given words: ${names.join(', ')}.\nResults and how to read them: docs/benchmarks.md.`,
    );
    return;
  }
  const unknown = only.filter((o) => !names.some((n) => n.includes(o)));
  if (unknown.length > 0) {
    throw new UsageError(`No bench named ${unknown.join(', ')}: use one of ${names.join(', ')}`);
  }
  const files = all.filter((f) => only.length === 0 || only.some((o) => f.includes(o)));
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
  console.error(e instanceof UsageError ? e.message : e);
  process.exitCode = 1;
});
