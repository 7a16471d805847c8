/**
 * The front end: a template's text to a tree of nodes (text, references, #set, #if, #foreach,
 * #define, #break, #stop), with Velocity 1.7's whitespace rules applied and every construct the
 * runtime cannot run exactly as API Gateway does refused by name (UnsupportedTemplateError).
 *
 * velocityjs parses VTL well but renders it the JavaScript way (JS numbers, arrays, truthiness,
 * its own whitespace rules). API Gateway runs Apache Velocity 1.7 on Java objects, so we keep
 * velocityjs' parser only, fix up its tree here, and compile it ourselves (compiler.ts), checked
 * case by case against the real engine (tests/unit/vtl-differential.test.ts).
 */
import { parse } from 'velocityjs';
import { UnsupportedTemplateError } from './errors';
import { UTIL_FUNCTIONS } from './util';

// velocityjs' AST, loosely typed: its published types do not cover every node it produces.
/* eslint-disable @typescript-eslint/no-explicit-any */
export type Ast = any;

export type Node =
  | { kind: 'text'; value: string }
  | { kind: 'ref'; ast: Ast }
  | { kind: 'set'; ast: Ast }
  | { kind: 'if'; branches: { condition: Ast | null; body: Node[] }[] }
  | { kind: 'foreach'; ast: Ast; body: Node[] }
  | { kind: 'define'; name: string; body: Node[] }
  | { kind: 'break' }
  | { kind: 'stop' };

type Token =
  | { kind: 'text'; value: string }
  | { kind: 'comment'; line: boolean }
  | { kind: 'node'; ast: Ast }
  | { kind: 'open'; ast: Ast }
  | { kind: 'else'; ast: Ast }
  | { kind: 'end' }
  | { kind: 'stop' };

function unsupported(what: string): UnsupportedTemplateError {
  return new UnsupportedTemplateError(what);
}

function flatten(nodes: Ast[], out: Token[]): void {
  for (const node of nodes) {
    if (typeof node === 'string') {
      const last = out[out.length - 1];
      if (last && last.kind === 'text') last.value += node;
      else out.push({ kind: 'text', value: node });
    } else if (Array.isArray(node)) {
      out.push({ kind: 'open', ast: node[0] });
      flatten(node.slice(1), out);
      out.push({ kind: 'end' });
    } else if (node.type === 'else' || node.type === 'elseif') {
      out.push({ kind: 'else', ast: node });
    } else if (node.type === 'comment') {
      const line = String(node.value).startsWith('##');
      const previous = out[out.length - 1];
      if (line && previous?.kind === 'node' && isPathReference(previous.ast)) {
        // Velocity 1.7 does not end `$a.b` at `##`: it prints `##` and the rest of the line
        // (checked on the reference engine). velocityjs reads a comment there.
        throw unsupported(
          '`##` right after a reference with a property or method ($a.b##): Velocity 1.7 prints it instead of reading a comment; write $!{a.b}## or put a space before ##',
        );
      }
      out.push({ kind: 'comment', line });
    } else if (node.type === 'raw') {
      // #[[ ... ]]# is unparsed content: printed verbatim.
      flatten([String(node.value)], out);
    } else {
      out.push({ kind: 'node', ast: node });
    }
  }
}

/** `$a.b`, `$a.b()`: a reference with a path, written without braces. */
function isPathReference(ast: Ast): boolean {
  if (typeof ast !== 'object' || ast === null || Array.isArray(ast)) return false;
  const ref = ast as { type?: string; path?: unknown[]; isWraped?: boolean };
  return ref.type === 'references' && !ref.isWraped && (ref.path?.length ?? 0) > 0;
}

const DIRECTIVE_IN_BRACES =
  /#\{(if|elseif|set|foreach|define|macro|include|parse|evaluate|break|stop)\}/;

