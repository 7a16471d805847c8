/**
 * Which `vtl/` file and line a packaged mapping template's line comes from, so that a template
 * error names the file to edit rather than a line of the inlined text in the CloudFormation
 * template. The packaged template stays byte for byte what `sls package` writes (it is what
 * AWS runs); the mapping is recomputed here by matching its text against `expandVtl` of every
 * file in `vtl/`, read at the moment of the error (so it follows edits under `npm start`).
 */
import { readdirSync } from 'node:fs';
import { parse } from 'velocityjs';
import { expandVtl, VTL_DIR, type VtlSourceLine } from '../resources/vtl';
import { UnsupportedTemplateError } from './vtl';

/** A placeholder (`@@TableName@@`) stands for any text once the template is packaged. */
const PLACEHOLDER = /@@\w+@@/g;

/** The text of each compiled template, kept for error messages only (never on the hot path). */
const templateTexts = new WeakMap<object, string>();

export function rememberTemplateText(compiled: object, text: string): void {
  templateTexts.set(compiled, text);
}

export function templateTextOf(compiled: object): string | undefined {
  return templateTexts.get(compiled);
}

/** Per line of `text`, its `## @include` chain in `vtl/`; undefined when no file matches. */
export function findVtlSources(text: string, vtlDir = VTL_DIR): VtlSourceLine[][] | undefined {
  const lines = text.split('\n');
  let files: string[];
  try {
    files = readdirSync(vtlDir).filter((f) => f.endsWith('.vtl'));
  } catch {
    return undefined;
  }
  // Whole templates before the `_` parts they include: a part's text is also inside them.
  files.sort((a, b) => Number(a.startsWith('_')) - Number(b.startsWith('_')) || a.localeCompare(b));
  for (const file of files) {
    let expanded;
    try {
      expanded = expandVtl(file, [], vtlDir);
    } catch {
      continue;
    }
    const candidate = expanded.text.split('\n');
    if (candidate.length === lines.length && candidate.every((l, i) => sameLine(l, lines[i]))) {
      return expanded.sources;
    }
  }
  return undefined;
}

function sameLine(source: string, packaged: string): boolean {
  if (source === packaged) return true;
  if (!source.includes('@@')) return false;
  const pattern = source
    .split(PLACEHOLDER)
    .map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
    .join('.*?');
  return new RegExp(`^${pattern}$`, 's').test(packaged);
}

/**
 * `line`/`column` (1-based) of a template error: as the runtime reports them, else, for a
 * template that does not parse, the first line at which it stops parsing.
 */
export function errorPosition(err: unknown, text?: string): { line?: number; column?: number } {
  const { line, column } = (err ?? {}) as { line?: unknown; column?: unknown };
  if (typeof line === 'number' && line > 0) {
    return { line, column: typeof column === 'number' && column > 0 ? column : undefined };
  }
  if (err instanceof UnsupportedTemplateError && text !== undefined) {
    return { line: firstUnparsableLine(text) };
  }
  return {};
}

/**
 * The first line whose text (with its newline) makes the template unparsable, found by parsing
 * ever longer prefixes: a prefix that only ends too early (an `#if(` still open) fails at its
 * end-of-input token, which is not the mistake. Only run for a template that failed to compile.
 */
function firstUnparsableLine(text: string): number | undefined {
  const lines = text.split('\n');
  for (let n = 1; n <= lines.length; n++) {
    const prefix = lines.slice(0, n).join('\n') + (n < lines.length ? '\n' : '');
    try {
      parse(prefix, undefined, false);
    } catch (err) {
      const token = (err as { hash?: { token?: unknown } }).hash?.token;
      if (token !== 'EOF') return n;
    }
  }
  return undefined;
}

/**
 * Where a template error sits, for people: `vtl/_to-json.vtl:30:7 (included from
 * vtl/get-item.response.vtl:12)`; `line 12 of the template` when no file in `vtl/` holds it;
 * `vtl/get-item.response.vtl` alone when the error has no line.
 */
export function describeTemplateLocation(
  text: string,
  err: unknown,
  vtlDir = VTL_DIR,
): string | undefined {
  const { line, column } = errorPosition(err, text);
  const sources = findVtlSources(text, vtlDir);
  if (line === undefined) return sources ? `vtl/${sources[0]?.[0]?.file}` : undefined;
  const chain = sources?.[line - 1];
  if (!chain) {
    const snippet = text.split('\n')[line - 1]?.trim();
    return `line ${line}${column ? `:${column}` : ''} of the template${snippet ? ` (${snippet.slice(0, 80)})` : ''}`;
  }
  const innermost = chain[chain.length - 1];
  // The column is the packaged line's; it is the file's too unless an include shifted it.
  const shifted = chain.length > 1 && innermost.line === 1;
  const here = `vtl/${innermost.file}:${innermost.line}${column && !shifted ? `:${column}` : ''}`;
  const outer = chain
    .slice(0, -1)
    .reverse()
    .map((s) => `vtl/${s.file}:${s.line}`);
  return outer.length ? `${here} (included from ${outer.join(', from ')})` : here;
}

/** `<location>: <error message>`, or the message alone when the location is unknown. */
export function describeTemplateError(text: string, err: unknown, vtlDir = VTL_DIR): string {
  const message = err instanceof Error ? err.message : String(err);
  const where = describeTemplateLocation(text, err, vtlDir);
  return where ? `${where}: ${message}` : message;
}
