/**
 * The compiler turns templates into JavaScript source (local/vtl/compiler.ts). Whatever a
 * template holds (hostile names, quotes, backslashes, code-like text), none of it may become
 * code: the generated source is made only of the compiler's own names and JavaScript syntax.
 */
import fc from 'fast-check';
import { compileMappingTemplate, renderMappingTemplate } from '../../local/vtl';
import { compileTemplate } from '../../local/vtl/compiler';
import { loadVtl } from '../../resources/vtl';
import { VTL_DIR } from '../../resources/vtl';
import { readdirSync } from 'node:fs';

/** Every character the generated source may contain: no quotes, backslashes, $, #, / or `. */
const SOURCE_CHARACTERS = /^[A-Za-z0-9_\s=;,.(){}[\]!<>?:+\-*&|]*$/;

/** Names that mean something to JavaScript objects or to the generated code itself. */
const hostileNames = [
  'constructor',
  '__proto__',
  'prototype',
  'toString',
  'valueOf',
  'hasOwnProperty',
  'eval',
  'Function',
  'process',
  'require',
  'this',
  'out',
  'G',
  'S',
  'H',
  'K',
  'v0',
  't0',
  'k0',
  'h0',
  'L0',
  'f0',
  'e',
  'render',
  'return',
  'undefined',
];

// Velocity identifiers start with a letter.
const identifier = (n: string): boolean => /^[a-zA-Z][a-zA-Z0-9_]*$/.test(n);
const name = fc.oneof(
  fc.constantFrom(...hostileNames.filter(identifier)),
  fc.stringMatching(/^[a-zA-Z][a-zA-Z0-9_]{0,12}$/),
);
// Any text, lone surrogates and line separators included.
const text = fc.string({ unit: 'binary', maxLength: 40 });
const singleQuoted = (s: string): string => `'${s.replace(/'/g, "''")}'`;

function expectSafeSource(template: string): void {
  let source: string;
  try {
    source = compileTemplate(template).source;
  } catch (e) {
    // Refusing a template is safe; anything but a refusal is a bug.
    expect((e as Error).name).toBe('UnsupportedTemplateError');
    return;
  }
  expect(source).toMatch(SOURCE_CHARACTERS);
}

describe('the VTL compiler never turns template content into code', () => {
  it('keeps every vtl/ template free of template text in its generated source', () => {
    for (const file of readdirSync(VTL_DIR).filter((f) => !f.startsWith('_'))) {
      expectSafeSource(loadVtl(file));
    }
  });

  it('hostile variable names and string literals stay data', () => {
    fc.assert(
      fc.property(name, text, (n, s) => {
        const template = `#set($${n} = ${singleQuoted(s)})$${n}`;
        expectSafeSource(template);
        expect(renderMappingTemplate(template, { body: '{}' }).body).toBe(s);
      }),
    );
  });

  it('refuses a __proto__ key in a map literal (velocityjs would drop it)', () => {
    expect(() => renderMappingTemplate("#set($m = {'__proto__': 1})$m", { body: '{}' })).toThrow(
      '__proto__',
    );
    expect(
      renderMappingTemplate("#set($m = {})#set($ok = $m.put('__proto__', 1))$m $m['__proto__']", {
        body: '{}',
      }).body,
    ).toBe('{__proto__=1} 1');
  });

  it('hostile map keys, property names and method names stay data', () => {
    fc.assert(
      fc.property(name, name, text, (key, method, s) => {
        const template = `#set($m = {${singleQuoted(key)}: ${singleQuoted(s)}})$m.${key}|$m[${singleQuoted(key)}]|$!m.${method}()|$!m.get(${singleQuoted(key)}).${method}`;
        expectSafeSource(template);
        let body: string;
        try {
          body = renderMappingTemplate(template, { body: '{}' }).body;
        } catch (e) {
          // A Java method the runtime does not implement is refused by name.
          expect((e as Error).name).toBe('UnsupportedTemplateError');
          return;
        }
        expect(body.startsWith(`${s}|${s}|`)).toBe(true);
      }),
    );
  });

  it('arbitrary template text compiles to safe source or is refused', () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof(text, fc.constantFrom(...hostileNames)), { maxLength: 6 }),
        (parts) => {
          expectSafeSource(parts.join(' '));
          expectSafeSource(`"${parts.join('$')}"`);
          expectSafeSource(`#set($x = "${parts.join('$x')}")$x`);
        },
      ),
    );
  });

  it('client data reaching $input never changes the generated code', () => {
    const render = compileMappingTemplate("$input.path('$.a') $input.params('b')");
    fc.assert(
      fc.property(text, text, (a, b) => {
        const out = render({ body: JSON.stringify({ a }), params: { querystring: { b } } }).body;
        expect(out).toBe(`${a} ${b}`);
      }),
    );
  });
});

describe('compiled loops', () => {
  it('a range loop counts instead of building the range, and stops at 1000', () => {
    const warnings: string[] = [];
    const render = compileMappingTemplate('#foreach($i in [1..2147483647])#end$i|$!velocityCount', {
      onWarning: (w) => warnings.push(w.code),
    });
    expect(render({ body: '{}' }).body).toBe('|');
    expect(warnings).toEqual(['foreach-limit']);
  });

  it('a huge range outside #foreach is refused, not built', () => {
    expect(() =>
      renderMappingTemplate('#set($r = [1..2147483647])$r.size()', { body: '{}' }),
    ).toThrow('builds at most');
  });
});
