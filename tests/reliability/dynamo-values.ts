/**
 * The reliability suite's model of what DynamoDB stores: typed attribute values (`{"S": ..}`,
 * `{"N": ..}`, `{"M": ..}` ...) compared through one canonical string, JSON parsed without
 * losing a number's digits, and DynamoDB's number rules. Everything here is plain data: the
 * suite compares the API's answers and the table's contents with it, never with the code under
 * test.
 */

/** A DynamoDB attribute value in its wire form. M is a list of entries: names are data. */
export type AttributeValue =
  | { S: string }
  | { N: string }
  | { BOOL: boolean }
  | { NULL: true }
  | { M: [string, AttributeValue][] }
  | { L: AttributeValue[] };

/** An item: attribute name → value, as entries (a name may be `__proto__`). */
export type Item = [string, AttributeValue][];

const byCodeUnits = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** One string per value, equal exactly when the values are (map order ignored). */
export function canonical(value: AttributeValue): string {
  if ('M' in value) return canonicalItem(value.M);
  if ('L' in value) return `[${value.L.map(canonical).join(',')}]`;
  if ('S' in value) return `S${JSON.stringify(value.S)}`;
  if ('N' in value) return `N${value.N}`;
  if ('BOOL' in value) return `B${value.BOOL}`;
  return 'NULL';
}

export function canonicalItem(item: Item): string {
  const entries = [...item].sort(([a], [b]) => byCodeUnits(a, b));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
}

/** DynamoDB's wire JSON (as JSON.parse gives it, own `__proto__` keys included) → the model. */
export function fromWire(raw: unknown): AttributeValue {
  const av = raw as Record<string, unknown>;
  const [type] = Object.keys(av);
  const v = av[type];
  switch (type) {
    case 'S':
      return { S: v as string };
    case 'N':
      return { N: v as string };
    case 'BOOL':
      return { BOOL: v as boolean };
    case 'NULL':
      return { NULL: true };
    case 'L':
      return { L: (v as unknown[]).map(fromWire) };
    case 'M':
      return { M: itemFromWire(v) };
    default:
      throw new Error(`Unexpected DynamoDB attribute type ${type} in ${JSON.stringify(raw)}`);
  }
}

export function itemFromWire(raw: unknown): Item {
  return Object.entries(raw as Record<string, unknown>).map(([k, v]) => [k, fromWire(v)]);
}

// ---------------------------------------------------------------------------------------------
// JSON with exact numbers

/** JSON as the API wrote it, numbers kept as their text: the API prints N digits verbatim. */
export type ExactJson =
  string | boolean | null | { num: string } | ExactJson[] | { entries: [string, ExactJson][] };

export class NotJsonError extends Error {
  override readonly name = 'NotJsonError';
}

/** Strict JSON (RFC 8259) parser that keeps numbers as text and object keys as data. */
export function parseExactJson(text: string): ExactJson {
  let i = 0;
  const fail = (): never => {
    throw new NotJsonError(`invalid JSON at ${i}: ${JSON.stringify(text.slice(i, i + 40))}`);
  };
  const ws = (): void => {
    while (i < text.length && ' \t\n\r'.includes(text[i])) i++;
  };
  // eslint-disable-next-line no-control-regex -- JSON forbids raw control characters in strings.
  const STRING = /"(?:[^"\\\u0000-\u001f]|\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4}))*"/y;
  const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
  const str = (): string => {
    STRING.lastIndex = i;
    const m = STRING.exec(text) ?? fail();
    i += m[0].length;
    return JSON.parse(m[0]) as string;
  };
  const value = (): ExactJson => {
    ws();
    const ch = text[i];
    if (ch === '{') {
      i++;
      const entries: [string, ExactJson][] = [];
      ws();
      if (text[i] === '}') {
        i++;
        return { entries };
      }
      for (;;) {
        ws();
        if (text[i] !== '"') fail();
        const key = str();
        ws();
        if (text[i++] !== ':') fail();
        entries.push([key, value()]);
        ws();
        const sep = text[i++];
        if (sep === '}') return { entries };
        if (sep !== ',') fail();
      }
    }
    if (ch === '[') {
      i++;
      const list: ExactJson[] = [];
      ws();
      if (text[i] === ']') {
        i++;
        return list;
      }
      for (;;) {
        list.push(value());
        ws();
        const sep = text[i++];
        if (sep === ']') return list;
        if (sep !== ',') fail();
      }
    }
    if (ch === '"') return str();
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
    NUMBER.lastIndex = i;
    const m = NUMBER.exec(text) ?? fail();
    i += m[0].length;
    return { num: m[0] };
  };
  const result = value();
  ws();
  if (i !== text.length) fail();
  return result;
}

