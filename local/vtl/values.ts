/**
 * The Java object model Velocity templates see on API Gateway.
 *
 * Velocity literals and $input.path results are Java objects, and several observable behaviours
 * follow from their classes: integer vs decimal arithmetic, how a collection prints, which
 * methods exist. JS values map as follows:
 *   java.lang.String            -> string
 *   java.lang.Integer / Long    -> number (always an integer) or bigint (beyond 2^53)
 *   java.lang.Double            -> JDouble
 *   java.lang.Boolean           -> boolean
 *   null                        -> null / undefined (undefined: never set)
 *   java.util.ArrayList         -> JList (json = false), prints as [a, b]
 *   net.minidev.json.JSONArray  -> JList (json = true), prints as JSON (how AWS prints lists from
 *                                  $input.path: Jayway JsonPath on json-smart)
 *   java.util.LinkedHashMap     -> JMap, prints as {k=v, k2=v2}
 *   String[] (from split)       -> JArray
 */

export class JDouble {
  constructor(readonly value: number) {}
  toString(): string {
    return javaDoubleToString(this.value);
  }
}

export class JList {
  constructor(
    public items: unknown[] = [],
    /** true for lists that came from JSON (json-smart JSONArray): they print as JSON. */
    readonly json = false,
  ) {}
}

/** A Java array (String[] from String.split): fixed size, prints as an identity hash on AWS. */
export class JArray {
  constructor(readonly items: unknown[]) {}
}

export class JMap {
  readonly map = new Map<string, unknown>();
  constructor(entries?: Iterable<[string, unknown]>) {
    if (entries) for (const [k, v] of entries) this.map.set(k, v);
  }
  get(key: string): unknown {
    return this.map.get(key);
  }
  /** Overridden by maps that police writes ($context.responseOverride). */
  put(key: string, value: unknown): unknown {
    const previous = this.map.get(key);
    this.map.set(key, value);
    return previous ?? null;
  }
}

/** An object with host-defined members ($input, $util, $foreach). */
export interface HostObject {
  readonly hostName: string;
  getProperty(name: string): unknown;
  callMethod(name: string, args: unknown[]): unknown;
}

export function isHostObject(value: unknown): value is HostObject {
  return typeof value === 'object' && value !== null && 'hostName' in value;
}

export function isInteger(value: unknown): value is number | bigint {
  return (typeof value === 'number' && Number.isInteger(value)) || typeof value === 'bigint';
}

export function isNumber(value: unknown): value is number | bigint | JDouble {
  return isInteger(value) || value instanceof JDouble;
}

export function isNull(value: unknown): value is null | undefined {
  return value === null || value === undefined;
}

/** Java's Double.toString: "3.0", "0.001", "1.0E-4", "1.0E7". */
export function javaDoubleToString(x: number): string {
  if (Number.isNaN(x)) return 'NaN';
  if (x === Infinity) return 'Infinity';
  if (x === -Infinity) return '-Infinity';
  if (x === 0) return Object.is(x, -0) ? '-0.0' : '0.0';
  const abs = Math.abs(x);
  if (abs >= 1e-3 && abs < 1e7) {
    const s = String(x);
    return s.includes('.') ? s : `${s}.0`;
  }
  const [mantissa, exponent] = x.toExponential().split('e');
  const m = mantissa.includes('.') ? mantissa : `${mantissa}.0`;
  return `${m}E${exponent.replace('+', '')}`;
}

/** String.valueOf(value) in Java: what Velocity prints for a reference. */
export function javaToString(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'bigint' || typeof value === 'boolean') {
    return String(value);
  }
  if (value instanceof JDouble) return value.toString();
  if (value instanceof JList) {
    if (value.json) return toJsonSmart(value);
    return `[${value.items.map((item) => (item === value ? '(this Collection)' : javaToString(item))).join(', ')}]`;
  }
  if (value instanceof JMap) {
    const parts: string[] = [];
    for (const [k, v] of value.map)
      parts.push(`${k}=${v === value ? '(this Map)' : javaToString(v)}`);
    return `{${parts.join(', ')}}`;
  }
  if (value instanceof JArray) return '[Ljava.lang.String;@';
  if (isHostObject(value)) return value.hostName;
  return String(value);
}

/**
 * json-smart's JSONValue.toJSONString with its default style (what JSONArray.toString and
 * $input.json produce): compact, and escaping "/" as "\/" and some ranges as \uXXXX.
 */
export function toJsonSmart(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'string') return `"${escapeJsonSmart(value)}"`;
  if (typeof value === 'number' || typeof value === 'bigint' || typeof value === 'boolean') {
    return String(value);
  }
  if (value instanceof JDouble) return value.toString();
  if (value instanceof JList || value instanceof JArray) {
    return `[${value.items.map(toJsonSmart).join(',')}]`;
  }
  if (value instanceof JMap) {
    const parts: string[] = [];
    for (const [k, v] of value.map) parts.push(`"${escapeJsonSmart(k)}":${toJsonSmart(v)}`);
    return `{${parts.join(',')}}`;
  }
  return `"${escapeJsonSmart(javaToString(value))}"`;
}

