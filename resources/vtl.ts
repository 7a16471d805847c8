import { readFileSync } from 'node:fs';
import path from 'node:path';

export const VTL_DIR = path.resolve(__dirname, '..', 'vtl');

/** `## @include <file>` is replaced by that file's text (API Gateway has no #parse). */
const INCLUDE = /## @include ([\w.-]+\.vtl)/;

/** Where one line of an expanded template comes from: the file, then the files it includes. */
export interface VtlSourceLine {
  /** File name in `vtl/`, e.g. `get-item.response.vtl`. */
  file: string;
  /** 1-based line in that file. */
  line: number;
}

export interface ExpandedVtl {
  /** The template exactly as `loadVtl` returns it. */
  text: string;
  /**
   * Per line of `text`, the chain of `## @include`s it comes through: `[top file, ...,
   * the file that holds the line]`. The packaged template carries no trace of the files
   * (it is deployed as is); the local stage matches its text against this to name the file
   * and line of a template error.
   */
  sources: VtlSourceLine[][];
}

/**
 * Reads a mapping template from `vtl/`, with its `## @include` lines inlined, ready to be
 * put into the CloudFormation template at package time.
 *
 * Templates must never contain `${`: Serverless resolves `${...}` everywhere in the config
 * and would rewrite it. `@@Name@@` placeholders are left for `withPlaceholders`.
 */
export function loadVtl(name: string): string {
  return expandVtl(name).text;
}

/** `loadVtl` with the source of every line (see `ExpandedVtl`). */
export function expandVtl(name: string, seen: string[] = [], dir = VTL_DIR): ExpandedVtl {
  if (seen.includes(name)) {
    throw new Error(`vtl/${name}: @include cycle through ${seen.join(' -> ')}`);
  }
  const text = readFileSync(path.join(dir, name), 'utf8');
  if (text.includes('${')) {
    throw new Error(`vtl/${name} contains "\${", which Serverless would resolve as a variable`);
  }
  const lines = text.split('\n');
  const sources = lines.map((_, i) => [{ file: name, line: i + 1 }]);
  // Each directive is replaced by the included text without its final newline: what stands
  // before the directive prefixes the included first line, what follows it ends the last one.
  for (let i = 0; i < lines.length;) {
    const m = lines[i].match(INCLUDE);
    if (!m) {
      i++;
      continue;
    }
    const included = expandVtl(m[1], [...seen, name], dir);
    const withoutLastNewline = included.text.endsWith('\n')
      ? { text: included.text.slice(0, -1), sources: included.sources.slice(0, -1) }
      : included;
    const parts = withoutLastNewline.text.split('\n');
    const before = lines[i].slice(0, m.index);
    const after = lines[i].slice((m.index ?? 0) + m[0].length);
    parts[0] = before + parts[0];
    parts[parts.length - 1] += after;
    const here = sources[i][0];
    lines.splice(i, 1, ...parts);
    sources.splice(i, 1, ...withoutLastNewline.sources.map((chain) => [here, ...chain]));
    // Continue on the last inlined line: the rest of the directive's line may hold another.
    i += parts.length - 1;
  }
  return { text: lines.join('\n'), sources };
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
