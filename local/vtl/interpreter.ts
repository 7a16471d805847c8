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
      out.push({ kind: 'comment', line: String(node.value).startsWith('##') });
    } else if (node.type === 'raw') {
      // #[[ ... ]]# is unparsed content: printed verbatim.
      flatten([String(node.value)], out);
    } else {
      out.push({ kind: 'node', ast: node });
    }
  }
}

const DIRECTIVE_IN_BRACES = /#\{(if|elseif|set|foreach|define|macro|include|parse|evaluate|break|stop)\}/;

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
      throw unsupported(`#{${braced[1]}} (directive in braces) is not supported by the local VTL runtime; write #${braced[1]}`);
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
    t.kind === 'open' || t.kind === 'else' || t.kind === 'end' || (t.kind === 'node' && t.ast.type === 'set');
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i];
    const next = tokens[i + 1];
    if (next && next.kind === 'text') {
      if (eatsNewline(t)) next.value = next.value.replace(/^[ \t]*(?:\r\n|\n|\r)/, '');
      else if (t.kind === 'comment' && t.line) next.value = next.value.replace(/^(?:\r\n|\n|\r)/, '');
    }
    if (t.kind === 'node' && t.ast.type === 'set') {
      const prev = tokens[i - 1];
      const beforePrev = tokens[i - 2];
      if (prev && prev.kind === 'text' && /^[ \t]+$/.test(prev.value) && (!beforePrev || beforePrev.kind !== 'text')) {
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
        top.node.branches.push({ condition: t.ast.type === 'elseif' ? t.ast.condition : null, body });
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
      if (ast.args !== undefined) throw unsupported(`$${ast.id}() (calling a bare reference) is not valid Velocity`);
      if (ast.id === 'util') {
        const first = ast.path?.[0];
        if (!first || first.type !== 'method') {
          if (first) throw unsupported(`$util.${first.id} is not one of API Gateway's $util functions`);
        } else if (!UTIL_NAMES.has(first.id)) {
          // AWS renders an unknown $util call as nothing; refusing it catches typos such as
          // $util.escapeJavascript at compile time instead of shipping a silently empty value.
          throw unsupported(`$util.${first.id} is not one of API Gateway's $util functions (${[...UTIL_NAMES].join(', ')})`);
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
          throw unsupported(`map literal key "${key}" (integer-like keys lose their order in the local VTL runtime)`);
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

const UTIL_NAMES = new Set([
  'escapeJavaScript',
  'parseJson',
  'urlEncode',
  'urlDecode',
  'base64Encode',
  'base64Decode',
]);

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
      out.push([starts[p.first_line - 1] + p.first_column, starts[p.last_line - 1] + p.last_column]);
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
    throw new UnsupportedTemplateError(`template does not parse: ${(e as Error).message.split('\n').slice(0, 3).join(' ')}`);
  }
  checkEscapes(template, ast);
  const tokens: Token[] = [];
  flatten(ast, tokens);
  const nodes = build(gobble(splitStops(tokens)));
  checkNodes(nodes);
  return nodes;
}

class BreakSignal {}
class StopSignal {}

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
    const getters: Record<string, string> = {
      getIndex: 'index',
      getCount: 'count',
      hasNext: 'hasNext',
      isFirst: 'first',
      isLast: 'last',
      getFirst: 'first',
      getLast: 'last',
      getParent: 'parent',
    };
    if (args.length === 0 && getters[name]) return this.getProperty(getters[name]);
    throw unsupported(`$foreach.${name}() is not supported by the local VTL runtime`);
  }
}

/** The value of #define($name): renders its body with the variables current at print time. */
class DefinedBlock {
  constructor(readonly body: Node[]) {}
}

export interface RenderState {
  vars: Map<string, unknown>;
  out: string[];
  onWarning?: (warning: Warning) => void;
}

const INT_MIN = -2147483648;
const INT_MAX = 2147483647;

export class Interpreter {
  private readonly interpolations = new Map<string, Node[]>();

  constructor(private readonly state: RenderState) {}

  run(nodes: Node[]): string {
    try {
      this.renderNodes(nodes);
    } catch (e) {
      // #stop, and #break outside a loop, end the template; output so far stands.
      if (!(e instanceof StopSignal) && !(e instanceof BreakSignal)) throw e;
    }
    return this.state.out.join('');
  }

  private renderNodes(nodes: Node[]): void {
    for (const node of nodes) this.renderNode(node);
  }

