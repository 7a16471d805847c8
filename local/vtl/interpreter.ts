/**
 * A Velocity 1.7 interpreter over velocityjs' parse tree.
 *
 * velocityjs parses VTL well but renders it the JavaScript way (JS numbers, arrays, truthiness,
 * its own whitespace rules). API Gateway runs Apache Velocity 1.7 on Java objects, so we keep
 * velocityjs' parser and evaluate the tree ourselves with 1.7's semantics, checked case by case
 * against the real engine (tests/unit/vtl-differential.test.ts).
 */
import { parse } from 'velocityjs';
import { TemplateRuntimeError, UnsupportedTemplateError } from './errors';
import { callJavaMethod, getJavaProperty, javaClassName, javaEquals } from './java';
import { UTIL_FUNCTIONS } from './util';
import {
  HostObject,
  JArray,
  JDouble,
  JList,
  JMap,
  isHostObject,
  isInteger,
  isNull,
  javaToString,
} from './values';

/** API Gateway stops a #foreach after this many iterations (limits.md). */
export const FOREACH_LIMIT = 1000;

// velocityjs' AST, loosely typed: its published types do not cover every node it produces.
/* eslint-disable @typescript-eslint/no-explicit-any */
type Ast = any;

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

export interface Warning {
  code: 'foreach-limit';
  message: string;
}

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

export function compileNodes(template: string): Node[] {
  let ast: Ast[];
  try {
    ast = parse(template, undefined, false) as Ast[];
  } catch (e) {
    throw new UnsupportedTemplateError(
      `template does not parse: ${(e as Error).message.split('\n').slice(0, 3).join(' ')}`,
    );
  }
  checkEscapes(template, ast);
  const tokens: Token[] = [];
  flatten(ast, tokens);
  const nodes = build(gobble(splitStops(tokens)));
  checkNodes(nodes);
  return nodes;
}

/*
 * Evaluation: compileNodes' tree is compiled once more, into closures. Each node and expression
 * becomes a function that does only its own work at render time: the AST is inspected (types,
 * operators, names, literals) while compiling, not on every render, which is where a tree-walking
 * interpreter spends most of its time on these templates (they loop over every value of a
 * DynamoDB item).
 */

/** The state of one render. `out` is a string: V8 appends to strings in place (ropes). */
export interface Runtime {
  /** Variables by slot (see Symbols); undefined: not set. */
  vars: unknown[];
  out: string;
  onWarning?: (warning: Warning) => void;
}

/**
 * Variable names to slots in Runtime.vars, assigned at compile time: a render looks variables
 * up by index instead of hashing their names. Interpolated strings compiled later add theirs.
 */
export class Symbols {
  private readonly slots = new Map<string, number>();
  get size(): number {
    return this.slots.size;
  }
  slot(name: string): number {
    let i = this.slots.get(name);
    if (i === undefined) {
      i = this.slots.size;
      this.slots.set(name, i);
    }
    return i;
  }
}

/** A compiled node: appends to rt.out and/or changes rt.vars. */
export type Exec = (rt: Runtime) => void;
/** A compiled expression. */
type Expr = (rt: Runtime) => unknown;
/** A compiled expression in a condition (#if, &&, ||, !). */
type Cond = (rt: Runtime) => boolean;
/** One step of a reference ($a.b, $a.b(), $a[i]) applied to the value so far. */
type Step = (holder: unknown, rt: Runtime) => unknown;

// Not Errors: they carry no stack trace, and one instance each is enough.
class BreakSignal {}
class StopSignal {}
const BREAK = new BreakSignal();
const STOP = new StopSignal();

/** $foreach inside a loop (Velocity 1.7's ForeachScope). */
class ForeachScope implements HostObject {
  readonly hostName = '$foreach';
  index = -1;
  hasNextValue = false;
  constructor(readonly parent: unknown) {}
  getProperty(name: string): unknown {
    switch (name) {
      case 'index':
        return this.index;
      case 'count':
        return this.index + 1;
      case 'hasNext':
        return this.hasNextValue;
      case 'first':
        return this.index === 0;
      case 'last':
        return !this.hasNextValue;
      case 'parent':
        return this.parent;
      default:
        return undefined;
    }
  }
  callMethod(name: string, args: unknown[]): unknown {
    const property = FOREACH_GETTERS[name];
    if (args.length === 0 && property) return this.getProperty(property);
    throw unsupported(`$foreach.${name}() is not supported by the local VTL runtime`);
  }
}

