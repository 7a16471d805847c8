/** What `npm run seed` reads: data/ as `npm start` loads it, and data-file mistakes by name. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  DEFAULT_DATA_DIR,
  listSeedFiles,
  readSeedFile,
  SeedDataError,
  uniqueByKey,
} from '../../scripts/lib/seed-items';

describe('seed items', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'seed-items-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  function file(name: string, content: string): string {
    const at = path.join(dir, name);
    writeFileSync(at, content);
    return at;
  }

  it('reads every *.json of data/ in name order, typed-*.json as DynamoDB JSON', () => {
    const files = listSeedFiles([DEFAULT_DATA_DIR]).map(readSeedFile);
    expect(files.map((f) => path.basename(f.file))).toEqual(['items.json', 'typed-items.json']);
    const plain = files[0].items.find(
      (i) => i.range.S === 'config' && i.id.S === 'payments-service',
    );
    expect(plain).toMatchObject({ enabled: { BOOL: true }, timeoutMs: { N: '2500' } });
    const typed = files[1].items.find((i) => i.range.S === 'cors');
    expect(typed).toMatchObject({ maxAgeSeconds: { N: '600' }, allowCredentials: { BOOL: false } });
    // Binary is base64 in the file and bytes for the SDK.
    const binary = files[1].items.flatMap((i) => Object.values(i)).find((v) => v.B !== undefined);
    expect(binary?.B).toBeInstanceOf(Uint8Array);
  });

  it.each([
    ['not JSON', 'broken.json', '[{', /broken\.json is not valid JSON/],
    [
      'not an array',
      'object.json',
      '{"id": "a", "range": "b"}',
      /object\.json: expected a JSON array of items/,
    ],
    [
      'an item that is not an object',
      'scalar.json',
      '[1]',
      /scalar\.json\[0\]: expected an object, got 1/,
    ],
    [
      'a missing range',
      'no-range.json',
      '[{"id": "a"}]',
      /no-range\.json\[0\]: the key attribute range must be a non-empty string/,
    ],
    [
      'a numeric id',
      'number-id.json',
      '[{"id": 1, "range": "b"}]',
      /number-id\.json\[0\]: the key attribute id must be a non-empty string/,
    ],
    [
      'a malformed typed value',
      'typed-bad.json',
      '[{"id": {"S": "a"}, "range": {"S": "b"}, "x": {"Q": 1}}]',
      /expected a DynamoDB attribute value like/,
    ],
  ])('names the file and item of %s', (_case, name, content, message) => {
    const at = file(name, content);
    expect(() => readSeedFile(at)).toThrow(SeedDataError);
    expect(() => readSeedFile(at)).toThrow(message);
  });

  it.each([['a path that does not exist', ['no-such-dir'], /no-such-dir does not exist/]])(
    'refuses %s',
    (_case, paths, message) => {
      expect(() => listSeedFiles(paths)).toThrow(message);
    },
  );

  it('keeps the last definition of a key, in first-seen order, and counts the replaced ones', () => {
    const first = readSeedFile(
      file('a.json', '[{"id":"x","range":"1","v":1},{"id":"x","range":"2"}]'),
    );
    const second = readSeedFile(file('b.json', '[{"id":"x","range":"1","v":2}]'));
    const { items, replaced } = uniqueByKey([first, second]);
    expect(items).toEqual([
      { id: { S: 'x' }, range: { S: '1' }, v: { N: '2' } },
      { id: { S: 'x' }, range: { S: '2' } },
    ]);
    expect(replaced).toBe(1);
  });
});
