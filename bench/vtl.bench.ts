/**
 * Renders/s of each template in vtl/ (as packaged, through loadVtl) on the local mapping-template
 * runtime, with a realistic input (tests/fixtures/vtl/template-inputs.ts), then the converting
 * templates on large realistic inputs (tests/fixtures/vtl/realistic-inputs.ts: a 25-item page,
 * 10 KB and 100 KB items, a 300 KB PUT body). Each case runs for a fixed time slice, so the
 * whole bench stays under ~15 s.
 *
 *   TS_NODE_TRANSPILE_ONLY=1 npx ts-node bench/vtl.bench.ts
 */
import { compileMappingTemplate } from '../local/vtl';
import { loadVtl } from '../resources/vtl';
import { realisticCases } from '../tests/fixtures/vtl/realistic-inputs';
import { templateCases } from '../tests/fixtures/vtl/template-inputs';

/** Time each case is rendered for, after a short warm-up. */
const SLICE_MS = 500;
/** Renders at least this many times, however slow each render is. */
const MIN_RENDERS = 10;

export interface VtlBenchRow {
  template: string;
  case: string;
  'renders/s': number;
  'µs/render': number;
  'input bytes': number;
  'output bytes': number;
}

export default async function bench(): Promise<VtlBenchRow[]> {
  const rows: VtlBenchRow[] = [];
  // One case per template: the first, most representative fixture.
  const seen = new Set<string>();
  const cases = templateCases.filter((c) => !seen.has(c.template) && seen.add(c.template));
  for (const c of [...cases, ...realisticCases]) {
    const render = compileMappingTemplate(loadVtl(c.template));
    let out = render(c.input).body;
    for (let i = 0; i < 20; i++) out = render(c.input).body;
    let n = 0;
    const start = process.hrtime.bigint();
    const deadline = start + BigInt(SLICE_MS) * 1_000_000n;
    let now = start;
    while (now < deadline || n < MIN_RENDERS) {
      render(c.input);
      n += 1;
      now = process.hrtime.bigint();
    }
    const seconds = Number(now - start) / 1e9;
    rows.push({
      template: c.template,
      case: c.name,
      'renders/s': Math.round(n / seconds),
      'µs/render': Math.round((seconds / n) * 1e6 * 10) / 10,
      'input bytes': Buffer.byteLength(c.input.body),
      'output bytes': Buffer.byteLength(out),
    });
  }
  return rows;
}

if (require.main === module) {
  void bench().then((rows) => console.table(rows));
}