const FOREACH_GETTERS: Record<string, string | undefined> = {
  getIndex: 'index',
  getCount: 'count',
  hasNext: 'hasNext',
  isFirst: 'first',
  isLast: 'last',
  getFirst: 'first',
  getLast: 'last',
  getParent: 'parent',
};

/** The value of #define($name): renders its body with the variables current at print time. */
class DefinedBlock {
  constructor(readonly body: Exec) {}
}

/**
 * Compiles a template's nodes. The result renders with the given initial variables ($input,
 * $util ...) and returns the output, which #stop ends.
 */
export function compileProgram(
  nodes: Node[],
): (globals: Iterable<[string, unknown]>, onWarning?: (warning: Warning) => void) => string {
  const sym = new Symbols();
  const body = compileBody(sym, nodes);
  return (globals, onWarning) => {
    // Filled, so that the array starts out packed (V8's fast elements).
    const rt: Runtime = { vars: new Array<unknown>(sym.size).fill(undefined), out: '', onWarning };
    for (const [name, value] of globals) rt.vars[sym.slot(name)] = value;
    try {
      body(rt);
    } catch (e) {
      // #stop, and #break outside a loop, end the template; output so far stands.
      if (!(e instanceof StopSignal) && !(e instanceof BreakSignal)) throw e;
    }
    return rt.out;
  };
}

/** Renders `body` into a string of its own (a #define block, an interpolated string). */
function renderToString(body: Exec, rt: Runtime): string {
  const saved = rt.out;
  rt.out = '';
  try {
    body(rt);
    return rt.out;
  } finally {
    rt.out = saved;
  }
}

function compileBody(sym: Symbols, nodes: Node[]): Exec {
  const execs: Exec[] = [];
  let text: string | undefined;
  for (const node of nodes) {
    // Adjacent text (around a removed comment) is appended at once.
    if (node.kind === 'text') {
      text = (text ?? '') + node.value;
      continue;
    }
    if (text !== undefined) execs.push(compileText(text));
    text = undefined;
    execs.push(compileNode(sym, node));
  }
  if (text !== undefined) execs.push(compileText(text));
  if (execs.length === 0) return () => {};
  if (execs.length === 1) return execs[0];
  if (execs.length === 2) {
    const [a, b] = execs;
    return (rt) => {
      a(rt);
      b(rt);
    };
  }
  const n = execs.length;
  return (rt) => {
    for (let i = 0; i < n; i++) execs[i](rt);
  };
}

function compileText(value: string): Exec {
  return (rt) => {
    rt.out += value;
  };
}

function compileNode(sym: Symbols, node: Node): Exec {
  switch (node.kind) {
    case 'text':
      return compileText(node.value);
    case 'ref': {
      const ref = compileReference(sym, node.ast);
      return (rt) => {
        const value = ref(rt);
        // What a reference prints: API Gateway renders null and undefined as nothing.
        if (value === null || value === undefined) return;
        rt.out += typeof value === 'string' ? value : print(value, rt);
      };
    }
    case 'set':
      return compileSet(sym, node.ast);
    case 'if':
      return compileIf(sym, node.branches);
    case 'foreach':
      return compileForeach(sym, node.ast, compileBody(sym, node.body));
    case 'define': {
      const block = new DefinedBlock(compileBody(sym, node.body));
      const slot = sym.slot(node.name);
      return (rt) => {
        rt.vars[slot] = block;
      };
    }
    case 'break':
      return () => {
        throw BREAK;
      };
    case 'stop':
      return () => {
        throw STOP;
      };
    default:
      throw unsupported(`node ${(node as { kind: string }).kind}`);
  }
}

/** What a non-null, non-string reference prints. */
function print(value: unknown, rt: Runtime): string {
  if (value instanceof DefinedBlock) return renderToString(value.body, rt);
  if (value instanceof JArray) {
    throw new TemplateRuntimeError(
      'printing a Java array (the result of split()) prints its identity hash on AWS; iterate it or use .get(i)',
    );
  }
  return javaToString(value);
}

