/**
 * Properties of $util over arbitrary unicode, with fast-check: what templates rely on to build
 * valid JSON from any input.
 */
import fc from 'fast-check';
import { renderMappingTemplate } from '../../local/vtl';

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
