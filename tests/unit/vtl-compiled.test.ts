/**
 * A compiled template is rendered many times (once per request): what the runtime caches or
 * precomputes at compile time must not carry state from one render to the next.
 */
import { compileMappingTemplate } from '../../local/vtl';
import { loadVtl } from '../../resources/vtl';
import { templateCases } from '../fixtures/vtl/template-inputs';

describe('compiled mapping templates', () => {
  it.each(templateCases.map((c) => [c.name, c] as const))(
    '%s renders the same on every render, interleaved with other inputs',
    (_name, c) => {
      const render = compileMappingTemplate(loadVtl(c.template));
      const first = render(c.input);
      const others = templateCases.filter((o) => o.template === c.template && o !== c);
      for (const other of others) render(other.input);
      expect(render(c.input)).toEqual(first);
      expect(compileMappingTemplate(loadVtl(c.template))(c.input)).toEqual(first);
    },
  );

  it('starts every render with no variables left from the previous one', () => {
    const render = compileMappingTemplate(
      '#if($input.params("set") == "yes")#set($x = "kept")#end[$!x]#foreach($i in [1..2])#end[$!i]',
    );
    expect(render({ body: '', params: { querystring: { set: 'yes' } } }).body).toBe('[kept][]');
    expect(render({ body: '', params: {} }).body).toBe('[][]');
  });

  it('restores the loop variable and $foreach after a loop, also one left by #break', () => {
    const render = compileMappingTemplate(
      '#set($i = "outer")#foreach($i in [1..3])#if($i == 2)#break#end$foreach.count#end $i $!foreach',
    );
    expect(render({ body: '' }).body).toBe('1 outer ');
    expect(render({ body: '' }).body).toBe('1 outer ');
  });

  it('evaluates interpolated strings against the current render', () => {
    const render = compileMappingTemplate('#set($s = "id=$input.params(\'id\')")$s');
    expect(render({ body: '', params: { path: { id: 'a' } } }).body).toBe('id=a');
    expect(render({ body: '', params: { path: { id: 'b' } } }).body).toBe('id=b');
  });

  it('gives the same regex results when a compiled pattern is reused', () => {
    const render = compileMappingTemplate(
      '#set($s = $input.params("s"))$s.replaceAll("a+", "-")|$s.replaceFirst("a", "_")|$s.matches("b?a+b?")|#foreach($p in $s.split("a"))[$p]#end',
    );
    for (let i = 0; i < 3; i++) {
      expect(render({ body: '', params: { querystring: { s: 'baab' } } }).body).toBe(
        'b-b|b_ab|true|[b][][b]',
      );
      expect(render({ body: '', params: { querystring: { s: 'aa' } } }).body).toBe('-|_a|true|');
    }
  });

  it('parses the body once per render, and each render its own body', () => {
    const render = compileMappingTemplate(
      "$input.path('$').a $input.json('$.a') $input.path('$.b[0]')",
    );
    expect(render({ body: '{"a": 1, "b": ["x"]}' }).body).toBe('1 1 x');
    expect(render({ body: '{"a": 2.0, "b": ["y"]}' }).body).toBe('2.0 2.0 y');
  });
});