function compileIf(sym: Symbols, branches: { condition: Ast | null; body: Node[] }[]): Exec {
  const conds: (Cond | null)[] = branches.map((b) =>
    b.condition === null ? null : compileCondition(sym, b.condition),
  );
  const bodies: Exec[] = branches.map((b) => compileBody(sym, b.body));
  if (branches.length === 1) {
    const [cond] = conds;
    const [body] = bodies;
    if (cond) {
      return (rt) => {
        if (cond(rt)) body(rt);
      };
    }
  }
  if (branches.length === 2 && conds[0] && conds[1] === null) {
    const [cond] = conds;
    const [then, otherwise] = bodies;
    return (rt) => {
      if (cond!(rt)) then(rt);
      else otherwise(rt);
    };
  }
  const n = branches.length;
  return (rt) => {
    for (let i = 0; i < n; i++) {
      const cond = conds[i];
      if (cond === null || cond(rt)) {
        bodies[i](rt);
        return;
      }
    }
  };
}

function compileForeach(sym: Symbols, ast: Ast, body: Exec): Exec {
  const from = compileValue(sym, ast.from);
  const name = sym.slot(String(ast.to));
  const foreachSlot = sym.slot('foreach');
  const countSlot = sym.slot('velocityCount');
  const hasNextSlot = sym.slot('velocityHasNext');
  return (rt) => {
    const iterable = from(rt);
    let items: unknown[];
    let live: unknown[] | undefined;
    if (iterable instanceof JList || iterable instanceof JArray) {
      items = iterable.items;
      live = iterable.items;
    } else if (iterable instanceof JMap) {
      items = [...iterable.map.values()];
    } else {
      // Velocity 1.7 iterates nothing for null, strings, numbers.
      return;
    }
    const vars = rt.vars;
    // The loop's variables are restored (or removed) afterwards, as Velocity's scopes do.
    const savedForeach = vars[foreachSlot];
    const savedCount = vars[countSlot];
    const savedHasNext = vars[hasNextSlot];
    const savedName = vars[name];
    const scope = new ForeachScope(savedForeach);
    const startLength = items.length;
    try {
      for (let i = 0; i < items.length; i++) {
        if (live && live.length !== startLength) {
          throw new TemplateRuntimeError(
            'ConcurrentModificationException: a #foreach list was modified inside its own loop',
          );
        }
        if (i >= FOREACH_LIMIT) {
          rt.onWarning?.({
            code: 'foreach-limit',
            message: `#foreach stopped after ${FOREACH_LIMIT} iterations (API Gateway's limit); ${items.length - i} item(s) were not visited`,
          });
          break;
        }
        scope.index = i;
        scope.hasNextValue = i + 1 < items.length;
        vars[foreachSlot] = scope;
        vars[countSlot] = i + 1;
        vars[hasNextSlot] = scope.hasNextValue;
        vars[name] = items[i];
        try {
          body(rt);
        } catch (e) {
          if (e instanceof BreakSignal) break;
          throw e;
        }
      }
    } finally {
      // Restored in this order: $name last wins when the loop variable is one of the others.
      vars[foreachSlot] = savedForeach;
      vars[countSlot] = savedCount;
      vars[hasNextSlot] = savedHasNext;
      vars[name] = savedName;
    }
  };
}

function compileSet(sym: Symbols, ast: Ast): Exec {
  const [target, expr] = ast.equal as [Ast, Ast];
  const value = compileValue(sym, expr);
  const id = sym.slot(String(target.id));
  const path: Ast[] = target.path ?? [];
  if (path.length === 0) {
    return (rt) => {
      const v = value(rt);
      // Velocity 1.7 (directive.set.null.allowed = false) leaves the target unchanged.
      if (v === null || v === undefined) return;
      rt.vars[id] = v;
    };
  }
  const steps = path.slice(0, -1).map((part: Ast) => compileStep(sym, part));
  const last = path[path.length - 1];
  const isIndex = last.type === 'index';
  const keyExpr: Expr = isIndex ? compileValue(sym, last.id) : constant(last.id);
  return (rt) => {
    const v = value(rt);
    if (isNull(v)) return;
    let holder = rt.vars[id];
    for (const step of steps) {
      holder = step(holder, rt);
      if (isNull(holder)) return;
    }
    const key = keyExpr(rt);
    if (holder instanceof JMap && typeof key === 'string') {
      holder.put(key, v);
    } else if (holder instanceof JList && typeof key === 'number' && isIndex) {
      callJavaMethod(holder, 'set', [key, v]);
    } else if (!isNull(holder)) {
      throw unsupported(
        `#set on ${javaClassName(holder)} property ${String(key)} is not supported by the local VTL runtime`,
      );
    }
  };
}

