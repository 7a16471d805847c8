/**
 * The local stage serves a template whose writer key has no Value (what `sls package` writes
 * for a stage that pins no API_KEY) with a generated key, kept with the stage's data: the same
 * key after a restart, a new one in memory or once the data is wiped.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { API_KEYS_FILE, LocalApiKeyStore } from '../../local/api-keys';
import { startLocalStage, type RunningLocalStage } from '../../local/start';
import { send } from '../helpers/local-stage';
import { templatePath, UNPINNED_STAGE } from '../helpers/packaged';

let dataDir: string;
beforeEach(async () => {
  dataDir = await mkdtemp(path.join(os.tmpdir(), 'local-api-keys-'));
});
afterEach(async () => {
  await rm(dataDir, { recursive: true, force: true });
});

async function start(opts: { inMemory?: boolean } = {}) {
  const lines: string[] = [];
  const stage = await startLocalStage({
    port: 0,
    template: templatePath(UNPINNED_STAGE),
    dataDir,
    seed: false,
    log: (line) => lines.push(line),
    ...opts,
  });
  return { stage, lines };
}

async function put(stage: RunningLocalStage, key: string | undefined) {
  const res = await send(stage.url, '/key-test/item', {
    method: 'PUT',
    headers: { 'content-type': 'application/json', ...(key ? { 'x-api-key': key } : {}) },
    body: '{"enabled":true}',
  });
  return res.status;
}

describe('generated writer key of a persisted local stage', () => {
  it('is generated like API Gateway does (40 letters and digits), printed, and accepted', async () => {
    const { stage, lines } = await start();
    try {
      expect(stage.apiKey).toMatch(/^[A-Za-z0-9]{40}$/);
      expect(lines).toContain(
        `API key of stage alice: generated as on AWS, kept in ${path.relative(
          path.resolve(__dirname, '..', '..'),
          path.join(dataDir, API_KEYS_FILE),
        )}`,
      );
      expect(await put(stage, stage.apiKey)).toBe(201);
      expect(await put(stage, undefined)).toBe(403);
    } finally {
      await stage.stop();
    }
  });

  it('survives a restart on the same data', async () => {
    const first = await start();
    const key = first.stage.apiKey;
    await first.stage.stop();
    const second = await start();
    try {
      expect(second.stage.apiKey).toBe(key);
      expect(await put(second.stage, key)).toBe(201);
    } finally {
      await second.stage.stop();
    }
  });

  it('is new once the data is wiped', async () => {
    const first = await start();
    const key = first.stage.apiKey;
    await first.stage.stop();
    await rm(dataDir, { recursive: true, force: true });
    const second = await start();
    try {
      expect(second.stage.apiKey).not.toBe(key);
      expect(await put(second.stage, key)).toBe(403);
    } finally {
      await second.stage.stop();
    }
  });

  it('is new on every in-memory start, and nothing is written', async () => {
    const first = await start({ inMemory: true });
    await first.stage.stop();
    const second = await start({ inMemory: true });
    await second.stage.stop();
    expect(first.stage.apiKey).not.toBe(second.stage.apiKey);
    expect(first.lines).toContain('API key of stage alice: generated as on AWS, in memory');
    await expect(readFile(path.join(dataDir, API_KEYS_FILE))).rejects.toThrow(/ENOENT/);
  });
});

describe('LocalApiKeyStore', () => {
  it('keeps one value per stage and key, written only when new', async () => {
    const file = path.join(dataDir, API_KEYS_FILE);
    let n = 0;
    const store = new LocalApiKeyStore(file, () => `generated-${++n}`);
    expect(store.valueFor('local', 'WriterApiKey')).toBe('generated-1');
    expect(store.valueFor('local', 'WriterApiKey')).toBe('generated-1');
    expect(store.valueFor('alice', 'WriterApiKey')).toBe('generated-2');
    store.save();
    const reread = new LocalApiKeyStore(file, () => 'never');
    expect(reread.valueFor('alice', 'WriterApiKey')).toBe('generated-2');
    expect(JSON.parse(await readFile(file, 'utf8'))).toEqual({
      local: { WriterApiKey: 'generated-1' },
      alice: { WriterApiKey: 'generated-2' },
    });
  });

  it.each([['not json'], ['[]'], ['{"local": {"WriterApiKey": 1}}']])(
    'refuses a damaged file %s, saying to delete it',
    async (content) => {
      const file = path.join(dataDir, API_KEYS_FILE);
      await writeFile(file, content);
      expect(() => new LocalApiKeyStore(file)).toThrow(/delete it to get new keys/);
    },
  );
});
