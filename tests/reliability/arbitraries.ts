/**
 * fast-check generators for the fuzz suite: hostile ids, ranges, query values and request
 * bodies of every JSON type, and cases (a few operations on one or two ids).
 */
import fc from 'fast-check';

/** Names that mean something to JavaScript objects, JSON, URLs, templates or shells. */
export const HOSTILE_NAMES = [
  '__proto__',
  'constructor',
  'toString',
  'hasOwnProperty',
  'valueOf',
  'prototype',
  "'",
  '"',
  '\\',
  '\\"',
  "it's",
  '\n',
  '\r\n',
  '\t',
  ' ',
  ' lead',
  'trail ',
  '%',
  '%25',
  '%2F',
  '%%',
  '+',
  'a+b',
  '/',
  'a/b',
  '?',
  '#',
  '&',
  '=',
  'a&b=c',
  ';',
  '.',
  '..',
  '...',
  '~',
  'é',
  'e\u0301',
  '中文',
  '😀',
  '\u0000',
  '\u001f',
  '\u007f',
  '\u2028',
  '\u2029',
  '\ufeff',
  '\uffff',
  '\u{10ffff}',
  '$input.body',
  '#set($x = 1)',
  '${x}',
  '$util.escapeJavaScript($x)',
  '</script>',
  'null',
  'undefined',
  'true',
  '0',
  '-0',
  '1e3',
  'NaN',
  'id',
  'range',
  'items',
  'nextToken',
  'message',
];

const HOSTILE_CHARS = [...new Set(HOSTILE_NAMES.join('').split(''))].filter(
  (c) => !/[\ud800-\udfff]/.test(c),
);

/** A short hostile string: a known name, unicode code points, or hostile characters mixed. */
const hostileString = (maxLength: number): fc.Arbitrary<string> =>
  fc.oneof(
    { weight: 4, arbitrary: fc.constantFrom(...HOSTILE_NAMES) },
    { weight: 2, arbitrary: fc.string({ unit: 'binary', minLength: 1, maxLength }) },
    {
      weight: 3,
      arbitrary: fc.string({ unit: fc.constantFrom(...HOSTILE_CHARS), minLength: 1, maxLength }),
    },
    { weight: 1, arbitrary: fc.string({ unit: 'grapheme', minLength: 1, maxLength }) },
    {
      weight: 2,
      arbitrary: fc
        .tuple(fc.constantFrom(...HOSTILE_NAMES), fc.constantFrom(...HOSTILE_NAMES))
        .map(([a, b]) => a + b),
    },
  );

/**
 * Keys at and just past DynamoDB's limits (partition key 2048 bytes, sort key 1024 bytes,
 * counted in UTF-8): 1-byte, 3-byte (`€`) and 4-byte (`😀`) characters.
 * https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/ServiceQuotas.html#limits-partition-sort-keys
 */
const nearLimit = (limit: number): fc.Arbitrary<string> =>
  fc.oneof(
    fc.constantFrom(0, 1).map((over) => 'k'.repeat(limit + over)),
    fc.constantFrom(0, 1).map((over) => '€'.repeat(Math.floor(limit / 3) + over)),
    fc.constantFrom(0, 1).map((over) => '😀'.repeat(limit / 4 + over)),
    fc
      .constantFrom(0, 1)
      .map((over) => `__proto__${'é'.repeat(Math.floor((limit - 9) / 2) + over)}`),
  );

export type Key = { text: string } | { malformed: string };

/** Path segments that are not valid percent-encoding: `%` without two hex digits. */
export const MALFORMED_SEGMENTS = ['x%', '%G1', '%%', '100%', '%u00e9'];

/**
 * Percent-encoding of bytes that are not UTF-8 (invalid bytes, truncated sequences, an encoded
 * surrogate, overlong forms, beyond U+10FFFF): decoded leniently they would all address the
 * item named by U+FFFD, so they are refused with 400 (docs/http-api.md).
 */