function constant(value: unknown): Expr {
  return () => value;
}

function compileStep(sym: Symbols, part: Ast): Step {
  switch (part.type) {
    case 'property': {
      const name = String(part.id);
      return (holder) => {
        // A map property is a get(): the common case, checked first.
        if (holder instanceof JMap) return holder.map.get(name);
        if (isNull(holder)) return undefined;
        checkNotBlock(holder);
        return getJavaProperty(holder, name);
      };
    }
    case 'method': {
      const name = String(part.id);
      const args = ((part.args || []) as Ast[]).map((arg: Ast) => compileValue(sym, arg));
      const n = args.length;
      // callJavaMethod dispatches on "name/arity": built once here, not on every call.
      const signature = `${name}/${n}`;
      return (holder, rt) => {
        if (isNull(holder)) return undefined;
        checkNotBlock(holder);
        const values = new Array<unknown>(n);
        for (let i = 0; i < n; i++) values[i] = args[i](rt);
        return callJavaMethod(holder, name, values, signature);
      };
    }
    case 'index': {
      const keyExpr = compileValue(sym, part.id);
      return (holder, rt) => {
        if (isNull(holder)) return undefined;
        checkNotBlock(holder);
        const key = keyExpr(rt);
        if (holder instanceof JMap)
          return typeof key === 'string' ? holder.map.get(key) : undefined;
        if (holder instanceof JList || holder instanceof JArray) {
          if (typeof key !== 'number') return undefined;
          return callJavaMethod(holder, 'get', [key]);
        }
        return undefined;
      };
    }
    default:
      throw unsupported(`reference part ${String(part.type)}`);
  }
}

function checkNotBlock(holder: unknown): void {
  if (holder instanceof DefinedBlock) {
    throw unsupported(
      'calling methods on a #define block is not supported by the local VTL runtime',
    );
  }
}

function compileReference(sym: Symbols, ast: Ast): Expr {
  const id = sym.slot(String(ast.id));
  const steps = ((ast.path ?? []) as Ast[]).map((part: Ast) => compileStep(sym, part));
  switch (steps.length) {
    case 0:
      return (rt) => rt.vars[id];
    case 1: {
      const [first] = steps;
      return (rt) => {
        const value = first(rt.vars[id], rt);
        return isNull(value) ? undefined : value;
      };
    }
    default: {
      const n = steps.length;
      return (rt) => {
        let value = rt.vars[id];
        for (let i = 0; i < n; i++) {
          value = steps[i](value, rt);
          if (isNull(value)) return undefined;
        }
        return value;
      };
    }
  }
}

const FALSE: Cond = () => false;
const TRUE: Cond = () => true;

/** #if / && / || / ! truthiness (Velocity 1.7 Node.evaluate). */
function compileCondition(sym: Symbols, ast: Ast): Cond {
  switch (ast.type) {
    case 'references': {
      const ref = compileReference(sym, ast);
      return (rt) => {
        const value = ref(rt);
        if (isNull(value)) return false;
        if (typeof value === 'boolean') return value;
        return true;
      };
    }
    case 'bool':
      return ast.value === 'true' ? TRUE : FALSE;
    case 'math': {
      const op = String(ast.operator);
      const [a, b] = ast.expression as Ast[];
      if (op === '&&') {
        const x = compileCondition(sym, a);
        const y = compileCondition(sym, b);
        return (rt) => x(rt) && y(rt);
      }
      if (op === '||') {
        const x = compileCondition(sym, a);
        const y = compileCondition(sym, b);
        return (rt) => x(rt) || y(rt);
      }
      if (op === 'not' || op === '!') {
        const x = compileCondition(sym, a);
        return (rt) => !x(rt);
      }
      if (op === 'parenthesis') return compileCondition(sym, a);
      if (COMPARISONS.has(op)) {
        const value = compileValue(sym, ast);
        return (rt) => value(rt) === true;
      }
      // Arithmetic nodes evaluate to false in 1.7 (SimpleNode.evaluate).
      return FALSE;
    }
    default:
      // Literals ('', 0, [], {}) evaluate to false in 1.7: only references and booleans count.
      return FALSE;
  }
}