/** json-smart JStylerObj.ESCAPE4Web (the default style protects "/" for embedding in HTML). */
export function escapeJsonSmart(s: string): string {
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const ch = s[i];
    const code = s.charCodeAt(i);
    switch (ch) {
      case '"':
        out += '\\"';
        break;
      case '\\':
        out += '\\\\';
        break;
      case '\b':
        out += '\\b';
        break;
      case '\f':
        out += '\\f';
        break;
      case '\n':
        out += '\\n';
        break;
      case '\r':
        out += '\\r';
        break;
      case '\t':
        out += '\\t';
        break;
      case '/':
        out += '\\/';
        break;
      default:
        if (code <= 0x1f || (code >= 0x7f && code <= 0x9f) || (code >= 0x2000 && code <= 0x20ff)) {
          out += `\\u${code.toString(16).toUpperCase().padStart(4, '0')}`;
        } else {
          out += ch;
        }
    }
  }
  return out;
}

/** A JSON number kept as its source text, so integers beyond 2^53 keep every digit. */
export class JsonNumber {
  constructor(readonly text: string) {}
  toJava(): number | bigint | JDouble {
    if (/^-?\d+$/.test(this.text)) {
      const n = Number(this.text);
      return Number.isSafeInteger(n) ? n : BigInt(this.text);
    }
    return new JDouble(Number(this.text));
  }
}

// Sticky patterns, positioned with lastIndex before each use (shared: parsing is synchronous).
// eslint-disable-next-line no-control-regex -- JSON forbids raw control characters in strings.
const JSON_STRING = /"(?:[^"\\\u0000-\u001f]|\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4}))*"/y;
const JSON_NUMBER = /-?(?:0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/y;

/**
 * Parses JSON straight into the Java model (JSON.parse would turn 1.0 into 1, losing the
 * Integer/Double distinction Velocity prints, and round integers beyond 2^53).
 * Throws SyntaxError on invalid JSON.
 */
export function parseJsonToJava(text: string): unknown {
  let i = 0;
  const fail = (): never => {
    throw new SyntaxError(`invalid JSON at position ${i}`);
  };
  const ws = (): void => {
    while (i < text.length && ' \t\n\r'.includes(text[i])) i++;
  };
  const str = (): string => {
    JSON_STRING.lastIndex = i;
    const m = JSON_STRING.exec(text);
    if (!m) return fail();
    i += m[0].length;
    // Only escapes need JSON.parse; most strings have none.
    return m[0].includes('\\') ? (JSON.parse(m[0]) as string) : m[0].slice(1, -1);
  };
  const value = (): unknown => {
    ws();
    const ch = text[i];
    if (ch === '{') {
      i++;
      const map = new JMap();
      ws();
      if (text[i] === '}') {
        i++;
        return map;
      }
      for (;;) {
        ws();
        if (text[i] !== '"') fail();
        const key = str();
        ws();
        if (text[i++] !== ':') fail();
        map.map.set(key, value());
        ws();
        const sep = text[i++];
        if (sep === '}') return map;
        if (sep !== ',') fail();
      }
    }
    if (ch === '[') {
      i++;
      const list = new JList([], true);
      ws();
      if (text[i] === ']') {
        i++;
        return list;
      }
      for (;;) {
        list.items.push(value());
        ws();
        const sep = text[i++];
        if (sep === ']') return list;
        if (sep !== ',') fail();
      }
    }
    if (ch === '"') return str();
    JSON_NUMBER.lastIndex = i;
    const m = JSON_NUMBER.exec(text);
    if (m && m[0].length > 0) {
      i += m[0].length;
      return new JsonNumber(m[0]).toJava();
    }
    for (const [word, v] of [
      ['true', true],
      ['false', false],
      ['null', null],
    ] as const) {
      if (text.startsWith(word, i)) {
        i += word.length;
        return v;
      }
    }
    return fail();
  };
  const result = value();
  ws();
  if (i !== text.length) fail();
  return result;
}

/** Converts a plain JS value handed in by the caller ($context, params) to the Java model. */
export function fromHost(value: unknown): unknown {
  if (Array.isArray(value)) return new JList(value.map(fromHost));
  if (typeof value === 'number') return Number.isInteger(value) ? value : new JDouble(value);
  if (value instanceof JMap || value instanceof JList || value instanceof JDouble) return value;
  if (typeof value === 'object' && value !== null) {
    return new JMap(Object.entries(value).map(([k, v]) => [k, fromHost(v)]));
  }
  return value;
}