export const MALFORMED_UTF8_SEGMENTS = [
  'x%FF',
  'x%C0',
  'x%FE',
  '%C0%AF',
  '%ED%A0%80',
  '%E2%82',
  'a%C3',
  '%F4%90%80%80',
];

export const idArb: fc.Arbitrary<Key> = fc.oneof(
  { weight: 20, arbitrary: hostileString(12).map((text) => ({ text })) },
  { weight: 1, arbitrary: nearLimit(2048).map((text) => ({ text })) },
  {
    weight: 1,
    arbitrary: fc
      .constantFrom(...MALFORMED_SEGMENTS, ...MALFORMED_UTF8_SEGMENTS)
      .map((malformed) => ({ malformed })),
  },
);

export const rangeArb: fc.Arbitrary<Key> = fc.oneof(
  { weight: 20, arbitrary: hostileString(10).map((text) => ({ text })) },
  { weight: 1, arbitrary: nearLimit(1024).map((text) => ({ text })) },
  {
    weight: 1,
    arbitrary: fc
      .constantFrom(...MALFORMED_SEGMENTS, ...MALFORMED_UTF8_SEGMENTS)
      .map((malformed) => ({ malformed })),
  },
);

// ---------------------------------------------------------------------------------------------
// Bodies

/** A JSON value as the test writes it: numbers as literal text, objects as entries. */
export type BodyValue =
  | { s: string }
  | { n: string }
  | { b: boolean }
  | { null: true }
  | { a: BodyValue[] }
  | { o: [string, BodyValue][] }
  /** A string of `count` copies of `unit`, built only when sent (hundreds of KB). */
  | { big: string; count: number };

/** Number literals: integers up to and past 38 digits, decimals, exponents, -0, out of range. */
const numberLiteral: fc.Arbitrary<string> = fc.oneof(
  fc.integer().map(String),
  fc.bigInt({ min: -(10n ** 40n), max: 10n ** 40n }).map(String),
  fc.constantFrom(
    '0',
    '-0',
    '0.0',
    '-0.0',
    '1.50',
    '1e3',
    '1E+2',
    '1e-7',
    '2.5e-3',
    '9007199254740993',
    '-9223372036854775809',
    '12345678901234567890123456789012345678',
    '123456789012345678901234567890123456789',
    '1000000000000000000000000000000000000000000',
    '1e125',
    '1e126',
    '9.9e125',
    '1e-130',
    '1e-131',
    '1e400',
    '-1e400',
    '0.1',
    '0.30000000000000004',
    '3.141592653589793238462643383279',
    '1.0000000000000001',
    '1.00000000000000001',
    '1.000000000000000000000000000000000000001',
    '12345678901234567.5e-3',
    '4294967297',
    '2147483648',
  ),
  fc.double({ noNaN: true, noDefaultInfinity: true }).map((d) => JSON.stringify(d)),
  fc
    .tuple(fc.integer({ min: -999, max: 999 }), fc.nat(999), fc.integer({ min: -140, max: 140 }))
    .map(([i, f, e]) => `${i}.${f}e${e}`),
);

/** Strings no path can carry (UTF-8 has no lone surrogates), but JSON's \u escapes can. */
const LONE_SURROGATES = ['\ud800', 'a\udfffb', '\udc00\ud800', '😀'.slice(0, 1), '😀'.slice(1)];

/** Strings with JSON escapes, hostile characters and lone surrogates. */
const bodyString: fc.Arbitrary<string> = fc.oneof(
  { weight: 1, arbitrary: fc.constantFrom(...LONE_SURROGATES) },
  { weight: 5, arbitrary: hostileString(16) },
  { weight: 2, arbitrary: fc.string({ maxLength: 30 }) },
  { weight: 1, arbitrary: fc.constant('') },
);

