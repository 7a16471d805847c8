/**
 * Java methods that templates call on Velocity values, with Java semantics: a template written
 * against API Gateway calls java.lang.String / java.util.List / java.util.Map methods, not JS ones.
 * A method we do not implement raises UnsupportedTemplateError instead of guessing.
 */
import { TemplateRuntimeError, UnsupportedTemplateError } from './errors';
import {
  compareNumbers,
  doubleValue,
  intValue,
  javaClassName,
  javaEquals,
  longValue,
  numberClassName,
} from './operators';

export { javaClassName, javaEquals };
import { JArray, JList, JMap, isHostObject, isNull, isNumber, javaToString } from './values';

/**
 * Translates a java.util.regex pattern to a JS RegExp, refusing the constructs whose meaning
 * differs or that JS lacks, so a pattern never silently matches differently.
 */
export function javaRegex(pattern: string, extraFlags = ''): RegExp {
  return cached(REGEX_CACHE, `${extraFlags}/${pattern}`, () => translateRegex(pattern, extraFlags));
}

/**
 * Compiled patterns by flags and source: templates call replaceAll/matches with the same few
 * literal patterns on every render. Sharing a RegExp is safe here: replace() and test() on
 * non-global patterns ignore lastIndex, replace() with a global one resets it, and matchAll()
 * works on a copy. Patterns can come from input data, so the caches are bounded; failures
 * are not cached and throw every time.
 */
const REGEX_CACHE = new Map<string, RegExp>();
const WHOLE_MATCH_CACHE = new Map<string, RegExp>();
const REPLACEMENT_CACHE = new Map<string, string>();
const CACHE_LIMIT = 256;

function cached<T>(cache: Map<string, T>, key: string, make: () => T): T {
  let value = cache.get(key);
  if (value === undefined) {
    value = make();
    if (cache.size >= CACHE_LIMIT) cache.clear();
    cache.set(key, value);
  }
  return value;
}

/** String.matches: the pattern must match the whole string. */
function wholeMatchRegex(pattern: string): RegExp {
  return cached(WHOLE_MATCH_CACHE, pattern, () => {
    const re = javaRegex(pattern);
    return new RegExp(`^(?:${re.source})$`, re.flags);
  });
}

