/**
 * The Java object model Velocity templates see on API Gateway.
 *
 * Velocity literals and $input.path results are Java objects, and several observable behaviours
 * follow from their classes: integer vs decimal arithmetic, how a collection prints, which
 * methods exist. JS values map as follows:
 *   java.lang.String            -> string
 *   java.lang.Integer           -> number (always an integer in Java's int range)
 *   java.lang.Long              -> bigint (always in Java's long range)
 *   java.math.BigInteger        -> JBigInteger
 *   java.lang.Double            -> JDouble
 *   java.math.BigDecimal        -> JBigDecimal (json-smart's long decimals, and arithmetic
 *                                  mixing a Double with a BigInteger)
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

/** Java's int range: an integer outside it is a Long (or BigInteger). */
export const INT_MIN = -(2 ** 31);
export const INT_MAX = 2 ** 31 - 1;
const LONG_MIN = -(2n ** 63n);
const LONG_MAX = 2n ** 63n - 1n;

export function isInt(value: number): boolean {
  return value >= INT_MIN && value <= INT_MAX;
}

export class JBigInteger {
  constructor(readonly value: bigint) {}
  toString(): string {
    return this.value.toString();
  }
}

/** java.math.BigDecimal: unscaled × 10^-scale. */
export class JBigDecimal {
  constructor(
    readonly unscaled: bigint,
    readonly scale: number,
  ) {}
  /** BigDecimal.toString: plain unless the exponent is large or very negative. */
  toString(): string {
    const negative = this.unscaled < 0n;
    const digits = (negative ? -this.unscaled : this.unscaled).toString();
    const adjusted = -this.scale + (digits.length - 1);
    let text: string;
    if (this.scale >= 0 && adjusted >= -6) {
      if (this.scale === 0) text = digits;
      else if (digits.length > this.scale)
        text = `${digits.slice(0, digits.length - this.scale)}.${digits.slice(digits.length - this.scale)}`;
      else text = `0.${'0'.repeat(this.scale - digits.length)}${digits}`;
    } else {
      text = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
      if (adjusted !== 0) text += `E${adjusted > 0 ? '+' : ''}${adjusted}`;
    }
    return negative ? `-${text}` : text;
  }
  /** The exact decimal value of a JS number (new BigDecimal(double)). */
  static ofDouble(x: number): JBigDecimal {
    if (!Number.isFinite(x)) throw new RangeError(`NumberFormatException: ${x} as BigDecimal`);
    let scale = 0;
    let v = x;
    // Doubles are binary fractions: multiplying by 2 until integral gives m / 2^k, which is
    // m * 5^k / 10^k exactly.
    while (!Number.isInteger(v)) {
      v *= 2;
      scale++;
    }
    return new JBigDecimal(BigInt(v) * 5n ** BigInt(scale), scale);
  }
  static parse(text: string): JBigDecimal {
    const m = /^(-?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/.exec(text);
    if (!m) throw new SyntaxError(`not a decimal: ${text}`);
    const fraction = m[3] ?? '';
    const unscaled = BigInt(`${m[1]}${m[2]}${fraction}` || '0');
    return new JBigDecimal(unscaled, fraction.length - Number(m[4] ?? 0));
  }
}

/** A Java integer value of the smallest class that holds it: Integer, Long, then BigInteger. */
export function javaInteger(value: bigint): number | bigint | JBigInteger {
  if (value >= BigInt(INT_MIN) && value <= BigInt(INT_MAX)) return Number(value);
  if (value >= LONG_MIN && value <= LONG_MAX) return value;
  return new JBigInteger(value);
}

/** Integer.parseInt, then Long.parseLong, then new BigInteger: how Velocity and json-smart type integers. */
export function parseJavaInteger(text: string): number | bigint | JBigInteger {
  const n = Number(text);
  if (Number.isInteger(n) && isInt(n)) return n;
  return javaInteger(BigInt(text));
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

/**
 * java.util.LinkedHashMap: a JavaScript Map (insertion-ordered, any string key is data). It is
 * its own `map`, so one object per Java map: parsed bodies hold one per DynamoDB value.
 */
export class JMap extends Map<string, unknown> {
  constructor(entries?: Iterable<[string, unknown]>) {
    super();
    if (entries) for (const [k, v] of entries) this.set(k, v);
  }
  /** The entries (this map itself). */
  get map(): Map<string, unknown> {
    return this;
  }
  /** Overridden by maps that police writes ($context.responseOverride). */
  put(key: string, value: unknown): unknown {
    const previous = super.get(key);
    this.set(key, value);
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

/** An Integer, Long or BigInteger. */
export function isInteger(value: unknown): value is number | bigint | JBigInteger {
  return typeof value === 'number' || typeof value === 'bigint' || value instanceof JBigInteger;
}

/** Any java.lang.Number. */
export function isNumber(
  value: unknown,
): value is number | bigint | JBigInteger | JDouble | JBigDecimal {
  return (
    typeof value === 'number' ||
    typeof value === 'bigint' ||
    value instanceof JDouble ||
    value instanceof JBigInteger ||
    value instanceof JBigDecimal
  );
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
  if (value instanceof JDouble || value instanceof JBigInteger || value instanceof JBigDecimal) {
    return value.toString();
  }
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
  if (value instanceof JDouble || value instanceof JBigInteger || value instanceof JBigDecimal) {
    return value.toString();
  }
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
  /**
   * json-smart's typing (JSONParserBase in permissive mode): an integer is an Integer, Long or
   * BigInteger by size; a decimal longer than 18 characters a BigDecimal, others a Double.
   */
  toJava(): number | bigint | JBigInteger | JDouble | JBigDecimal {
    if (/^-?\d+$/.test(this.text)) return parseJavaInteger(this.text);
    if (this.text.length > 18) return JBigDecimal.parse(this.text);
    return new JDouble(Number(this.text));
  }
}

/**
 * Parses JSON straight into the Java model (JSON.parse would turn 1.0 into 1, losing the
 * Integer/Double distinction Velocity prints, round integers beyond 2^53, and reorder
 * integer-like keys). Throws SyntaxError on invalid JSON. A hand-written scanner over char
 * codes: it runs once per render on bodies of up to 10 MB.
 */
export function parseJsonToJava(text: string): unknown {
  const n = text.length;
  let i = 0;
  const fail = (): never => {
    throw new SyntaxError(`invalid JSON at position ${i}`);
  };
  const ws = (): void => {
    let c = text.charCodeAt(i);
    while (c === 32 || c === 10 || c === 13 || c === 9) c = text.charCodeAt(++i);
  };
  // At an opening quote.
  const str = (): string => {
    const start = ++i;
    let escaped = false;
    for (;;) {
      if (i >= n) return fail();
      const c = text.charCodeAt(i);
      if (c === 34) break;
      if (c < 32) return fail();
      if (c === 92) {
        escaped = true;
        i += 2;
      } else {
        i++;
      }
    }
    i++;
    // Only escapes need JSON.parse (which also refuses malformed ones); most strings have none.
    return escaped ? (JSON.parse(text.slice(start - 1, i)) as string) : text.slice(start, i - 1);
  };
  const digits = (): void => {
    const start = i;
    let c = text.charCodeAt(i);
    while (c >= 48 && c <= 57) c = text.charCodeAt(++i);
    if (i === start) fail();
  };
  const num = (): unknown => {
    const start = i;
    if (text.charCodeAt(i) === 45) i++;
    if (text.charCodeAt(i) === 48) i++;
    else digits();
    let integral = true;
    if (text.charCodeAt(i) === 46) {
      integral = false;
      i++;
      digits();
    }
    const e = text.charCodeAt(i);
    if (e === 101 || e === 69) {
      integral = false;
      i++;
      const sign = text.charCodeAt(i);
      if (sign === 43 || sign === 45) i++;
      digits();
    }
    const token = text.slice(start, i);
    // Up to 9 digits always fit an Integer; `+ 0` turns -0 into 0.
    if (integral) return i - start <= 9 ? +token + 0 : parseJavaInteger(token);
    return new JsonNumber(token).toJava();
  };
  const value = (): unknown => {
    ws();
    const c = text.charCodeAt(i);
    if (c === 123) {
      i++;
      const map = new JMap();
      ws();
      if (text.charCodeAt(i) === 125) {
        i++;
        return map;
      }
      for (;;) {
        ws();
        if (text.charCodeAt(i) !== 34) fail();
        const key = str();
        ws();
        if (text.charCodeAt(i++) !== 58) fail();
        map.map.set(key, value());
        ws();
        const sep = text.charCodeAt(i++);
        if (sep === 125) return map;
        if (sep !== 44) fail();
      }
    }
    if (c === 91) {
      i++;
      const list = new JList([], true);
      ws();
      if (text.charCodeAt(i) === 93) {
        i++;
        return list;
      }
      for (;;) {
        list.items.push(value());
        ws();
        const sep = text.charCodeAt(i++);
        if (sep === 93) return list;
        if (sep !== 44) fail();
      }
    }
    if (c === 34) return str();
    if (c === 45 || (c >= 48 && c <= 57)) return num();
    if (text.startsWith('true', i)) {
      i += 4;
      return true;
    }
    if (text.startsWith('false', i)) {
      i += 5;
      return false;
    }
    if (text.startsWith('null', i)) {
      i += 4;
      return null;
    }
    return fail();
  };
  const result = value();
  ws();
  if (i !== n) fail();
  return result;
}

/** Converts a plain JS value handed in by the caller ($context, params) to the Java model. */
export function fromHost(value: unknown): unknown {
  if (Array.isArray(value)) return new JList(value.map(fromHost));
  if (typeof value === 'number') {
    if (!Number.isInteger(value)) return new JDouble(value);
    return isInt(value) ? value : javaInteger(BigInt(value));
  }
  if (value instanceof JMap || value instanceof JList || value instanceof JDouble) return value;
  if (typeof value === 'object' && value !== null) {
    return new JMap(Object.entries(value).map(([k, v]) => [k, fromHost(v)]));
  }
  return value;
}