function compileValue(sym: Symbols, ast: Ast): Expr {
  switch (ast.type) {
    case 'references':
      return compileReference(sym, ast);
    case 'string': {
      const text = String(ast.value);
      // Velocity only interpolates double-quoted strings containing $ or #.
      if (!ast.isEval || (!text.includes('$') && !text.includes('#'))) return constant(text);
      return compileInterpolation(sym, text);
    }
    case 'integer':
      return constant(integerLiteral(String(ast.value)));
    case 'decimal': {
      const n = Number(ast.value);
      return () => new JDouble(n);
    }
    case 'bool':
      return constant(ast.value === 'true');
    case 'array': {
      if (ast.isRange) return compileRange(sym, ast.value[0], ast.value[1]);
      // A list literal is a new ArrayList on every evaluation: templates add to it.
      const items = ((ast.value ?? []) as Ast[]).map((arg: Ast) => compileValue(sym, arg));
      return (rt) => new JList(items.map((item) => item(rt)));
    }
    case 'map': {
      const entries = Object.entries((ast.value ?? {}) as Record<string, Ast>).map(
        ([k, v]) => [k, compileValue(sym, v)] as const,
      );
      return (rt) => {
        const map = new JMap();
        for (const [k, v] of entries) map.map.set(k, v(rt));
        return map;
      };
    }
    case 'math':
      return compileMath(sym, ast);
    default:
      throw unsupported(`expression ${String(ast.type)}`);
  }
}

/**
 * "...$x..." strings. Their text is parsed on first use, not at compile time: a string that is
 * never evaluated must not fail the template. The result is kept for later renders.
 */
function compileInterpolation(sym: Symbols, text: string): Expr {
  let body: Exec | undefined;
  return (rt) => {
    if (!body) body = compileBody(sym, compileNodes(text));
    return renderToString(body, rt);
  };
}

function compileRange(sym: Symbols, fromAst: Ast, toAst: Ast): Expr {
  const rangeEnd = (end: Ast): Expr =>
    typeof end === 'string' || typeof end === 'number'
      ? constant(integerLiteral(String(end)))
      : compileValue(sym, end);
  const fromExpr = rangeEnd(fromAst);
  const toExpr = rangeEnd(toAst);
  return (rt) => {
    const from = fromExpr(rt);
    const to = toExpr(rt);
    if (typeof from !== 'number' || typeof to !== 'number') return null;
    const items: number[] = [];
    if (from <= to) for (let i = from; i <= to; i++) items.push(i);
    else for (let i = from; i >= to; i--) items.push(i);
    return new JList(items);
  };
}

function compileMath(sym: Symbols, ast: Ast): Expr {
  const op = String(ast.operator);
  const [aAst, bAst] = ast.expression as Ast[];
  if (op === '&&' || op === '||' || op === 'not' || op === '!') return compileCondition(sym, ast);
  if (op === 'parenthesis') return compileValue(sym, aAst);
  if (op === 'minus') {
    const x = compileValue(sym, aAst);
    return (rt) => arithmetic('-', 0, x(rt));
  }
  const a = compileValue(sym, aAst);
  const b = compileValue(sym, bAst);
  if (op === '==') return (rt) => velocityEquals(a(rt), b(rt));
  if (op === '!=') return (rt) => !velocityEquals(a(rt), b(rt));
  if (COMPARISONS.has(op)) return (rt) => compare(op, a(rt), b(rt));
  return (rt) => arithmetic(op, a(rt), b(rt));
}

const COMPARISONS = new Set(['==', '!=', '<', '>', '<=', '>=']);

function integerLiteral(text: string): number | bigint {
  const n = Number(text);
  return Number.isSafeInteger(n) ? n : BigInt(text);
}