  private renderNode(node: Node): void {
    const out = this.state.out;
    switch (node.kind) {
      case 'text':
        out.push(node.value);
        return;
      case 'ref': {
        const value = this.reference(node.ast);
        out.push(this.print(value));
        return;
      }
      case 'set':
        this.set(node.ast);
        return;
      case 'if':
        for (const branch of node.branches) {
          if (branch.condition === null || this.condition(branch.condition)) {
            this.renderNodes(branch.body);
            return;
          }
        }
        return;
      case 'foreach':
        this.foreach(node.ast, node.body);
        return;
      case 'define':
        this.state.vars.set(node.name, new DefinedBlock(node.body));
        return;
      case 'break':
        throw new BreakSignal();
      case 'stop':
        throw new StopSignal();
      default:
    }
  }

  /** What a reference prints: API Gateway renders null and undefined as nothing. */
  private print(value: unknown): string {
    if (isNull(value)) return '';
    if (value instanceof DefinedBlock) return this.renderBlock(value);
    if (value instanceof JArray) {
      throw new TemplateRuntimeError(
        'printing a Java array (the result of split()) prints its identity hash on AWS; iterate it or use .get(i)',
      );
    }
    return javaToString(value);
  }

  private renderBlock(block: DefinedBlock): string {
    const saved = this.state.out;
    this.state.out = [];
    try {
      this.renderNodes(block.body);
      return this.state.out.join('');
    } finally {
      this.state.out = saved;
    }
  }

  private foreach(ast: Ast, body: Node[]): void {
    const iterable = this.value(ast.from);
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
    const vars = this.state.vars;
    const name = String(ast.to);
    const saved = ['foreach', 'velocityCount', 'velocityHasNext', name].map((k) => [k, vars.get(k), vars.has(k)] as const);
    const scope = new ForeachScope(vars.get('foreach'));
    const startLength = items.length;
    try {
      for (let i = 0; i < items.length; i++) {
        if (live && live.length !== startLength) {
          throw new TemplateRuntimeError('ConcurrentModificationException: a #foreach list was modified inside its own loop');
        }
        if (i >= FOREACH_LIMIT) {
          this.state.onWarning?.({
            code: 'foreach-limit',
            message: `#foreach stopped after ${FOREACH_LIMIT} iterations (API Gateway's limit); ${items.length - i} item(s) were not visited`,
          });
          break;
        }
        scope.index = i;
        scope.hasNextValue = i + 1 < items.length;
        vars.set('foreach', scope);
        vars.set('velocityCount', i + 1);
        vars.set('velocityHasNext', scope.hasNextValue);
        vars.set(name, items[i]);
        try {
          this.renderNodes(body);
        } catch (e) {
          if (e instanceof BreakSignal) break;
          throw e;
        }
      }
    } finally {
      for (const [k, v, had] of saved) {
        if (had) vars.set(k, v);
        else vars.delete(k);
      }
    }
  }

  private set(ast: Ast): void {
    const [target, expr] = ast.equal as [Ast, Ast];
    const value = this.value(expr);
    // Velocity 1.7 (directive.set.null.allowed = false) leaves the target unchanged.
    if (isNull(value)) return;
    const path: Ast[] = target.path ?? [];
    if (path.length === 0) {
      this.state.vars.set(String(target.id), value);
      return;
    }
    let holder = this.state.vars.get(String(target.id));
    for (const part of path.slice(0, -1)) {
      holder = this.step(holder, part);
      if (isNull(holder)) return;
    }
    const last = path[path.length - 1];
    const key = last.type === 'index' ? this.value(last.id) : last.id;
    if (holder instanceof JMap && typeof key === 'string') {
      holder.put(key, value);
    } else if (holder instanceof JList && typeof key === 'number' && last.type === 'index') {
      callJavaMethod(holder, 'set', [key, value]);
    } else if (!isNull(holder)) {
      throw unsupported(`#set on ${javaClassName(holder)} property ${String(key)} is not supported by the local VTL runtime`);
    }
  }

  private step(holder: unknown, part: Ast): unknown {
    if (isNull(holder)) return undefined;
    if (holder instanceof DefinedBlock) {
      throw unsupported('calling methods on a #define block is not supported by the local VTL runtime');
    }
    switch (part.type) {
      case 'property':
        return getJavaProperty(holder, String(part.id));
      case 'method': {
        const args = ((part.args || []) as Ast[]).map((a) => this.value(a));
        return callJavaMethod(holder, String(part.id), args);
      }
      case 'index': {
        const key = this.value(part.id);
        if (holder instanceof JMap) return typeof key === 'string' ? holder.map.get(key) : undefined;
        if (holder instanceof JList || holder instanceof JArray) {
          if (typeof key !== 'number') return undefined;
          return callJavaMethod(holder, 'get', [key]);
        }
        return undefined;
      }
      default:
        throw unsupported(`reference part ${String(part.type)}`);
    }
  }

