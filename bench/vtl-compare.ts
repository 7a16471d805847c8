/**
 * Before/after: the mapping-template runtime (and vtl/ templates) of another commit against the
 * current ones, on the same inputs, in one process, in interleaved rounds, counting CPU time per
 * render (steadier than wall time on a shared machine). Prints a markdown table and checks that
 * both render the same bytes.
 *
 *   TS_NODE_TRANSPILE_ONLY=1 npx ts-node bench/vtl-compare.ts [commit]
 *
 * The default commit is the last one with the closure interpreter, before the compiled runtime.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { compileMappingTemplate, type MappingInput } from '../local/vtl';
import { loadVtl } from '../resources/vtl';
import { realisticCases } from '../tests/fixtures/vtl/realistic-inputs';
import { templateCases } from '../tests/fixtures/vtl/template-inputs';

const BEFORE = process.argv[2] ?? '1f0ae41';
const ROUNDS = 5;
const SLICE_MS = 200;
/**
 * Rendering before measuring: a large template's generated function takes V8 a second or more
 * to optimize on a busy machine, and a server renders it for much longer than that.
 */
const WARM_UP_MS = 1500;

type Render = (input: MappingInput) => { body: string };

/** Renders per CPU second, over at least SLICE_MS of wall time and 5 renders. */
function rate(render: Render, input: MappingInput): number {
  let n = 0;
  const cpu0 = process.cpuUsage();
  const deadline = process.hrtime.bigint() + BigInt(SLICE_MS) * 1_000_000n;
  while (process.hrtime.bigint() < deadline || n < 5) {
    render(input);
    n++;
  }
  const cpu = process.cpuUsage(cpu0);
  return n / ((cpu.user + cpu.system) / 1e6);
}

function main(): void {
  const root = path.resolve(__dirname, '..');
  const dir = path.join(root, '.vtl-before');
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir);
  try {
    const archive = execFileSync(
      'git',
      ['archive', BEFORE, 'local/vtl', 'resources/vtl.ts', 'vtl'],
      {
        cwd: root,
        maxBuffer: 64 * 1024 * 1024,
      },
    );
    execFileSync('tar', ['-x', '-C', dir], { input: archive });
    // The old runtime, loaded from its archive.
    const before = require(path.join(dir, 'local/vtl')) as typeof import('../local/vtl');
    const beforeVtl = require(path.join(dir, 'resources/vtl')) as typeof import('../resources/vtl');
    const seen = new Set<string>();
    const small = templateCases.filter((c) => !seen.has(c.template) && seen.add(c.template));
    const rows: string[] = [];
    for (const c of [...small, ...realisticCases]) {
      const old: Render = before.compileMappingTemplate(beforeVtl.loadVtl(c.template));
      const current: Render = compileMappingTemplate(loadVtl(c.template));
      const same = old(c.input).body === current(c.input).body;
      for (const render of [old, current]) {
        const until = Date.now() + WARM_UP_MS;
        while (Date.now() < until) render(c.input);
      }
      let b = 0;
      let a = 0;
      for (let round = 0; round < ROUNDS; round++) {
        b = Math.max(b, rate(old, c.input));
        a = Math.max(a, rate(current, c.input));
      }
      rows.push(
        `| ${c.template} | ${c.name} | ${Buffer.byteLength(c.input.body)} | ${Math.round(b)} | ${Math.round(a)} | ${(a / b).toFixed(1)}× | ${same ? 'yes' : 'NO'} |`,
      );
    }
    console.log(
      [
        `Renders per CPU second, ${BEFORE} (before) vs this tree (after), best of ${ROUNDS} interleaved rounds:`,
        '',
        '| template | input | input bytes | before | after | after/before | same output |',
        '| --- | --- | --- | --- | --- | --- | --- |',
        ...rows,
      ].join('\n'),
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main();