/** The API's plain JSON → typed, the way the response templates convert the other way. */
export function typedFromExact(value: ExactJson): AttributeValue {
  if (typeof value === 'string') return { S: value };
  if (typeof value === 'boolean') return { BOOL: value };
  if (value === null) return { NULL: true };
  if (Array.isArray(value)) return { L: value.map(typedFromExact) };
  if ('num' in value) return { N: value.num };
  return { M: value.entries.map(([k, v]) => [k, typedFromExact(v)]) };
}

/** A member of a parsed object, or undefined (entries, not property lookups). */
export function member(value: ExactJson, name: string): ExactJson | undefined {
  if (value === null || typeof value !== 'object' || Array.isArray(value) || !('entries' in value))
    return undefined;
  return value.entries.find(([k]) => k === name)?.[1];
}

// ---------------------------------------------------------------------------------------------
// Numbers

/**
 * What DynamoDB stores for the number written as `text` (plain or exponent notation): plain
 * decimal digits without exponent, leading or trailing zeros or `-0`; undefined when DynamoDB
 * refuses it (more than 38 significant digits, magnitude above 9.99..E+125 or below 1E-130).
 * Limits: https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/HowItWorks.NamingRulesDataTypes.html#HowItWorks.DataTypes.Number
 */
export function dynamoNumber(text: string): string | undefined {
  const m = /^(-?)(\d+)(?:\.(\d+))?(?:[eE]([+-]?\d+))?$/.exec(text);
  if (!m) return undefined;
  const [, sign, int, frac = '', exp = '0'] = m;
  let digits = (int + frac).replace(/^0+/, '');
  let exponent = Number(exp) - frac.length; // value = digits × 10^exponent
  if (digits === '') return '0';
  const trailing = /0*$/.exec(digits)![0].length;
  digits = digits.slice(0, digits.length - trailing);
  exponent += trailing;
  if (digits.length > 38) return undefined;
  const magnitude = digits.length - 1 + exponent; // the power of ten of the leading digit
  if (magnitude > 125 || magnitude < -130) return undefined;
  let plain: string;
  if (exponent >= 0) plain = digits + '0'.repeat(exponent);
  else if (-exponent < digits.length)
    plain = `${digits.slice(0, digits.length + exponent)}.${digits.slice(digits.length + exponent)}`;
  else plain = `0.${'0'.repeat(-exponent - digits.length)}${digits}`;
  return sign + plain;
}

/**
 * What reaches DynamoDB for a JSON number in a request body. API Gateway's JSONPath runs on
 * json-smart, which keeps an integer's digits (Integer, Long, BigInteger) and reads a number
 * with a fraction or exponent as a BigDecimal when its text is longer than 18 characters, else
 * as a double (JSONParserBase.extractFloat,
 * https://github.com/netplex/json-smart-v2/blob/master/json-smart/src/main/java/net/minidev/json/parser/JSONParserBase.java).
 * The template prints the double the way Java does (the shortest digits that read back as it):
 * so `1.50` → `1.5`, `1e3` → `1000`, and a short decimal beyond a double's ~17 significant
 * digits loses the rest, while a long one keeps them all (up to DynamoDB's 38).
 */
export function storedNumber(literal: string): string | undefined {
  if (/^-?\d+$/.test(literal) || literal.length > 18) return dynamoNumber(literal);
  const asDouble = Number(literal);
  if (!Number.isFinite(asDouble)) return undefined;
  return dynamoNumber(String(asDouble));
}

/** DynamoDB orders string range keys by their UTF-8 bytes. */
export function compareRanges(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

/** UTF-8 bytes, which is how DynamoDB measures keys and items. */
export function utf8Bytes(s: string): number {
  return Buffer.byteLength(s, 'utf8');
}
