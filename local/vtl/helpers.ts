/**
 * What compiled templates call at render time (compiler.ts generates calls to these, by
 * position in one frozen object, never by a name taken from a template): printing, property
 * and method access with Velocity's null rules, #set on paths, #foreach's scope and limits.
 */
import { TemplateRuntimeError, UnsupportedTemplateError } from './errors';
import { callJavaMethod, getJavaProperty, stringMethodWithLiterals } from './java';
import {
  add,
  divide,
  greaterOrEqual,
  greaterThan,
  javaClassName,
  lessOrEqual,
  lessThan,
  multiply,
  negate,
  rangeBound,
  remainder,
  subtract,
  velocityEquals,
} from './operators';
import { InputObject } from './input';
import { UTIL } from './util';
import { HostObject, JArray, JList, JMap, isNull, isNumber, javaToString } from './values';

/** API Gateway stops a #foreach after this many iterations (limits.md). */
export const FOREACH_LIMIT = 1000;

/**
 * A range outside #foreach ([1..$n] in a #set) is built as a list; beyond this many integers it
 * is refused instead of exhausting memory (inside #foreach a range is a counting loop).
 */
export const RANGE_LIST_LIMIT = 100_000;

export interface Warning {
  code: 'foreach-limit';
  message: string;
}

/** Per-render state the compiled code reports to. */
export interface RenderState {
  onWarning?: (warning: Warning) => void;
}

// Not Errors: they carry no stack trace, and one instance each is enough.
export class BreakSignal {}
export class StopSignal {}
export const BREAK = new BreakSignal();
export const STOP = new StopSignal();

/** $foreach inside a loop (Velocity 1.7's ForeachScope). */
export class ForeachScope implements HostObject {
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
    const property = FOREACH_GETTERS.get(name);
    if (args.length === 0 && property) return this.getProperty(property);
    throw new UnsupportedTemplateError(
      `$foreach.${name}() is not supported by the local VTL runtime`,
    );
  }
}

const FOREACH_GETTERS = new Map([
  ['getIndex', 'index'],
  ['getCount', 'count'],
  ['hasNext', 'hasNext'],
  ['isFirst', 'first'],
  ['isLast', 'last'],
  ['getFirst', 'first'],
  ['getLast', 'last'],
  ['getParent', 'parent'],
]);

/** The value of #define($name): renders its body with the variables current at print time. */
export class DefinedBlock {
  constructor(readonly render: () => string) {}
}

function checkNotBlock(holder: unknown): void {
  if (holder instanceof DefinedBlock) {
    throw new UnsupportedTemplateError(
      'calling methods on a #define block is not supported by the local VTL runtime',
    );
  }
}

/** What a reference prints: nothing for null (API Gateway), Java's toString otherwise. */
export function str(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value === null || value === undefined) return '';
  if (typeof value === 'number') return String(value);
  if (value instanceof DefinedBlock) return value.render();
  if (value instanceof JArray) {
    throw new TemplateRuntimeError(
      'printing a Java array (the result of split()) prints its identity hash on AWS; iterate it or use .get(i)',
    );
  }
  return javaToString(value);
}

/** $holder.name on anything but a map (maps are looked up inline). */
export function prop(holder: unknown, name: string): unknown {
  if (holder instanceof JMap) return holder.map.get(name);
  checkNotBlock(holder);
  return getJavaProperty(holder, name);
}

/** $holder[key]. */
export function index(holder: unknown, key: unknown): unknown {
  checkNotBlock(holder);
  if (holder instanceof JMap) return typeof key === 'string' ? holder.map.get(key) : undefined;
  if (holder instanceof JList || holder instanceof JArray) {
    if (typeof key !== 'number') return undefined;
    return callJavaMethod(holder, 'get', [key]);
  }
  return undefined;
}

export type Method = (target: unknown, ...args: unknown[]) => unknown;

/**
 * A method call whose target is not null, by name and arity, with fast paths for the common
 * ones. `literals`: the arguments, when they are all string literals in the template.
 */
export function method(name: string, arity: number, literals?: string[]): Method {
  const signature = `${name}/${arity}`;
  const slow: Method = (target, ...args) => {
    checkNotBlock(target);
    return callJavaMethod(target, name, args, signature);
  };
  const onString = literals && stringMethodWithLiterals(name, literals);
  if (onString && literals) {
    // The call site passes the same literals again: they are not read here.
    return (target) => (typeof target === 'string' ? onString(target) : slow(target, ...literals));
  }
  const fast = FAST_METHODS.get(signature);
  return fast ? fast(slow) : slow;
}

