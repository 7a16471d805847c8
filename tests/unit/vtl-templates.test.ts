/**
 * Our vtl/ templates, as packaged (loadVtl inlines `## @include`), rendered by the local
 * mapping-template runtime on realistic inputs, and fed arbitrary unicode: every output is JSON
 * that carries the input back unchanged.
 */
import fc from 'fast-check';
import { MappingInput, compileMappingTemplate } from '../../local/vtl';
import { loadVtl } from '../../resources/vtl';
import { templateCases } from '../fixtures/vtl/template-inputs';

const compiled = new Map<string, ReturnType<typeof compileMappingTemplate>>();
const render = (template: string, input: MappingInput) => {
  let fn = compiled.get(template);
  if (!fn) {
    fn = compileMappingTemplate(loadVtl(template));
    compiled.set(template, fn);
  }
  return fn(input);
};

describe('vtl/ templates on fixtures', () => {
  it.each(templateCases.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const result = render(c.template, c.input);
    if (c.expect.empty) expect(result.body.trim()).toBe('');
    else expect(JSON.parse(result.body)).toMatchObject(c.expect.json as object);
    expect(result.statusOverride).toBe(c.expect.status);
  });
});

describe('vtl/ templates carry any unicode string through as valid JSON', () => {
  // Full UTF-16, lone surrogates included: API Gateway passes them through.
  const text = fc.string({ unit: 'binary', minLength: 1, maxLength: 40 });
  const runs = { numRuns: 60 };

  it('get-items request: id and prefix', () => {
    fc.assert(
      fc.property(text, text, (id, prefix) => {
        const out = JSON.parse(
          render('get-items.request.vtl', {
            body: '',
            params: { path: { id }, querystring: { prefix } },
          }).body,
        );
        expect(out.ExpressionAttributeValues).toEqual({
          ':id': { S: id },
          ':prefix': { S: prefix },
        });
      }),
      runs,
    );
  });

  it.each(['get-item.request.vtl', 'delete-item.request.vtl'])('%s: id and range', (template) => {
    fc.assert(
      fc.property(text, text, (id, range) => {
        const out = JSON.parse(
          render(template, { body: '', params: { path: { id, range } } }).body,
        );
        expect(out.Key).toEqual({ id: { S: id }, range: { S: range } });
      }),
      runs,
    );
  });

  it('put-item request: path keys and string attributes (names and values)', () => {
    fc.assert(
      fc.property(text, text, text, text, (id, range, name, value) => {
        fc.pre(name !== 'id' && name !== 'range');
        const body = JSON.stringify({ [name]: value, nested: { [name]: [value] } });
        const out = JSON.parse(
          render('put-item.request.vtl', { body, params: { path: { id, range } } }).body,
        );
        expect(out.Item).toEqual({
          id: { S: id },
          range: { S: range },
          [name]: { S: value },
          nested: { M: { [name]: { L: [{ S: value }] } } },
        });
      }),
      runs,
    );
  });

  it('get-items and get-item responses: item strings round-trip', () => {
    fc.assert(
      fc.property(text, text, text, (id, name, value) => {
        const item = {
          id: { S: id },
          range: { S: value },
          [name]: { M: { v: { L: [{ S: value }] } } },
        };
        const items = JSON.parse(
          render('get-items.response.vtl', {
            body: JSON.stringify({ Count: 1, Items: [item] }),
            params: { path: { id } },
          }).body,
        );
        expect(items).toEqual({ id, items: [{ id, range: value, [name]: { v: [value] } }] });
        const one = JSON.parse(
          render('get-item.response.vtl', {
            body: JSON.stringify({ Item: item }),
            params: { path: { id } },
          }).body,
        );
        expect(one).toEqual({ id, range: value, [name]: { v: [value] } });
      }),
      runs,
    );
  });

  it('put-item response and error response stay valid JSON', () => {
    fc.assert(
      fc.property(text, text, text, (id, range, message) => {
        const put = render('put-item.response.vtl', {
          body: '{}',
          params: { path: { id, range } },
        });
        expect(JSON.parse(put.body)).toEqual({ id, range });
        const err = render('error.response.vtl', {
          body: JSON.stringify({ __type: `x#${message}`, message }),
        });
        expect(JSON.parse(err.body)).toHaveProperty('message');
      }),
      runs,
    );
  });
});
