/**
 * The compiler: parser.ts' tree to one JavaScript function per template, built once with
 * `new Function` and called once per render.
 *
 * - Every Velocity variable is a local of the generated function (v0, v1, ...), found by slot
 *   at compile time; $input, $util, $context and $stageVariables are v0..v3.
 * - #foreach is a JavaScript loop; over a range ([1..$n]) a counting loop, with no list built.
 *   Its variables are saved and restored around it, as Velocity's scopes do.
 * - Operators and method calls go to the Java-semantics helpers (helpers.ts, operators.ts,
 *   java.ts); a method call site gets its own function, chosen at compile time by name and arity.
 *
 * Safety: the generated source holds only names this file makes up (v3, t1, k7, L2, ...),
 * numbers it counts, and JavaScript syntax. Every value from the template (text, names, string
 * and number literals, method names) is passed in the constants array K and referred to by
 * position; the source has no string literal at all (tests/unit/vtl-compiler.test.ts checks
 * that no quote character can appear in it, whatever the template).
 */
import { TemplateRuntimeError, UnsupportedTemplateError } from './errors';
import { HELPERS, RenderState, method } from './helpers';
import { inputMethod } from './input';
import { Ast, Node, parseTemplate } from './parser';
import { utilFunction } from './util';
import { JDouble, parseJavaInteger } from './values';

/** The variables every render starts with, in slot order. */
export const GLOBAL_NAMES = ['input', 'util', 'context', 'stageVariables'] as const;

export type Program = (globals: unknown[], state: RenderState) => string;

export interface CompiledProgram {
  render: Program;
  /** The generated JavaScript (for tests and debugging). */
  source: string;
}

const HELPER_NAMES = Object.keys(HELPERS) as (keyof typeof HELPERS)[];
/** Helpers by name, as the generated code names them (`h` + position). */
const H = Object.fromEntries(HELPER_NAMES.map((name, i) => [name, `h${i}`])) as Record<
  keyof typeof HELPERS,
  string
>;

