import { readFileSync } from 'node:fs';
import path from 'node:path';

export const VTL_DIR = path.resolve(__dirname, '..', 'vtl');

/** `## @include <file>` is replaced by that file's text (API Gateway has no #parse). */
const INCLUDE = /## @include ([\w.-]+\.vtl)/;

/**
 * Reads a mapping template from `vtl/`, with its `## @include` lines inlined, ready to be
 * put into the CloudFormation template at package time.
 *
 * Templates must never contain `${`: Serverless resolves `${...}` everywhere in the config
 * and would rewrite it. `@@Name@@` placeholders are left for `withPlaceholders`.
 */
export function loadVtl(name: string, seen: string[] = []): string {
  if (seen.includes(name)) {
    throw new Error(`vtl/${name}: @include cycle through ${seen.join(' -> ')}`);
  }
  const text = readFileSync(path.join(VTL_DIR, name), 'utf8');
  if (text.includes('${')) {
    throw new Error(`vtl/${name} contains "\${", which Serverless would resolve as a variable`);
  }
  let out = text;
  for (let m = out.match(INCLUDE); m; m = out.match(INCLUDE)) {
    const included = loadVtl(m[1], [...seen, name]).replace(/\n$/, '');
    out = out.slice(0, m.index) + included + out.slice((m.index ?? 0) + m[0].length);
  }
  return out;
}

/** CloudFormation value of a template whose `@@Name@@` placeholders become the given values. */
export function withPlaceholders(text: string, values: Record<string, unknown>): unknown {
  const parts = text.split(/@@(\w+)@@/);
  if (parts.length === 1) return text;
  const joined: unknown[] = parts.map((part, i) => {
    if (i % 2 === 0) return part;
    if (!(part in values)) throw new Error(`no value for the @@${part}@@ placeholder`);
    return values[part];
  });
  return { 'Fn::Join': ['', joined.filter((p) => p !== '')] };
}