/** Object keys: hostile names (`__proto__` and friends), `id`/`range`, the empty name. */
const bodyKey: fc.Arbitrary<string> = fc.oneof(
  { weight: 1, arbitrary: fc.constantFrom(...LONE_SURROGATES) },
  { weight: 6, arbitrary: hostileString(10) },
  { weight: 3, arbitrary: fc.string({ unit: 'grapheme-ascii', minLength: 1, maxLength: 8 }) },
  { weight: 1, arbitrary: fc.constant('') },
);

const entriesOf = (value: fc.Arbitrary<BodyValue>, maxLength: number) =>
  fc.uniqueArray(fc.tuple(bodyKey, value), { selector: ([k]) => k, maxLength });

export const bodyValueArb: fc.Arbitrary<BodyValue> = fc.letrec<{ value: BodyValue }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    bodyString.map((s) => ({ s })),
    numberLiteral.map((n) => ({ n })),
    fc.boolean().map((b) => ({ b })),
    fc.constant({ null: true as const }),
    fc.array(tie('value'), { maxLength: 5 }).map((a) => ({ a })),
    entriesOf(tie('value'), 5).map((o) => ({ o })),
  ),
})).value;

/** `depth` containers nested inside one another (DynamoDB allows 32 levels). */
const deeplyNested: fc.Arbitrary<BodyValue> = fc
  .tuple(fc.integer({ min: 29, max: 34 }), fc.boolean())
  .map(([depth, lists]) => {
    let v: BodyValue = { s: 'deep' };
    for (let i = 0; i < depth; i++) v = lists && i % 2 ? { a: [v] } : { o: [['__proto__', v]] };
    return v;
  });

/** Items around DynamoDB's 400 KB limit, in 1-byte and 3-byte characters. */
const bigValue: fc.Arbitrary<BodyValue> = fc.constantFrom(
  { big: 'x', count: 300_000 },
  { big: 'x', count: 420_000 },
  { big: '€', count: 100_000 },
  { big: '€', count: 140_000 },
);

/** A PUT body: usually an object; sometimes JSON that is not an object, or no JSON at all. */
export type PutBody = { json: [string, BodyValue][] } | { other: BodyValue } | { text: string };

export const putBodyArb: fc.Arbitrary<PutBody> = fc.oneof(
  { weight: 30, arbitrary: entriesOf(bodyValueArb, 8).map((json) => ({ json })) },
  {
    weight: 2,
    arbitrary: fc
      .tuple(bodyKey, fc.oneof(deeplyNested, bigValue))
      .map(([k, v]) => ({ json: [[k, v]] as [string, BodyValue][] })),
  },
  {
    weight: 2,
    arbitrary: bodyValueArb.filter((v) => !('o' in v)).map((other) => ({ other })),
  },
  {
    weight: 1,
    arbitrary: fc
      .constantFrom('{', '{"a":}', '{"a":1,}', "{'a':1}", 'nul', '{"a":1}}', '{"a":NaN}')
      .map((text) => ({ text })),
  },
);

/** Renders a body value as JSON text (numbers exactly as generated). */
export function bodyText(value: BodyValue): string {
  if ('s' in value) return JSON.stringify(value.s);
  if ('n' in value) return value.n;
  if ('b' in value) return String(value.b);
  if ('null' in value) return 'null';
  if ('a' in value) return `[${value.a.map(bodyText).join(',')}]`;
  if ('big' in value) return JSON.stringify(value.big.repeat(value.count));
  return `{${value.o.map(([k, v]) => `${JSON.stringify(k)}:${bodyText(v)}`).join(',')}}`;
}

export function putBodyText(body: PutBody): string {
  if ('text' in body) return body.text;
  if ('other' in body) return bodyText(body.other);
  return bodyText({ o: body.json });
}

// ---------------------------------------------------------------------------------------------
// Cases

/** How a path segment is percent-encoded; every form must address the same item. */
export type Encoding = 'component' | 'every-byte' | 'minimal';

