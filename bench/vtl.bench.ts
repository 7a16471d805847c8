/**
 * Renders/s of each template in vtl/ (as packaged, through loadVtl) on the local mapping-template
 * runtime, with a realistic input (tests/fixtures/vtl/template-inputs.ts). Each template runs
 * for a fixed time slice, so the whole bench stays under ~10 s.
 *
 *   TS_NODE_TRANSPILE_ONLY=1 npx ts-node bench/vtl.bench.ts
 */
import { compileMappingTemplate } from '../local/vtl';
import { loadVtl } from '../resources/vtl';
import { templateCases } from '../tests/fixtures/vtl/template-inputs';

/** Time each case is rendered for, after a short warm-up. */
const SLICE_MS = 500;

export interface VtlBenchRow {
  template: string;
  case: string;
  'renders/s': number;
  'µs/render': number;
  'output bytes': number;
}

export default async function bench(): Promise<VtlBenchRow[]> {
  const rows: VtlBenchRow[] = [];
  // One case per template: the first, most representative fixture.
  const seen = new Set<string>();
  for (const c of templateCases) {
    if (seen.has(c.template)) continue;
    seen.add(c.template);
    const render = compileMappingTemplate(loadVtl(c.template));
    let out = render(c.input).body;
    for (let i = 0; i < 50; i++) out = render(c.input).body;
    let n = 0;
    const start = process.hrtime.bigint();
    const deadline = start + BigInt(SLICE_MS) * 1_000_000n;
    let now = start;
    while (now < deadline) {
      for (let i = 0; i < 20; i++) render(c.input);
      n += 20;
      now = process.hrtime.bigint();
    }
    const seconds = Number(now - start) / 1e9;
    rows.push({
      template: c.template,
      case: c.name,
      'renders/s': Math.round(n / seconds),
      'µs/render': Math.round((seconds / n) * 1e6 * 10) / 10,
      'output bytes': Buffer.byteLength(out),
    });
  }
  return rows;
}

if (require.main === module) {
  void bench().then((rows) => console.table(rows));
}