function toNumber(value: unknown): number {
  if (value instanceof JDouble) return value.value;
  return Number(value);
}

/**
 * Velocity 1.7 ASTEQNode: numbers compare by value, same-class objects with equals(), others by
 * toString(). One API Gateway difference (LocalStack's AWS-recorded
 * test_input_path_template_formatting): a null reference compares equal to "".
 */
export function velocityEquals(a: unknown, b: unknown): boolean {
  if (isNull(a) || isNull(b)) {
    if (isNull(a) && isNull(b)) return true;
    return a === '' || b === '';
  }
  // The common cases first, without BigInt: two Strings, two Integers.
  if (typeof a === 'string' && typeof b === 'string') return a === b;
  if (
    typeof a === 'number' &&
    typeof b === 'number' &&
    Number.isInteger(a) &&
    Number.isInteger(b)
  ) {
    return a === b;
  }
  if ((isInteger(a) || a instanceof JDouble) && (isInteger(b) || b instanceof JDouble)) {
    if (isInteger(a) && isInteger(b)) return BigInt(a) === BigInt(b);
    return toNumber(a) === toNumber(b);
  }
  if (javaClassName(a) === javaClassName(b)) return javaEquals(a, b);
  if ((a instanceof JList || a instanceof JMap) && (b instanceof JList || b instanceof JMap)) {
    // ArrayList and JSONArray are both Lists: equals() applies.
    return javaEquals(a, b);
  }
  return javaToString(a) === javaToString(b);
}

function compare(op: string, a: unknown, b: unknown): boolean {
  const numeric = (v: unknown): boolean => isInteger(v) || v instanceof JDouble;
  // 1.7 only orders numbers; anything else logs an error and is false.
  if (!numeric(a) || !numeric(b)) return false;
  const x = toNumber(a);
  const y = toNumber(b);
  switch (op) {
    case '<':
      return x < y;
    case '>':
      return x > y;
    case '<=':
      return x <= y;
    default:
      return x >= y;
  }
}

/** Integers up to Java's Integer range. */
const SMALL = 2 ** 31;

/** 1.7 arithmetic: Integer op Integer stays integral (widening on overflow), Double otherwise. */
function arithmetic(op: string, a: unknown, b: unknown): unknown {
  const numeric = (v: unknown): boolean => isInteger(v) || v instanceof JDouble;
  if (!numeric(a) || !numeric(b)) return null;
  if (
    typeof a === 'number' &&
    typeof b === 'number' &&
    Math.abs(a) <= SMALL &&
    Math.abs(b) <= SMALL
  ) {
    // Integers this small give exact results in doubles (a product too, as long as it is a
    // safe integer), so BigInt is only needed beyond. `+ 0` turns -0 into 0, as BigInt has no -0.
    switch (op) {
      case '+':
        return a + b + 0;
      case '-':
        return a - b + 0;
      case '*': {
        const r = a * b + 0;
        if (Number.isSafeInteger(r)) return r;
        break;
      }
      case '/':
        return b === 0 ? null : Math.trunc(a / b) + 0;
      case '%':
        return b === 0 ? null : (a % b) + 0;
      default:
    }
  }
  if (isInteger(a) && isInteger(b)) {
    const x = BigInt(a);
    const y = BigInt(b);
    let r: bigint;
    switch (op) {
      case '+':
        r = x + y;
        break;
      case '-':
        r = x - y;
        break;
      case '*':
        r = x * y;
        break;
      case '/':
        if (y === 0n) return null;
        r = x / y;
        break;
      case '%':
        if (y === 0n) return null;
        r = x % y;
        break;
      default:
        throw unsupported(`operator ${op}`);
    }
    const n = Number(r);
    return Number.isSafeInteger(n) ? n : r;
  }
  const x = toNumber(a);
  const y = toNumber(b);
  switch (op) {
    case '+':
      return new JDouble(x + y);
    case '-':
      return new JDouble(x - y);
    case '*':
      return new JDouble(x * y);
    case '/':
      return y === 0 ? null : new JDouble(x / y);
    case '%':
      return y === 0 ? null : new JDouble(x % y);
    default:
      throw unsupported(`operator ${op}`);
  }
}

export function isHost(value: unknown): value is HostObject {
  return isHostObject(value);
}