export type Op =
  | {
      op: 'put';
      id: number;
      range: number;
      body: PutBody;
      createOnly: boolean;
      contentType: 'json' | 'json-charset' | 'none' | 'text';
      withKey: boolean;
      enc: Encoding;
    }
  | { op: 'get'; id: number; range: number; enc: Encoding }
  | { op: 'delete'; id: number; range: number; withKey: boolean; enc: Encoding }
  | { op: 'list'; id: number; prefix?: string; limit?: string; all: boolean; enc: Encoding }
  | { op: 'forged-token'; id: number; token: string; enc: Encoding };

export interface FuzzCase {
  ids: Key[];
  ranges: Key[];
  ops: Op[];
}

const encArb: fc.Arbitrary<Encoding> = fc.constantFrom('component', 'every-byte', 'minimal');

const LIMITS = [
  '1',
  '2',
  '3',
  '25',
  '100',
  '',
  '0',
  '101',
  '-1',
  '1.5',
  'abc',
  '01',
  ' 5',
  '1e1',
  '５',
  '2 ',
];

export const caseArb: fc.Arbitrary<FuzzCase> = fc
  .tuple(
    fc.array(idArb, { minLength: 1, maxLength: 2 }),
    fc.array(rangeArb, { minLength: 1, maxLength: 4 }),
  )
  .chain(([ids, ranges]) => {
    const id = fc.nat(ids.length - 1);
    const range = fc.nat(ranges.length - 1);
    const texts = ranges.flatMap((r) => ('text' in r ? [r.text] : []));
    const prefix = fc.oneof(
      fc.constant(undefined),
      fc.constant(''),
      texts.length
        ? fc
            .tuple(fc.constantFrom(...texts), fc.nat(12))
            .map(([t, n]) => [...t].slice(0, Math.max(1, n)).join(''))
        : hostileString(4),
      hostileString(4),
    );
    const op: fc.Arbitrary<Op> = fc.oneof(
      {
        weight: 6,
        arbitrary: fc.record({
          op: fc.constant('put' as const),
          id,
          range,
          body: putBodyArb,
          createOnly: fc.boolean(),
          contentType: fc.constantFrom('json', 'json', 'json', 'json-charset', 'none', 'text'),
          withKey: fc.oneof({ weight: 15, arbitrary: fc.constant(true) }, fc.constant(false)),
          enc: encArb,
        }),
      },
      {
        weight: 3,
        arbitrary: fc.record({ op: fc.constant('get' as const), id, range, enc: encArb }),
      },
      {
        weight: 2,
        arbitrary: fc.record({
          op: fc.constant('delete' as const),
          id,
          range,
          withKey: fc.oneof({ weight: 15, arbitrary: fc.constant(true) }, fc.constant(false)),
          enc: encArb,
        }),
      },
      {
        weight: 3,
        arbitrary: fc.record(
          {
            op: fc.constant('list' as const),
            id,
            prefix,
            limit: fc.oneof(fc.constant(undefined), fc.constantFrom(...LIMITS)),
            all: fc.boolean(),
            enc: encArb,
          },
          { requiredKeys: ['op', 'id', 'all', 'enc'] },
        ),
      },
      {
        weight: 1,
        arbitrary: fc.record({
          op: fc.constant('forged-token' as const),
          id,
          token: fc.oneof(
            hostileString(8),
            fc.base64String({ minLength: 4, maxLength: 16 }),
            fc
              .constantFrom(...texts, '', 'zzz')
              .map((t) =>
                Buffer.from(t, 'utf8')
                  .toString('base64')
                  .replace(/\+/g, '-')
                  .replace(/\//g, '_')
                  .replace(/=/g, '.'),
              ),
          ),
          enc: encArb,
        }),
      },
    );
    return fc.array(op, { minLength: 1, maxLength: 8 }).map((ops) => ({ ids, ranges, ops }));
  });