const FOREACH_VARIABLES = /\$!?\{?(?:foreach|velocityCount|velocityHasNext)\b/;

/** One generated function: the render function, a #define body, or an interpolated string. */
class FunctionScope {
  code: string[] = [];
  temps = 0;
  /** Labels of the enclosing loops, innermost last. */
  loops: string[] = [];
  /** A #define body: a #break outside its loops ends the body only. */
  endsOnBreak = false;
  temp(): string {
    return `t${this.temps++}`;
  }
  declarations(): string {
    if (this.temps === 0) return '';
    return `let ${Array.from({ length: this.temps }, (_, i) => `t${i}`).join(', ')};`;
  }
}

class Compiler {
  private readonly constants: unknown[] = [];
  private readonly constantIndex = new Map<string, number>();
  private readonly slots = new Map<string, number>();
  /** Nested functions (#define bodies, interpolated strings), declared in the render function. */
  private readonly functions: string[] = [];
  private labels = 0;
  /**
   * Whether a #break can be thrown from a nested function (a #define body or a string printed
   * in a loop): loops then catch it. Found by a first compilation (see compileTemplate).
   */
  private readonly breakInFunction: boolean;
  /** Set when a nested function throws #break: the template is compiled again, catching it. */
  breakThrown = false;
  private readonly foreachVariables: boolean;
  private readonly empty: string;

  constructor(template: string, breakInFunction: boolean) {
    for (const name of GLOBAL_NAMES) this.slot(name);
    // Loops set $foreach, $velocityCount and $velocityHasNext only for templates that read them.
    this.foreachVariables = FOREACH_VARIABLES.test(template);
    this.breakInFunction = breakInFunction;
    this.empty = this.constant('');
  }

  /** A value from the template, referred to by position: never written into the source. */
  constant(value: unknown): string {
    const key =
      typeof value === 'string' || typeof value === 'number' || typeof value === 'bigint'
        ? `${typeof value}:${String(value)}`
        : undefined;
    if (key !== undefined) {
      const known = this.constantIndex.get(key);
      if (known !== undefined) return `k${known}`;
    }
    this.constants.push(value);
    const i = this.constants.length - 1;
    if (key !== undefined) this.constantIndex.set(key, i);
    return `k${i}`;
  }

  slot(name: string): string {
    let i = this.slots.get(name);
    if (i === undefined) {
      i = this.slots.size;
      this.slots.set(name, i);
    }
    return `v${i}`;
  }

  private main: FunctionScope | undefined;

  compile(nodes: Node[]): CompiledProgram {
    const main = new FunctionScope();
    this.main = main;
    this.body(nodes, main);
    const slotCount = this.slots.size;
    const vars = Array.from({ length: slotCount }, (_, i) =>
      i < GLOBAL_NAMES.length ? `v${i} = G[${i}]` : `v${i}`,
    );
    const source = [
      `const ${HELPER_NAMES.map((_, i) => `h${i} = H[${i}]`).join(', ')};`,
      this.constants.length > 0
        ? `const ${this.constants.map((_, i) => `k${i} = K[${i}]`).join(', ')};`
        : '',
      'return function render(G, S) {',
      `let ${vars.join(', ')};`,
      `let out = ${this.empty};`,
      main.declarations(),
      ...this.functions,
      'try {',
      ...main.code,
      `} catch (e) { if (e !== ${H.STOP} && e !== ${H.BREAK}) throw e; }`,
      'return out;',
      '};',
    ].join('\n');
    const factory = new Function('H', 'K', source) as (h: unknown[], k: unknown[]) => Program;
    const render = factory(
      HELPER_NAMES.map((name) => HELPERS[name]),
      this.constants,
    );
    return { render, source };
  }

  // ---- statements -------------------------------------------------------------------------

  body(nodes: Node[], fn: FunctionScope): void {
    let text = '';
    for (const node of nodes) {
      if (node.kind === 'text') {
        text += node.value;
        continue;
      }
      if (text !== '') fn.code.push(`out += ${this.constant(text)};`);
      text = '';
      this.node(node, fn);
    }
    if (text !== '') fn.code.push(`out += ${this.constant(text)};`);
  }

  node(node: Node, fn: FunctionScope): void {
    switch (node.kind) {
      case 'ref': {
        const t = fn.temp();
        fn.code.push(`${t} = ${this.reference(node.ast, fn)}; out += ${H.str}(${t});`);
        return;
      }
      case 'set':
        this.set(node.ast, fn);
        return;
      case 'if':
        this.if(node.branches, fn);
        return;
      case 'foreach':
        this.foreach(node.ast, node.body, fn);
        return;
      case 'define': {
        const name = this.nestedFunction(node.body, 'define');
        fn.code.push(`${this.slot(node.name)} = new ${H.DefinedBlock}(${name});`);
        return;
      }
      case 'break':
        if (fn.loops.length > 0) fn.code.push(`break ${fn.loops[fn.loops.length - 1]};`);
        else {
          if (fn !== this.main && !fn.endsOnBreak) this.breakThrown = true;
          fn.code.push(`throw ${H.BREAK};`);
        }
        return;
      case 'stop':
        fn.code.push(`throw ${H.STOP};`);
        return;
      default:
        throw new UnsupportedTemplateError(`node ${(node as { kind: string }).kind}`);
    }
  }

  /**
   * A nested function rendering `nodes` to a string of its own; returns its name. A #break at
   * the top of a #define body ends that body (its scope in Velocity 1.7); one in a string ends
   * the enclosing #foreach.
   */
  nestedFunction(nodes: Node[], kind: 'define' | 'string'): string {
    const name = `f${this.functions.length}`;
    this.functions.push(''); // reserve the position: nested bodies may add functions
    const fn = new FunctionScope();
    fn.endsOnBreak = kind === 'define';
    this.body(nodes, fn);
    const code =
      kind === 'define'
        ? ['try {', ...fn.code, `} catch (e) { if (e !== ${H.BREAK}) throw e; }`]
        : fn.code;
    this.functions[Number(name.slice(1))] = [
      `function ${name}() {`,
      `let out = ${this.empty};`,
      fn.declarations(),
      ...code,
      'return out;',
      '}',
    ].join('\n');
    return name;
  }

  set(ast: Ast, fn: FunctionScope): void {
    const [target, valueAst] = ast.equal as [Ast, Ast];
    const value = this.expression(valueAst, fn);
    const variable = this.slot(String(target.id));
    const path: Ast[] = target.path ?? [];
    const v = fn.temp();
    if (path.length === 0) {
      // Velocity 1.7 (directive.set.null.allowed = false) leaves the target unchanged.
      fn.code.push(`${v} = ${value}; if (${v} != null) ${variable} = ${v};`);
      return;
    }
    const holder = this.chain(variable, path.slice(0, -1), fn);
    const last = path[path.length - 1];
    const isIndex = last.type === 'index';
    const key = isIndex ? this.expression(last.id, fn) : this.constant(String(last.id));
    const h = fn.temp();
    fn.code.push(
      `${v} = ${value};`,
      `if (${v} != null) { ${h} = ${holder}; if (${h} != null) ${H.setPath}(${h}, ${key}, ${isIndex}, ${v}); }`,
    );
  }

  if(branches: { condition: Ast | null; body: Node[] }[], fn: FunctionScope): void {
    branches.forEach((branch, i) => {
      const keyword = i === 0 ? 'if' : branch.condition === null ? '} else' : '} else if';
      fn.code.push(
        branch.condition === null
          ? `${keyword} {`
          : `${keyword} (${this.condition(branch.condition, fn)}) {`,
      );
      this.body(branch.body, fn);
    });
    fn.code.push('}');
  }

  foreach(ast: Ast, body: Node[], fn: FunctionScope): void {
    const label = `L${this.labels++}`;
    const variable = this.slot(String(ast.to));
    // The variables a loop sets, saved before and restored after it.
    const saved: [string, string][] = [[variable, `${label}_v`]];
    let scope: string | undefined;
    let count: string | undefined;
    let hasNext: string | undefined;
    if (this.foreachVariables) {
      scope = this.slot('foreach');
      count = this.slot('velocityCount');
      hasNext = this.slot('velocityHasNext');
      saved.push([scope, `${label}_f`], [count, `${label}_c`], [hasNext, `${label}_h`]);
    }
    const i = `${label}_i`;
    const n = `${label}_n`;
    const from = ast.from as Ast;
    const isRange = from.type === 'array' && from.isRange;
    const code = fn.code;
    code.push(`{ const ${saved.map(([slot, copy]) => `${copy} = ${slot}`).join(', ')};`);
    if (scope) code.push(`const ${label}_s = new ${H.ForeachScope}(${scope});`);
    code.push('try {');
    let current: string;
    if (isRange) {
      const [a, b] = from.value as [Ast, Ast];
      code.push(
        `const ${label}_a = ${H.rangeBound}(${this.rangeEnd(a, fn)}), ${label}_b = ${H.rangeBound}(${this.rangeEnd(b, fn)});`,
        `if (${label}_a !== undefined && ${label}_b !== undefined) {`,
        `const ${label}_d = ${label}_a <= ${label}_b ? 1 : -1, ${n} = (${label}_b - ${label}_a) * ${label}_d + 1;`,
        `${label}: for (let ${i} = 0; ${i} < ${n}; ${i}++) {`,
      );
      current = `${label}_a + ${i} * ${label}_d`;
    } else {
      code.push(
        `const ${label}_l = ${H.items}(${this.expression(from, fn)});`,
        `if (${label}_l !== null) {`,
        `const ${n} = ${label}_l.length;`,
        `${label}: for (let ${i} = 0; ${i} < ${label}_l.length; ${i}++) {`,
        `if (${label}_l.length !== ${n}) ${H.concurrentModification}();`,
      );
      current = `${label}_l[${i}]`;
    }
    code.push(`if (${i} >= ${H.FOREACH_LIMIT}) { ${H.foreachLimit}(S, ${n} - ${i}); break; }`);
    if (scope && count && hasNext) {
      code.push(
        `${label}_s.index = ${i}; ${label}_s.hasNextValue = ${i} + 1 < ${n};`,
        `${scope} = ${label}_s; ${count} = ${i} + 1; ${hasNext} = ${i} + 1 < ${n};`,
      );
    }
    code.push(`${variable} = ${current};`);
    fn.loops.push(label);
    const bodyStart = code.length;
    this.body(body, fn);
    fn.loops.pop();
    if (this.breakInFunction) {
      // A #break thrown from a #define body or a string printed in this loop ends the loop.
      code.splice(bodyStart, 0, 'try {');
      code.push(`} catch (e) { if (e === ${H.BREAK}) break; throw e; }`);
    }
    code.push('}', '}');
    // Restored in this order: $name last wins when the loop variable is one of the others.
    code.push(
      `} finally { ${[...saved.slice(1), saved[0]].map(([slot, copy]) => `${slot} = ${copy};`).join(' ')} }`,
      '}',
    );
  }

  rangeEnd(end: Ast, fn: FunctionScope): string {
    if (typeof end === 'string' || typeof end === 'number') return this.integer(end);
    return this.expression(end, fn);
  }

  // ---- expressions ------------------------------------------------------------------------

  /** $a, $a.b, $a.b(), $a[i]: undefined as soon as a step is null. */
  reference(ast: Ast, fn: FunctionScope): string {
    if (ast.args !== undefined) {
      throw new UnsupportedTemplateError(
        `$${ast.id}() (calling a bare reference) is not valid Velocity`,
      );
    }
    return this.chain(this.slot(String(ast.id)), (ast.path ?? []) as Ast[], fn);
  }

  chain(start: string, path: Ast[], fn: FunctionScope): string {
    if (path.length === 0) return start;
    const t = fn.temp();
    let code = `(${t} = ${start}) == null ? undefined : `;
    path.forEach((part, i) => {
      const step = this.step(start, i === 0, part, t, fn);
      code += `(${t} = ${step}) == null ? undefined : `;
    });
    return `(${code}${t})`;
  }

  step(start: string, first: boolean, part: Ast, t: string, fn: FunctionScope): string {
    switch (part.type) {
      case 'property': {
        const name = this.constant(String(part.id));
        return `(${t} instanceof ${H.JMap} ? ${t}.map.get(${name}) : ${H.prop}(${t}, ${name}))`;
      }
      case 'method': {
        const name = String(part.id);
        const argAsts = (part.args || []) as Ast[];
        const args = argAsts.map((arg) => this.expression(arg, fn));
        // Arguments that are all plain string literals: the method can be prepared now.
        const literals = argAsts.every(
          (arg) =>
            arg.type === 'string' &&
            (!arg.isEval || !(String(arg.value).includes('$') || String(arg.value).includes('#'))),
        )
          ? argAsts.map((arg) => String(arg.value))
          : undefined;
        const call = this.constant(method(name, args.length, literals));
        const generic = `${call}(${[t, ...args].join(', ')})`;
        // $util.f(x) while $util is API Gateway's: the function itself, chosen now.
        const util =
          first && start === this.slot('util') && args.length === 1 && utilFunction(name);
        if (util) {
          return `(${t} === ${H.UTIL} ? ${this.constant(util)}(${args[0]}) : ${generic})`;
        }
        // $input.params(...), .path(p), .json(p) while $input is API Gateway's: likewise.
        const input = first && start === this.slot('input') && inputMethod(name, args.length);
        if (input) {
          return `(${t} instanceof ${H.InputObject} ? ${this.constant(input)}(${[t, ...args].join(', ')}) : ${generic})`;
        }
        return generic;
      }
      case 'index':
        return `${H.index}(${t}, ${this.expression(part.id, fn)})`;
      default:
        throw new UnsupportedTemplateError(`reference part ${String(part.type)}`);
    }
  }

  expression(ast: Ast, fn: FunctionScope): string {
    switch (ast.type) {
      case 'references':
        return this.reference(ast, fn);
      case 'string': {
        const text = String(ast.value);
        // Velocity only interpolates double-quoted strings containing $ or #.
        if (!ast.isEval || (!text.includes('$') && !text.includes('#'))) return this.constant(text);
        return this.interpolation(text, fn);
      }
      case 'integer':
        return this.integer(ast.value);
      case 'decimal':
        return this.constant(new JDouble(Number(ast.value)));
      case 'bool':
        return ast.value === 'true' ? 'true' : 'false';
      case 'array': {
        if (ast.isRange) {
          const [a, b] = ast.value as [Ast, Ast];
          return `${H.rangeList}(${this.rangeEnd(a, fn)}, ${this.rangeEnd(b, fn)})`;
        }
        const items = ((ast.value ?? []) as Ast[]).map((item) => this.expression(item, fn));
        return `${H.list}([${items.join(', ')}])`;
      }
      case 'map': {
        const entries = Object.entries((ast.value ?? {}) as Record<string, Ast>);
        const keys = this.constant(entries.map(([k]) => k));
        const values = entries.map(([, v]) => this.expression(v, fn));
        return `${H.map}(${keys}, [${values.join(', ')}])`;
      }
      case 'math':
        return this.math(ast, fn);
      default:
        throw new UnsupportedTemplateError(`expression ${String(ast.type)}`);
    }
  }

  integer(literal: unknown): string {
    if (typeof literal === 'number' && !Number.isSafeInteger(literal)) {
      // velocityjs reads negative literals as JS numbers: digits beyond 2^53 are already lost.
      throw new UnsupportedTemplateError(
        `the integer literal ${literal} is beyond 2^53: the local VTL runtime cannot read it exactly`,
      );
    }
    return this.constant(parseJavaInteger(String(literal)));
  }

  /** "...$x..." : text and references joined inline; anything else a nested function. */
  interpolation(text: string, fn: FunctionScope): string {
    let nodes: Node[];
    try {
      nodes = parseTemplate(text);
    } catch (e) {
      // A string that is never evaluated must not fail the template: fail when it is.
      if (!(e instanceof UnsupportedTemplateError)) throw e;
      return `${H.fail}(${this.constant(e.message)})`;
    }
    if (nodes.every((n) => n.kind === 'text' || n.kind === 'ref')) {
      const parts = nodes.map((n) =>
        n.kind === 'text' ? this.constant(n.value) : `${H.str}(${this.reference(n.ast, fn)})`,
      );
      return `(${[this.empty, ...parts].join(' + ')})`;
    }
    return `${this.nestedFunction(nodes, 'string')}()`;
  }

  math(ast: Ast, fn: FunctionScope): string {
    const op = String(ast.operator);
    const [a, b] = ast.expression as Ast[];
    switch (op) {
      case '&&':
      case '||':
      case 'not':
      case '!':
        return this.condition(ast, fn);
      case 'parenthesis':
        return this.expression(a, fn);
      case 'minus':
        return `${H.negate}(${this.expression(a, fn)})`;
      case '==':
        return `${H.velocityEquals}(${this.expression(a, fn)}, ${this.expression(b, fn)})`;
      case '!=':
        return `!${H.velocityEquals}(${this.expression(a, fn)}, ${this.expression(b, fn)})`;
      case '<':
        return `${H.lessThan}(${this.expression(a, fn)}, ${this.expression(b, fn)})`;
      case '<=':
        return `${H.lessOrEqual}(${this.expression(a, fn)}, ${this.expression(b, fn)})`;
      case '>':
        return `${H.greaterThan}(${this.expression(a, fn)}, ${this.expression(b, fn)})`;
      case '>=':
        return `${H.greaterOrEqual}(${this.expression(a, fn)}, ${this.expression(b, fn)})`;
      case '+':
        return `${H.add}(${this.expression(a, fn)}, ${this.expression(b, fn)})`;
      case '-':
        return `${H.subtract}(${this.expression(a, fn)}, ${this.expression(b, fn)})`;
      case '*':
        return `${H.multiply}(${this.expression(a, fn)}, ${this.expression(b, fn)})`;
      case '/':
        return `${H.divide}(${this.expression(a, fn)}, ${this.expression(b, fn)})`;
      case '%':
        return `${H.remainder}(${this.expression(a, fn)}, ${this.expression(b, fn)})`;
      default:
        throw new UnsupportedTemplateError(`operator ${op}`);
    }
  }

  /** #if / && / || / ! truthiness (Velocity 1.7 Node.evaluate). */
  condition(ast: Ast, fn: FunctionScope): string {
    switch (ast.type) {
      case 'references': {
        const t = fn.temp();
        return `((${t} = ${this.reference(ast, fn)}) != null && ${t} !== false)`;
      }
      case 'bool':
        return ast.value === 'true' ? 'true' : 'false';
      case 'math': {
        const op = String(ast.operator);
        const [a, b] = ast.expression as Ast[];
        switch (op) {
          case '&&':
            return `(${this.condition(a, fn)} && ${this.condition(b, fn)})`;
          case '||':
            return `(${this.condition(a, fn)} || ${this.condition(b, fn)})`;
          case 'not':
          case '!':
            return `!${this.condition(a, fn)}`;
          case 'parenthesis':
            return this.condition(a, fn);
          case '==':
          case '!=':
          case '<':
          case '<=':
          case '>':
          case '>=':
            return `(${this.math(ast, fn)} === true)`;
          default:
            // Arithmetic nodes evaluate to false in 1.7 (SimpleNode.evaluate).
            return 'false';
        }
      }
      default:
        // Literals ('', 0, [], {}) evaluate to false in 1.7: only references and booleans count.
        return 'false';
    }
  }
}

/** Parses and compiles a template (throws UnsupportedTemplateError for what AWS would not run). */
export function compileTemplate(template: string): CompiledProgram {
  const nodes = parseTemplate(template);
  try {
    const compiler = new Compiler(template, false);
    const program = compiler.compile(nodes);
    return compiler.breakThrown ? new Compiler(template, true).compile(nodes) : program;
  } catch (e) {
    if (e instanceof SyntaxError) {
      // Generated code that does not parse is a bug in this file, never the template's fault.
      throw new TemplateRuntimeError(`the VTL compiler produced invalid code: ${e.message}`);
    }
    throw e;
  }
}