  reference(ast: Ast): unknown {
    let value = this.state.vars.get(String(ast.id));
    for (const part of ast.path ?? []) {
      value = this.step(value, part);
      if (isNull(value)) return undefined;
    }
    return value;
  }

  /** #if / && / || / ! truthiness (Velocity 1.7 Node.evaluate). */
  condition(ast: Ast): boolean {
    switch (ast.type) {
      case 'references': {
        const value = this.reference(ast);
        if (isNull(value)) return false;
        if (typeof value === 'boolean') return value;
        return true;
      }
      case 'bool':
        return ast.value === 'true';
      case 'math': {
        const op = String(ast.operator);
        const [a, b] = ast.expression as Ast[];
        if (op === '&&') return this.condition(a) && this.condition(b);
        if (op === '||') return this.condition(a) || this.condition(b);
        if (op === 'not' || op === '!') return !this.condition(a);
        if (op === 'parenthesis') return this.condition(a);
        if (COMPARISONS.has(op)) return this.value(ast) === true;
        // Arithmetic nodes evaluate to false in 1.7 (SimpleNode.evaluate).
        return false;
      }
      default:
        // Literals ('', 0, [], {}) evaluate to false in 1.7: only references and booleans count.
        return false;
    }
  }

  value(ast: Ast): unknown {
    switch (ast.type) {
      case 'references':
        return this.reference(ast);
      case 'string':
        return ast.isEval ? this.interpolate(String(ast.value)) : String(ast.value);
      case 'integer':
        return integerLiteral(String(ast.value));
      case 'decimal':
        return new JDouble(Number(ast.value));
      case 'bool':
        return ast.value === 'true';
      case 'array':
        if (ast.isRange) return this.range(ast.value[0], ast.value[1]);
        return new JList(((ast.value ?? []) as Ast[]).map((a) => this.value(a)));
      case 'map':
        return new JMap(
          Object.entries((ast.value ?? {}) as Record<string, Ast>).map(
            ([k, v]) => [k, this.value(v)] as [string, unknown],
          ),
        );
      case 'math':
        return this.math(ast);
      default:
        throw unsupported(`expression ${String(ast.type)}`);
    }
  }

  private rangeEnd(end: Ast): unknown {
    if (typeof end === 'string' || typeof end === 'number') return integerLiteral(String(end));
    return this.value(end);
  }

  private range(fromAst: Ast, toAst: Ast): unknown {
    const from = this.rangeEnd(fromAst);
    const to = this.rangeEnd(toAst);
    if (typeof from !== 'number' || typeof to !== 'number') return null;
    const items: number[] = [];
    const step = from <= to ? 1 : -1;
    for (let i = from; step > 0 ? i <= to : i >= to; i += step) items.push(i);
    return new JList(items);
  }

  private interpolate(text: string): string {
    // Velocity only interpolates double-quoted strings containing $ or #.
    if (!text.includes('$') && !text.includes('#')) return text;
    let nodes = this.interpolations.get(text);
    if (!nodes) {
      nodes = compileNodes(text);
      this.interpolations.set(text, nodes);
    }
    const saved = this.state.out;
    this.state.out = [];
    try {
      this.renderNodes(nodes);
      return this.state.out.join('');
    } finally {
      this.state.out = saved;
    }
  }

  private math(ast: Ast): unknown {
    const op = String(ast.operator);
    const [aAst, bAst] = ast.expression as Ast[];
    if (op === '&&' || op === '||' || op === 'not' || op === '!') return this.condition(ast);
    if (op === 'parenthesis') return this.value(aAst);
    if (op === 'minus') return arithmetic('-', 0, this.value(aAst));
    const a = this.value(aAst);
    const b = this.value(bAst);
    if (op === '==' || op === '!=') {
      const eq = velocityEquals(a, b);
      return op === '==' ? eq : !eq;
    }
    if (COMPARISONS.has(op)) return compare(op, a, b);
    return arithmetic(op, a, b);
  }
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

/** 1.7 arithmetic: Integer op Integer stays integral (widening on overflow), Double otherwise. */
function arithmetic(op: string, a: unknown, b: unknown): unknown {
  const numeric = (v: unknown): boolean => isInteger(v) || v instanceof JDouble;
  if (!numeric(a) || !numeric(b)) return null;
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

void INT_MIN;
void INT_MAX;