/** velocityjs leaves #stop as text: split it out of text tokens. */
function splitStops(tokens: Token[]): Token[] {
  const out: Token[] = [];
  for (const t of tokens) {
    if (t.kind !== 'text') {
      out.push(t);
      continue;
    }
    const braced = DIRECTIVE_IN_BRACES.exec(t.value);
    if (braced && braced[1] !== 'stop') {
      throw unsupported(
        `#{${braced[1]}} (directive in braces) is not supported by the local VTL runtime; write #${braced[1]}`,
      );
    }
    const parts = t.value.split(/#(?:stop|\{stop\})/);
    parts.forEach((part, i) => {
      if (i > 0) out.push({ kind: 'stop' });
      if (part !== '') out.push({ kind: 'text', value: part });
    });
  }
  return out;
}

/**
 * Velocity 1.7's whitespace gobbling, as measured on the real engine:
 * - after #set(...), #if(...), #elseif(...), #else, #foreach(...), #define(...), #end: trailing
 *   spaces/tabs plus one newline are swallowed, but only when the newline is there;
 * - a ## comment swallows its newline;
 * - spaces/tabs right before #set are swallowed unless they follow text on the same token
 *   (i.e. after a reference, a directive, or at the start of the template).
 */
function gobble(tokens: Token[]): Token[] {
  const eatsNewline = (t: Token): boolean =>
    t.kind === 'open' ||
    t.kind === 'else' ||
    t.kind === 'end' ||
    (t.kind === 'node' && t.ast.type === 'set');
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i];
    const next = tokens[i + 1];
    if (next && next.kind === 'text') {
      if (eatsNewline(t)) next.value = next.value.replace(/^[ \t]*(?:\r\n|\n|\r)/, '');
      else if (t.kind === 'comment' && t.line)
        next.value = next.value.replace(/^(?:\r\n|\n|\r)/, '');
    }
    if (t.kind === 'node' && t.ast.type === 'set') {
      const prev = tokens[i - 1];
      const beforePrev = tokens[i - 2];
      if (
        prev &&
        prev.kind === 'text' &&
        /^[ \t]+$/.test(prev.value) &&
        (!beforePrev || beforePrev.kind !== 'text')
      ) {
        prev.value = '';
      }
    }
  }
  return tokens.filter((t) => !(t.kind === 'text' && t.value === '') && t.kind !== 'comment');
}

function build(tokens: Token[]): Node[] {
  const root: Node[] = [];
  const stack: { node: Node; body: Node[] }[] = [];
  const current = (): Node[] => (stack.length ? stack[stack.length - 1].body : root);
  for (const t of tokens) {
    switch (t.kind) {
      case 'text':
        current().push({ kind: 'text', value: t.value });
        break;
      case 'stop':
        current().push({ kind: 'stop' });
        break;
      case 'node':
        current().push(leaf(t.ast));
        break;
      case 'open': {
        const ast = t.ast;
        let node: Node;
        const body: Node[] = [];
        if (ast.type === 'if') {
          node = { kind: 'if', branches: [{ condition: ast.condition, body }] };
        } else if (ast.type === 'foreach') {
          node = { kind: 'foreach', ast, body };
        } else if (ast.type === 'define') {
          node = { kind: 'define', name: ast.id, body };
        } else if (ast.type === 'macro') {
          throw unsupported('#macro is not supported by API Gateway');
        } else {
          throw unsupported(`#${ast.type} is not supported by API Gateway`);
        }
        current().push(node);
        stack.push({ node, body });
        break;
      }
      case 'else': {
        const top = stack[stack.length - 1];
        if (!top || top.node.kind !== 'if') throw unsupported(`#${t.ast.type} outside #if`);
        const body: Node[] = [];
        top.node.branches.push({
          condition: t.ast.type === 'elseif' ? t.ast.condition : null,
          body,
        });
        top.body = body;
        break;
      }
      case 'end':
        stack.pop();
        break;
      default:
    }
  }
  return root;
}

function leaf(ast: Ast): Node {
  switch (ast.type) {
    case 'references':
      return { kind: 'ref', ast };
    case 'set':
      return { kind: 'set', ast };
    case 'break':
      return { kind: 'break' };
    case 'macro_call': {
      const id = String(ast.id);
      if (id === 'include' || id === 'parse' || id === 'evaluate') {
        throw unsupported(`#${id} is not supported by API Gateway`);
      }
      throw unsupported(`#${id}(...) is a macro call; API Gateway does not support #macro`);
    }
    default:
      throw unsupported(`#${ast.type} is not supported by API Gateway`);
  }
}

