/**
 * Template errors name the vtl/ file and line: `expandVtl` records where each line of an
 * inlined template comes from, and the local stage finds a packaged template's files again by
 * matching its text (the packaged template itself carries no markers: it is deployed as is).
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expandVtl, loadVtl, VTL_DIR } from '../../resources/vtl';
import { describeTemplateError, findVtlSources } from '../../local/template-sources';
import type { CfnTemplate } from '../../lib/cloudformation';
import { templatePath } from '../helpers/packaged';

let dir: string;

beforeAll(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'vtl-sources-'));
  writeFileSync(path.join(dir, '_inner.vtl'), 'inner one\ninner two\n');
  writeFileSync(
    path.join(dir, '_middle.vtl'),
    'middle one\n  ## @include _inner.vtl\nmiddle three\n',
  );
  writeFileSync(
    path.join(dir, 'top.vtl'),
    '## top\n#set($t = "@@TableName@@")\n## @include _middle.vtl\nlast line\n',
  );
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('expandVtl', () => {
  it('maps every line of the inlined text to its include chain', () => {
    const { text, sources } = expandVtl('top.vtl', [], dir);
    expect(text).toBe(
      '## top\n#set($t = "@@TableName@@")\nmiddle one\n  inner one\ninner two\nmiddle three\nlast line\n',
    );
    expect(sources.slice(0, 7)).toEqual([
      [{ file: 'top.vtl', line: 1 }],
      [{ file: 'top.vtl', line: 2 }],
      [
        { file: 'top.vtl', line: 3 },
        { file: '_middle.vtl', line: 1 },
      ],
      [
        { file: 'top.vtl', line: 3 },
        { file: '_middle.vtl', line: 2 },
        { file: '_inner.vtl', line: 1 },
      ],
      [
        { file: 'top.vtl', line: 3 },
        { file: '_middle.vtl', line: 2 },
        { file: '_inner.vtl', line: 2 },
      ],
      [
        { file: 'top.vtl', line: 3 },
        { file: '_middle.vtl', line: 3 },
      ],
      [{ file: 'top.vtl', line: 4 }],
    ]);
  });

  it.each(['get-item.response.vtl', 'get-items.response.vtl', 'put-item.request.vtl'])(
    '%s: each line of the inlined text holds the source line it is mapped to',
    (name) => {
      const { text, sources } = expandVtl(name);
      expect(text).toBe(loadVtl(name));
      const files = new Map<string, string[]>();
      text.split('\n').forEach((line, i) => {
        const { file, line: n } = sources[i][sources[i].length - 1];
        if (!files.has(file)) {
          files.set(file, readFileSync(path.join(VTL_DIR, file), 'utf8').split('\n'));
        }
        expect(line).toContain(files.get(file)![n - 1].trim());
      });
    },
  );
});

describe('template errors in the packaged template', () => {
  const packaged = JSON.parse(readFileSync(templatePath('local'), 'utf8')) as CfnTemplate;
  const integration = (logicalId: string) =>
    packaged.Resources[logicalId].Properties!.Integration as {
      RequestTemplates: Record<string, unknown>;
      IntegrationResponses: { ResponseTemplates: Record<string, unknown> }[];
    };
  // Templates with @@TableName@@ are Fn::Join'ed in the template; resolved as the stage would.
  const resolve = (value: unknown): string =>
    typeof value === 'string'
      ? value
      : (value as { 'Fn::Join': [string, unknown[]] })['Fn::Join'][1]
          .map((part) => (typeof part === 'string' ? part : 'config-store-local'))
          .join('');

  it('every mapping template of the packaged template is found in vtl/', () => {
    for (const logicalId of ['GetItemsMethod', 'GetItemMethod', 'PutItemMethod']) {
      const { RequestTemplates, IntegrationResponses } = integration(logicalId);
      for (const text of [
        ...Object.values(RequestTemplates),
        ...IntegrationResponses.flatMap((r) => Object.values(r.ResponseTemplates)),
      ]) {
        expect({ logicalId, found: findVtlSources(resolve(text)) !== undefined }).toEqual({
          logicalId,
          found: true,
        });
      }
    }
  });

  it('an error on an included line names the part, its line, and the file that includes it', () => {
    const text = resolve(
      integration('GetItemMethod').IntegrationResponses[0].ResponseTemplates['application/json'],
    );
    const expanded = expandVtl('get-item.response.vtl');
    const line = expanded.sources.findIndex((chain) => chain.length === 2) + 1 + 3;
    const chain = expanded.sources[line - 1];
    const error = Object.assign(new Error('something went wrong'), { line, column: 4 });
    expect(describeTemplateError(text, error)).toBe(
      `vtl/${chain[1].file}:${chain[1].line}:4 (included from vtl/get-item.response.vtl:${chain[0].line}): something went wrong`,
    );
  });

  it('names the file alone when the error has no line, and the template line when no file matches', () => {
    const text = loadVtl('delete-item.response.vtl');
    expect(describeTemplateError(text, new Error('bad'))).toBe('vtl/delete-item.response.vtl: bad');
    const edited = `## edited by hand\n${text}`;
    expect(describeTemplateError(edited, Object.assign(new Error('bad'), { line: 1 }))).toBe(
      'line 1 of the template (## edited by hand): bad',
    );
  });
});