function translateRegex(pattern: string, extraFlags: string): RegExp {
  let flags = extraFlags;
  let src = pattern;
  // Leading inline flags are common ((?i)abc); JS only takes flags outside the pattern.
  const lead = /^\(\?([imsx]+)\)/.exec(src);
  if (lead) {
    if (lead[1].includes('x')) throw unsupportedRegex(pattern, 'comments mode (?x)');
    flags += lead[1];
    src = src.slice(lead[0].length);
  }
  // Order matters: the first match names the construct.
  const refuse: [RegExp, string][] = [
    // JS reads \p{..} as literal text without the u flag, and has no POSIX/java classes.
    [/\\[pP]\{/, 'POSIX/Unicode character classes \\p{...}'],
    [/\(\?[imsxdu-]+[:)]/, 'inline flags inside the pattern'],
    [/\(\?>/, 'atomic groups (?>...)'],
    [/(?<!\\)(?:\\\\)*[*+?}]\+/, 'possessive quantifiers'],
    [/\\[QEGZzAhHvVRX]/, 'the escapes \\Q \\E \\G \\A \\Z \\z \\h \\v \\R \\X'],
    [/\[[^\]]*(?<!\\)\[/, 'nested character classes / class intersection'],
  ];
  for (const [re, what] of refuse) if (re.test(src)) throw unsupportedRegex(pattern, what);
  try {
    return new RegExp(src, flags.includes('g') ? flags : flags);
  } catch (e) {
    throw new TemplateRuntimeError(
      `invalid regular expression ${JSON.stringify(pattern)}: ${(e as Error).message}`,
    );
  }
}

function unsupportedRegex(pattern: string, what: string): UnsupportedTemplateError {
  return new UnsupportedTemplateError(
    `Java regex ${JSON.stringify(pattern)} uses ${what}, which the local VTL runtime cannot reproduce in JavaScript`,
  );
}

/** Java Matcher.replaceAll replacement syntax: $1 / ${name} groups, \x escapes a character. */
function javaReplacement(replacement: string): string {
  return cached(REPLACEMENT_CACHE, replacement, () => translateReplacement(replacement));
}

function translateReplacement(replacement: string): string {
  let out = '';
  for (let i = 0; i < replacement.length; i++) {
    const ch = replacement[i];
    if (ch === '\\') {
      i++;
      if (i >= replacement.length)
        throw new TemplateRuntimeError('character to be escaped is missing in replacement');
      out += replacement[i] === '$' ? '$$' : replacement[i];
    } else if (ch === '$') {
      const m = /^\$(\d+|\{[A-Za-z][A-Za-z0-9]*\})/.exec(replacement.slice(i));
      if (!m)
        throw new TemplateRuntimeError(
          `illegal group reference in replacement ${JSON.stringify(replacement)}`,
        );
      out += m[1].startsWith('{') ? `$<${m[1].slice(1, -1)}>` : `$${m[1]}`;
      i += m[0].length - 1;
    } else {
      out += ch;
    }
  }
  return out;
}

/** String.split(regex) with Java's rules: trailing empty strings are dropped (limit 0). */
export function javaSplit(s: string, regex: string, limit = 0): string[] {
  // Java's fast path treats a single non-metacharacter literally; javaRegex does the same.
  const re = javaRegex(regex, 'g');
  const parts: string[] = [];
  let last = 0;
  for (const m of s.matchAll(re)) {
    if (limit > 0 && parts.length === limit - 1) break;
    const index = m.index ?? 0;
    if (m[0].length === 0) {
      // A zero-width match at the start never produces a leading empty string (Java 8+).
      if (index === 0 || index >= s.length) continue;
    }
    if (index === 0 && m[0].length > 0 && last === 0 && parts.length === 0) {
      parts.push('');
      last = index + m[0].length;
      continue;
    }
    parts.push(s.slice(last, index));
    last = index + m[0].length;
  }
  parts.push(s.slice(last));
  if (s.length === 0) return [''];
  if (limit === 0) while (parts.length > 0 && parts[parts.length - 1] === '') parts.pop();
  return parts;
}

function argString(value: unknown, method: string): string {
  if (typeof value === 'string') return value;
  throw noSuchMethod('String', method, [value]);
}

/**
 * Thrown when an argument is a number of another class than the method's int parameter (a Long
 * for get(int)): Velocity finds no method and the call yields null. callJavaMethod catches it.
 */
class NoMatchingMethod {}
const NO_MATCHING_METHOD = new NoMatchingMethod();

function argInt(value: unknown, method: string, on: string): number {
  if (typeof value === 'number') return value;
  if (isNumber(value)) throw NO_MATCHING_METHOD;
  throw noSuchMethod(on, method, [value]);
}

function noSuchMethod(on: string, method: string, args: unknown[]): UnsupportedTemplateError {
  return new UnsupportedTemplateError(
    `method ${on}.${method}(${args.map(javaClassName).join(', ')}) is not supported by the local VTL runtime`,
  );
}

const OBJECT_METHODS = [
  'equals',
  'hashCode',
  'toString',
  'getClass',
  'notify',
  'notifyAll',
  'wait',
];

/** Public method names of the Java classes templates meet (Java 8+), to tell "exists" from "absent". */
const JAVA_METHODS: Record<string, Set<string>> = {
  String: new Set([
    ...OBJECT_METHODS,
    ...'charAt codePointAt codePointBefore codePointCount compareTo compareToIgnoreCase concat contains contentEquals endsWith equalsIgnoreCase getBytes getChars indexOf intern isEmpty lastIndexOf length matches offsetByCodePoints regionMatches replace replaceAll replaceFirst split startsWith subSequence substring toCharArray toLowerCase toUpperCase trim chars codePoints isBlank strip stripLeading stripTrailing lines repeat'.split(
      ' ',
    ),
  ]),
  List: new Set([
    ...OBJECT_METHODS,
    ...'add addAll clear contains containsAll get indexOf isEmpty iterator lastIndexOf listIterator remove removeAll retainAll set size subList toArray ensureCapacity trimToSize forEach removeIf replaceAll sort spliterator stream parallelStream clone toJSONString merge appendElement'.split(
      ' ',
    ),
  ]),
  Map: new Set([
    ...OBJECT_METHODS,
    ...'clear containsKey containsValue entrySet get isEmpty keySet put putAll remove size values getOrDefault putIfAbsent replace replaceAll compute computeIfAbsent computeIfPresent merge forEach clone'.split(
      ' ',
    ),
  ]),
  Number: new Set([
    ...OBJECT_METHODS,
    ...'intValue longValue doubleValue floatValue shortValue byteValue compareTo isNaN isInfinite'.split(
      ' ',
    ),
  ]),
  Boolean: new Set([...OBJECT_METHODS, 'booleanValue', 'compareTo']),
};

/**
 * A method the value's class does not have: Velocity finds nothing and the call yields null
 * (printing as nothing on API Gateway). Templates rely on this to tell types apart
 * ("$!v.keySet()" is empty unless $v is a map). A method the class has but this runtime does
 * not implement is refused instead of guessed.
 */
function absent(
  kind: keyof typeof JAVA_METHODS,
  on: string,
  name: string,
  args: unknown[],
): undefined {
  if (JAVA_METHODS[kind].has(name)) throw noSuchMethod(on, name, args);
  return undefined;
}

function indexError(index: number, size: number): TemplateRuntimeError {
  return new TemplateRuntimeError(`IndexOutOfBoundsException: Index: ${index}, Size: ${size}`);
}

function checkedIndex(index: number, size: number, allowEnd = false): number {
  if (index < 0 || index > size || (!allowEnd && index === size)) throw indexError(index, size);
  return index;
}

/** Java's String.hashCode, for templates that use it as a cheap checksum. */
function stringHash(s: string): number {
  let h = 0;
  for (let i = 0; i < s.length; i++) h = (Math.imul(31, h) + s.charCodeAt(i)) | 0;
  return h;
}

function callString(s: string, name: string, args: unknown[], signature: string): unknown {
  switch (signature) {
    case 'length/0':
      return s.length;
    case 'isEmpty/0':
      return s.length === 0;
    case 'toString/0':
    case 'trim/0':
      // Java's trim strips every char <= U+0020, not Unicode whitespace.
      // eslint-disable-next-line no-control-regex -- Java's trim bound is control characters.
      return name === 'trim' ? s.replace(/^[\u0000-\u0020]+|[\u0000-\u0020]+$/g, '') : s;
    case 'toLowerCase/0':
      return s.toLowerCase();
    case 'toUpperCase/0':
      return s.toUpperCase();
    case 'equals/1':
      return typeof args[0] === 'string' && args[0] === s;
    case 'equalsIgnoreCase/1':
      return typeof args[0] === 'string' && args[0].toLowerCase() === s.toLowerCase();
    case 'contains/1':
      return s.includes(argString(args[0], name));
    case 'startsWith/1':
      return s.startsWith(argString(args[0], name));
    case 'startsWith/2':
      return s.startsWith(argString(args[0], name), argInt(args[1], name, 'String'));
    case 'endsWith/1':
      return s.endsWith(argString(args[0], name));
    case 'indexOf/1':
      return s.indexOf(argString(args[0], name));
    case 'indexOf/2':
      return s.indexOf(argString(args[0], name), Math.max(0, argInt(args[1], name, 'String')));
    case 'lastIndexOf/1':
      return s.lastIndexOf(argString(args[0], name));
    case 'lastIndexOf/2': {
      const from = argInt(args[1], name, 'String');
      return from < 0 ? -1 : s.lastIndexOf(argString(args[0], name), from);
    }
    case 'substring/1': {
      const begin = argInt(args[0], name, 'String');
      if (begin < 0 || begin > s.length) throw stringIndexError(begin, s.length);
      return s.substring(begin);
    }
    case 'substring/2': {
      const begin = argInt(args[0], name, 'String');
      const end = argInt(args[1], name, 'String');
      if (begin < 0 || end > s.length || begin > end) throw stringIndexError(begin, end);
      return s.substring(begin, end);
    }
    case 'charAt/1': {
      const i = argInt(args[0], name, 'String');
      if (i < 0 || i >= s.length) throw stringIndexError(i, s.length);
      // A char is printed as a one-character string.
      return s[i];
    }
    case 'concat/1':
      return s + argString(args[0], name);
    case 'replace/2':
      // Java's replace(CharSequence, CharSequence) replaces every literal occurrence.
      return s.split(argString(args[0], name)).join(argString(args[1], name));
    case 'replaceAll/2':
      return s.replace(
        javaRegex(argString(args[0], name), 'g'),
        javaReplacement(argString(args[1], name)),
      );
    case 'replaceFirst/2':
      return s.replace(
        javaRegex(argString(args[0], name)),
        javaReplacement(argString(args[1], name)),
      );
    case 'matches/1': {
      // String.matches needs the whole string to match.
      return wholeMatchRegex(argString(args[0], name)).test(s);
    }
    case 'split/1':
      return new JArray(javaSplit(s, argString(args[0], name)));
    case 'split/2':
      return new JArray(javaSplit(s, argString(args[0], name), argInt(args[1], name, 'String')));
    case 'hashCode/0':
      return stringHash(s);
    case 'compareTo/1': {
      const other = argString(args[0], name);
      const len = Math.min(s.length, other.length);
      for (let i = 0; i < len; i++)
        if (s[i] !== other[i]) return s.charCodeAt(i) - other.charCodeAt(i);
      return s.length - other.length;
    }
    default:
      return absent('String', 'String', name, args);
  }
}

function stringIndexError(index: number, bound: number): TemplateRuntimeError {
  return new TemplateRuntimeError(`StringIndexOutOfBoundsException: ${index} (bound ${bound})`);
}

function callList(list: JList | JArray, name: string, args: unknown[], signature: string): unknown {
  const items = list.items;
  const on = javaClassName(list);
  const fixed = list instanceof JArray;
  switch (signature) {
    case 'size/0':
      return items.length;
    case 'isEmpty/0':
      return items.length === 0;
    case 'get/1':
      return items[checkedIndex(argInt(args[0], name, on), items.length)];
    case 'contains/1':
      return items.some((x) => javaEquals(x, args[0]));
    case 'indexOf/1':
      return items.findIndex((x) => javaEquals(x, args[0]));
    case 'toString/0':
      return javaToString(list);
    default:
  }
  if (fixed) return absent('List', on, name, args);
  switch (signature) {
    case 'add/1':
      items.push(args[0]);
      return true;
    case 'add/2':
      items.splice(checkedIndex(argInt(args[0], name, on), items.length, true), 0, args[1]);
      return null;
    case 'set/2': {
      const i = checkedIndex(argInt(args[0], name, on), items.length);
      const previous = items[i];
      items[i] = args[1];
      return previous;
    }
    case 'remove/1': {
      // An Integer argument removes by index (remove(int)), anything else by value (remove(Object)).
      if (typeof args[0] === 'number') {
        const i = checkedIndex(args[0], items.length);
        return items.splice(i, 1)[0];
      }
      const i = items.findIndex((x) => javaEquals(x, args[0]));
      if (i >= 0) items.splice(i, 1);
      return i >= 0;
    }
    case 'clear/0':
      items.length = 0;
      return null;
    case 'addAll/1': {
      const other = args[0];
      if (!(other instanceof JList || other instanceof JArray)) throw noSuchMethod(on, name, args);
      items.push(...other.items);
      return other.items.length > 0;
    }
    default:
      return absent('List', on, name, args);
  }
}

function mapKey(value: unknown, method: string): string {
  // Velocity map literals and JSON objects only have String keys.
  if (typeof value === 'string') return value;
  if (isNull(value)) return '\u0000null';
  throw noSuchMethod('LinkedHashMap', method, [value]);
}

function callMap(map: JMap, name: string, args: unknown[], signature: string): unknown {
  switch (signature) {
    case 'size/0':
      return map.map.size;
    case 'isEmpty/0':
      return map.map.size === 0;
    case 'get/1':
      return typeof args[0] === 'string' ? (map.map.get(args[0]) ?? null) : null;
    case 'containsKey/1':
      return typeof args[0] === 'string' && map.map.has(args[0]);
    case 'containsValue/1':
      return [...map.map.values()].some((v) => javaEquals(v, args[0]));
    case 'put/2':
      return map.put(mapKey(args[0], name), args[1]);
    case 'putAll/1': {
      const other = args[0];
      if (!(other instanceof JMap)) throw noSuchMethod('LinkedHashMap', name, args);
      for (const [k, v] of other.map) map.put(k, v);
      return null;
    }
    case 'remove/1': {
      const key = mapKey(args[0], name);
      const previous = map.map.get(key);
      map.map.delete(key);
      return previous ?? null;
    }
    case 'keySet/0':
      return new JList([...map.map.keys()]);
    case 'values/0':
      return new JList([...map.map.values()]);
    case 'entrySet/0':
      return new JList([...map.map.entries()].map(([k, v]) => new MapEntry(k, v)));
    case 'toString/0':
      return javaToString(map);
    case 'clear/0':
      map.map.clear();
      return null;
    case 'getOrDefault/2':
      return typeof args[0] === 'string' && map.map.has(args[0]) ? map.map.get(args[0]) : args[1];
    default:
      return absent('Map', 'LinkedHashMap', name, args);
  }
}

/** Map.Entry from entrySet(): $e.key / $e.value / $e.getKey(). */
export class MapEntry {
  readonly hostName = 'Map.Entry';
  constructor(
    readonly key: string,
    readonly value: unknown,
  ) {}
  getProperty(name: string): unknown {
    if (name === 'key') return this.key;
    if (name === 'value') return this.value;
    return undefined;
  }
  callMethod(name: string, args: unknown[]): unknown {
    if (name === 'getKey' && args.length === 0) return this.key;
    if (name === 'getValue' && args.length === 0) return this.value;
    if (name === 'toString' && args.length === 0) return `${this.key}=${javaToString(this.value)}`;
    throw noSuchMethod('Map.Entry', name, args);
  }
}

function callNumberOrBoolean(value: unknown, name: string, args: unknown[]): unknown {
  if (args.length === 0) {
    if (name === 'toString') return javaToString(value);
    if (name === 'booleanValue' && typeof value === 'boolean') return value;
    if (isNumber(value)) {
      if (name === 'intValue') return intValue(value);
      // A Long, even when small (Velocity boxes the long it returns).
      if (name === 'longValue') return longValue(value);
      if (name === 'doubleValue') return doubleValue(value);
    }
  }
  if (name === 'equals' && args.length === 1) return javaEquals(value, args[0]);
  if (name === 'compareTo' && args.length === 1 && isNumber(value)) {
    // Comparable<Integer> etc.: only a number of the same class is accepted.
    if (numberClassName(args[0]) !== numberClassName(value)) return undefined;
    return compareNumbers(value, args[0]);
  }
  if (typeof value === 'boolean') return absent('Boolean', 'Boolean', name, args);
  return absent('Number', javaClassName(value), name, args);
}

/**
 * $obj.method(args) on a Java value. `signature` is `${name}/${args.length}`, what the String,
 * List and Map methods dispatch on; compiled templates pass it precomputed.
 */
export function callJavaMethod(
  target: unknown,
  name: string,
  args: unknown[],
  signature = `${name}/${args.length}`,
): unknown {
  try {
    if (typeof target === 'string') return callString(target, name, args, signature);
    if (target instanceof JList || target instanceof JArray)
      return callList(target, name, args, signature);
    if (target instanceof JMap) return callMap(target, name, args, signature);
    if (isHostObject(target)) return target.callMethod(name, args);
    if (target instanceof MapEntry) return target.callMethod(name, args);
    return callNumberOrBoolean(target, name, args);
  } catch (e) {
    if (e === NO_MATCHING_METHOD) return undefined;
    throw e;
  }
}

/**
 * $obj.name: Velocity tries getName(), then get("name") on maps, then isName(). For our value
 * types that means map lookups, the few JavaBean getters lists and strings have, and nothing
 * else (null, which renders as empty on API Gateway).
 */
export function getJavaProperty(target: unknown, name: string): unknown {
  if (target instanceof JMap) return target.map.get(name);
  if (isHostObject(target)) return target.getProperty(name);
  if (target instanceof MapEntry) return target.getProperty(name);
  if (typeof target === 'string' || target instanceof JList || target instanceof JArray) {
    if (name === 'empty') return callJavaMethod(target, 'isEmpty', []);
    if (name === 'class')
      throw new UnsupportedTemplateError('$x.class is not supported by the local VTL runtime');
    return undefined;
  }
  return undefined;
}

/**
 * A String method whose arguments are string literals in the template, with its regular
 * expression and replacement translated once, at compile time: the converters call
 * replaceAll("\\'", "'") on every string they print. Undefined when the method takes no such
 * arguments or a pattern does not translate (the call then fails when it runs, as before).
 */
export function stringMethodWithLiterals(
  name: string,
  args: string[],
): ((s: string) => unknown) | undefined {
  try {
    if (name === 'replaceAll' && args.length === 2) {
      const regex = javaRegex(args[0], 'g');
      const replacement = javaReplacement(args[1]);
      return (s) => s.replace(regex, replacement);
    }
    if (name === 'replaceFirst' && args.length === 2) {
      const regex = javaRegex(args[0]);
      const replacement = javaReplacement(args[1]);
      return (s) => s.replace(regex, replacement);
    }
    if (name === 'replace' && args.length === 2) {
      const [target, replacement] = args;
      return (s) => s.split(target).join(replacement);
    }
    if (name === 'matches' && args.length === 1) {
      const regex = wholeMatchRegex(args[0]);
      return (s) => regex.test(s);
    }
  } catch {
    return undefined;
  }
  return undefined;
}
