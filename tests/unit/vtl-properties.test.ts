/**
 * Properties of $util over arbitrary unicode, with fast-check: what templates rely on to build
 * valid JSON from any input.
 */
import fc from 'fast-check';
import { renderMappingTemplate } from '../../local/vtl';
import { JList, JMap, isNumber, javaToString, parseJsonToJava } from '../../local/vtl/values';

const render = (template: string, s: string): string =>
  renderMappingTemplate(template, { body: JSON.stringify({ s }) }).body;

// Full UTF-16 strings, lone surrogates included: they reach templates through request bodies.
const anyString = fc.string({ unit: 'binary', maxLength: 64 });
const wellFormed = fc.string({ unit: 'grapheme', maxLength: 64 });

describe('$util properties', () => {
  it('escapeJavaScript + replaceAll("\\\\\'", "\'") inside a JSON string parses back to the input', () => {
    const template = `{"v": "$util.escapeJavaScript($input.path('$.s')).replaceAll("\\\\'", "'")"}`;
    fc.assert(
      fc.property(anyString, (s) => {
        expect((JSON.parse(render(template, s)) as { v: string }).v).toBe(s);
      }),
    );
  });

  it('urlDecode(urlEncode(s)) = s for well-formed strings', () => {
    fc.assert(
      fc.property(wellFormed, (s) => {
        expect(render("$util.urlDecode($util.urlEncode($input.path('$.s')))", s)).toBe(s);
      }),
    );
  });

  it('urlEncode output only has form-safe characters', () => {
    fc.assert(
      fc.property(anyString, (s) => {
        expect(render("$util.urlEncode($input.path('$.s'))", s)).toMatch(/^[A-Za-z0-9.\-*_+%]*$/);
      }),
    );
  });

  it('base64Decode(base64Encode(s)) = s for well-formed strings', () => {
    fc.assert(
      fc.property(wellFormed, (s) => {
        expect(render("$util.base64Decode($util.base64Encode($input.path('$.s')))", s)).toBe(s);
      }),
    );
  });
});

/** A plain JS mirror of the Java model, to compare with JSON.parse. */
function plain(value: unknown): unknown {
  if (value instanceof JMap) {
    const out = Object.create(null) as Record<string, unknown>;
    for (const [k, v] of value.map) out[k] = plain(v);
    return out;
  }
  if (value instanceof JList) return value.items.map(plain);
  if (isNumber(value)) return Number(javaToString(value));
  return value;
}

function plainJson(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(plainJson);
  if (value !== null && typeof value === 'object') {
    const out = Object.create(null) as Record<string, unknown>;
    for (const [k, v] of Object.entries(value)) out[k] = plainJson(v);
    return out;
  }
  return value;
}

describe('the body parser ($input.path, $util.parseJson)', () => {
  it('reads every JSON document as JSON.parse does', () => {
    fc.assert(
      fc.property(fc.json(), (text) => {
        expect(plain(parseJsonToJava(text))).toEqual(plainJson(JSON.parse(text)));
      }),
    );
  });

  it('refuses exactly what JSON.parse refuses', () => {
    const almostJson = fc.oneof(
      fc.string({ unit: 'binary', maxLength: 20 }),
      fc.json().map((j) => j.slice(0, -1)),
      fc
        .json()
        .chain((j) =>
          fc.integer({ min: 0, max: j.length }).map((at) => `${j.slice(0, at)}\\${j.slice(at)}`),
        ),
    );
    fc.assert(
      fc.property(almostJson, (text) => {
        let expected = true;
        try {
          JSON.parse(text);
        } catch {
          expected = false;
        }
        let actual = true;
        try {
          parseJsonToJava(text);
        } catch (e) {
          expect(e).toBeInstanceOf(SyntaxError);
          actual = false;
        }
        expect(actual).toBe(expected);
      }),
    );
  });

  it('keeps the Integer/Long/BigInteger/Double/BigDecimal distinction', () => {
    const m = parseJsonToJava(
      '{"i": 1, "d": 1.0, "l": 4294967297, "b": 99999999999999999999, "e": 1e2, "m": -0, "x": 1.23456789012345678901}',
    ) as JMap;
    expect([...m.map.values()].map((v) => `${javaToString(v)}`)).toEqual([
      '1',
      '1.0',
      '4294967297',
      '99999999999999999999',
      '100.0',
      '0',
      '1.23456789012345678901',
    ]);
  });
});
