import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { loadVtl, VTL_DIR, withPlaceholders } from '../../resources/vtl';

const files = readdirSync(VTL_DIR).filter((f) => f.endsWith('.vtl'));

describe('vtl/', () => {
  it.each(files)('%s never contains ${ (Serverless would resolve it as a variable)', (file) => {
    expect(readFileSync(path.join(VTL_DIR, file), 'utf8')).not.toContain('${');
  });

  it.each(files)(
    '%s uses nothing API Gateway lacks (#macro, #parse, #include, #evaluate)',
    (file) => {
      const code = loadVtl(file).replace(/##.*$/gm, ''); // comments may name them
      expect(code).not.toMatch(/#\{?(macro|parse|include|evaluate)\b/);
    },
  );

  it.each(files)('%s is far below the 300 KB template limit once inlined', (file) => {
    expect(Buffer.byteLength(loadVtl(file))).toBeLessThan((300 * 1024) / 10);
  });
});

describe('loadVtl', () => {
  it('inlines `## @include` files, leaving no include behind', () => {
    const text = loadVtl('get-items.response.vtl');
    expect(text).not.toContain('@include');
    expect(text).toContain(readFileSync(path.join(VTL_DIR, '_to-json.vtl'), 'utf8').trimEnd());
  });

  it('names the file when a template contains ${', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'vtl-'));
    writeFileSync(path.join(dir, 'bad.vtl'), '"$' + '{stage}"');
    expect(() => loadVtl(path.relative(VTL_DIR, path.join(dir, 'bad.vtl')))).toThrow(
      /bad\.vtl contains "\$\{"/,
    );
  });
});

describe('withPlaceholders', () => {
  it('leaves a template without placeholders a plain string', () => {
    expect(withPlaceholders('{"a": 1}', {})).toBe('{"a": 1}');
  });

  it('turns @@Name@@ into a Fn::Join part', () => {
    expect(withPlaceholders('{"TableName": "@@TableName@@"}', { TableName: { Ref: 'T' } })).toEqual(
      {
        'Fn::Join': ['', ['{"TableName": "', { Ref: 'T' }, '"}']],
      },
    );
  });

  it('refuses a placeholder it has no value for', () => {
    expect(() => withPlaceholders('@@Other@@', {})).toThrow(/@@Other@@/);
  });
});