/** Walks every expression once at compile time to refuse what we cannot render faithfully. */
function checkExpression(ast: Ast): void {
  if (ast === null || ast === undefined || typeof ast !== 'object') return;
  if (Array.isArray(ast)) {
    ast.forEach(checkExpression);
    return;
  }
  switch (ast.type) {
    case 'references':
      if (ast.args !== undefined)
        throw unsupported(`$${ast.id}() (calling a bare reference) is not valid Velocity`);
      if (ast.id === 'util') {
        const first = ast.path?.[0];
        if (!first || first.type !== 'method') {
          if (first)
            throw unsupported(`$util.${first.id} is not one of API Gateway's $util functions`);
        } else if (!UTIL_NAMES.has(first.id)) {
          // AWS renders an unknown $util call as nothing; refusing it catches typos such as
          // $util.escapeJavascript at compile time instead of shipping a silently empty value.
          throw unsupported(
            `$util.${first.id} is not one of API Gateway's $util functions (${[...UTIL_NAMES].join(', ')})`,
          );
        }
      }
      for (const part of ast.path ?? []) {
        if (part.type === 'method') (part.args || []).forEach(checkExpression);
        if (part.type === 'index') checkExpression(part.id);
      }
      return;
    case 'bool':
      if (ast.value === 'null') throw unsupported('null is not a Velocity literal');
      return;
    case 'map':
      for (const [key, value] of Object.entries((ast.value ?? {}) as Record<string, Ast>)) {
        // velocityjs keeps map literals in a JS object, which would reorder integer-like keys.
        if (/^(?:0|[1-9]\d*)$/.test(key)) {
          throw unsupported(
            `map literal key "${key}" (integer-like keys lose their order in the local VTL runtime)`,
          );
        }
        checkExpression(value);
      }
      return;
    case 'array':
      ((ast.value ?? []) as Ast[]).forEach(checkExpression);
      return;
    case 'math':
      (ast.expression as Ast[]).forEach(checkExpression);
      return;
    case 'string':
    case 'integer':
    case 'decimal':
      return;
    default:
      throw unsupported(`expression ${String(ast.type)} is not supported by the local VTL runtime`);
  }
}

/** The six `$util` functions API Gateway documents (util.ts implements them). */
const UTIL_NAMES = new Set<string>(UTIL_FUNCTIONS);

function checkNodes(nodes: Node[]): void {
  for (const node of nodes) {
    switch (node.kind) {
      case 'ref':
        checkExpression(node.ast);
        break;
      case 'set':
        checkExpression(node.ast.equal[0]);
        checkExpression(node.ast.equal[1]);
        break;
      case 'if':
        for (const b of node.branches) {
          checkExpression(b.condition);
          checkNodes(b.body);
        }
        break;
      case 'foreach':
        checkExpression(node.ast.from);
        checkNodes(node.body);
        break;
      case 'define':
        checkNodes(node.body);
        break;
      default:
    }
  }
}

/** Offsets covered by parsed directives/references, to find escapes left in plain text. */
function lineOffsets(source: string): number[] {
  const starts = [0];
  for (let i = 0; i < source.length; i++) if (source[i] === '\n') starts.push(i + 1);
  return starts;
}

function collectRanges(nodes: Ast[], starts: number[], out: [number, number][]): void {
  for (const node of nodes) {
    if (Array.isArray(node)) collectRanges(node, starts, out);
    else if (node && typeof node === 'object' && node.pos) {
      const p = node.pos;
      out.push([
        starts[p.first_line - 1] + p.first_column,
        starts[p.last_line - 1] + p.last_column,
      ]);
    }
  }
}

function checkEscapes(source: string, ast: Ast[]): void {
  const ranges: [number, number][] = [];
  collectRanges(ast, lineOffsets(source), ranges);
  const escape = /\\+[$#]/g;
  for (const m of source.matchAll(escape)) {
    const at = (m.index ?? 0) + m[0].length - 1;
    if (!ranges.some(([from, to]) => at >= from && at < to)) {
      // velocityjs drops the escaping backslash, and Velocity 1.7's rule depends on whether the
      // reference is defined: not worth emulating for mapping templates.
      throw unsupported(
        `escaped ${m[0].endsWith('$') ? 'reference' : 'directive'} (${m[0]}) in template text is not supported by the local VTL runtime`,
      );
    }
  }
}

const PROTO_MAP_KEY = /['"]__proto__['"]\s*:/;

export function parseTemplate(template: string): Node[] {
  let ast: Ast[];
  try {
    ast = parse(template, undefined, false) as Ast[];
  } catch (e) {
    throw new UnsupportedTemplateError(
      `template does not parse: ${(e as Error).message.split('\n').slice(0, 3).join(' ')}`,
    );
  }
  checkEscapes(template, ast);
  if (PROTO_MAP_KEY.test(template)) {
    // velocityjs builds map literals as JS objects, where this key sets the prototype instead.
    throw unsupported(
      'map literal key "__proto__" (velocityjs drops it; build the map with $map.put("__proto__", ...))',
    );
  }
  const tokens: Token[] = [];
  flatten(ast, tokens);
  const nodes = build(gobble(splitStops(tokens)));
  checkNodes(nodes);
  return nodes;
}