/** The methods the converters call once per value, without going through callJavaMethod. */
const FAST_METHODS = new Map<string, (slow: Method) => Method>([
  [
    'isEmpty/0',
    (slow) => (t) =>
      t instanceof JList ? t.items.length === 0 : t instanceof JMap ? t.map.size === 0 : slow(t),
  ],
  [
    'size/0',
    (slow) => (t) =>
      t instanceof JList ? t.items.length : t instanceof JMap ? t.map.size : slow(t),
  ],
  [
    'containsKey/1',
    (slow) => (t, k) => (t instanceof JMap ? typeof k === 'string' && t.map.has(k) : slow(t, k)),
  ],
  [
    'get/1',
    (slow) => (t, k) => {
      if (t instanceof JMap) return typeof k === 'string' ? (t.map.get(k) ?? null) : null;
      if (t instanceof JList && typeof k === 'number' && k >= 0 && k < t.items.length) {
        return t.items[k];
      }
      return slow(t, k);
    },
  ],
  [
    'add/1',
    (slow) => (t, v) => {
      if (t instanceof JList) {
        t.items.push(v);
        return true;
      }
      return slow(t, v);
    },
  ],
  [
    'remove/1',
    (slow) => (t, i) => {
      // The converters pop their stack: remove(size() - 1).
      if (t instanceof JList && typeof i === 'number' && i === t.items.length - 1 && i >= 0) {
        return t.items.pop();
      }
      return slow(t, i);
    },
  ],
  [
    'length/0',
    // Lists, maps, numbers and Booleans have no length(): null, as in Velocity.
    (slow) => (t) =>
      typeof t === 'string'
        ? t.length
        : t instanceof JMap || t instanceof JList || isScalar(t)
          ? undefined
          : slow(t),
  ],
  [
    'booleanValue/0',
    (slow) => (t) =>
      typeof t === 'boolean'
        ? t
        : typeof t === 'string' || isNumber(t) || t instanceof JMap || t instanceof JList
          ? undefined
          : slow(t),
  ],
  [
    'doubleValue/0',
    (slow) => (t) =>
      typeof t === 'string' || typeof t === 'boolean' || t instanceof JMap || t instanceof JList
        ? undefined
        : slow(t),
  ],
  [
    'keySet/0',
    (slow) => (t) =>
      t instanceof JMap ? new JList([...t.map.keys()]) : isScalar(t) ? undefined : slow(t),
  ],
  [
    'put/2',
    (slow) => (t, k, v) => {
      if (t instanceof JMap && typeof k === 'string') return t.put(k, v);
      return slow(t, k, v);
    },
  ],
]);

/**
 * A String, number or Boolean: classes without keySet() or size(), so Velocity finds no method
 * and the call is null (the converters ask every value, to tell its type).
 */
function isScalar(t: unknown): boolean {
  return typeof t === 'string' || typeof t === 'boolean' || isNumber(t);
}

// size() on a scalar: absent too.
const sizeOf = FAST_METHODS.get('size/0')!;
FAST_METHODS.set('size/0', (slow) => {
  const fast = sizeOf(slow);
  return (t) => (isScalar(t) ? undefined : fast(t));
});

/** #set($holder.key = value) / #set($holder[key] = value). */
export function setPath(holder: unknown, key: unknown, isIndex: boolean, value: unknown): void {
  if (holder instanceof JMap && typeof key === 'string') {
    holder.put(key, value);
  } else if (holder instanceof JList && typeof key === 'number' && isIndex) {
    callJavaMethod(holder, 'set', [key, value]);
  } else if (!isNull(holder)) {
    throw new UnsupportedTemplateError(
      `#set on ${javaClassName(holder)} property ${String(key)} is not supported by the local VTL runtime`,
    );
  }
}

/** What #foreach iterates: a list's live items, a map's values; null for anything else. */
export function items(value: unknown): unknown[] | null {
  if (value instanceof JList || value instanceof JArray) return value.items;
  if (value instanceof JMap) return [...value.map.values()];
  // Velocity 1.7 iterates nothing for null, strings, numbers.
  return null;
}

export function concurrentModification(): never {
  throw new TemplateRuntimeError(
    'ConcurrentModificationException: a #foreach list was modified inside its own loop',
  );
}

export function foreachLimit(state: RenderState, notVisited: number): void {
  state.onWarning?.({
    code: 'foreach-limit',
    message: `#foreach stopped after ${FOREACH_LIMIT} iterations (API Gateway's limit); ${notVisited} item(s) were not visited`,
  });
}

/** [from..to] as a value (outside #foreach): an ArrayList of Integers, null for non-numbers. */
export function rangeList(fromValue: unknown, toValue: unknown): JList | null {
  const from = rangeBound(fromValue);
  const to = rangeBound(toValue);
  if (from === undefined || to === undefined) return null;
  const n = Math.abs(to - from) + 1;
  if (n > RANGE_LIST_LIMIT) {
    throw new TemplateRuntimeError(
      `the range [${from}..${to}] has ${n} integers; the local VTL runtime builds at most ${RANGE_LIST_LIMIT} outside #foreach`,
    );
  }
  const values = new Array<number>(n);
  const step = from <= to ? 1 : -1;
  for (let i = 0; i < n; i++) values[i] = from + i * step;
  return new JList(values);
}

/** A list literal: a new ArrayList on every evaluation (templates add to it). */
export function list(values: unknown[]): JList {
  return new JList(values);
}

/** A map literal: a new LinkedHashMap on every evaluation. */
export function map(keys: string[], values: unknown[]): JMap {
  const m = new JMap();
  for (let i = 0; i < keys.length; i++) m.map.set(keys[i], values[i]);
  return m;
}

/** An error found at compile time in a part that may never run (an interpolated string). */
export function fail(message: string): never {
  throw new UnsupportedTemplateError(message);
}

/**
 * Everything the generated code uses, in a fixed order: the compiler refers to each by its
 * position in this list (compiler.ts), so the generated source contains no names from templates.
 */
export const HELPERS = {
  str,
  prop,
  index,
  setPath,
  items,
  concurrentModification,
  foreachLimit,
  rangeBound,
  rangeList,
  list,
  map,
  fail,
  add,
  subtract,
  multiply,
  divide,
  remainder,
  negate,
  velocityEquals,
  lessThan,
  lessOrEqual,
  greaterThan,
  greaterOrEqual,
  JMap,
  ForeachScope,
  DefinedBlock,
  BREAK,
  STOP,
  UTIL,
  FOREACH_LIMIT,
  InputObject,
};
