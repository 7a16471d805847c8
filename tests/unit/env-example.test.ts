/**
 * `.env.example` matches the behaviour: copying it changes nothing (no active setting), every
 * variable it documents is one serverless.ts or `npm start` reads, and every variable it lists
 * for the local stage is read by local/cli.ts from `.env.<stage>` (else `.env`).
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseEnv } from 'node:util';
import { readStageEnv, stageEnvFile } from '../../lib/stage-env';

const ROOT = path.resolve(__dirname, '..', '..');
const example = readFileSync(path.join(ROOT, '.env.example'), 'utf8');
const read = (file: string) => readFileSync(path.join(ROOT, file), 'utf8');

/** `# NAME=value` lines: the variables the file documents. */
const documented = [...example.matchAll(/^# ([A-Z][A-Z0-9_]*)=/gm)].map((m) => m[1]);
const localSection = example.slice(example.indexOf('# Local stage only'));
const documentedLocal = [...localSection.matchAll(/^# ([A-Z][A-Z0-9_]*)=/gm)].map((m) => m[1]);

describe('.env.example', () => {
  it('has no active setting: copied to .env or .env.<stage>, it changes nothing', () => {
    expect(parseEnv(example)).toEqual({});
  });

  it('documents only variables the service or the local stage reads', () => {
    const readers = [read('resources/params.ts'), read('serverless.ts'), read('local/cli.ts')].join(
      '\n',
    );
    expect(documented.length).toBeGreaterThan(10);
    for (const name of documented) {
      const usedAs = [`env:${name}`, `pinnedApiKey:${name}`, `env.${name}`];
      expect({ name, read: usedAs.some((use) => readers.includes(use)) }).toEqual({
        name,
        read: true,
      });
    }
  });

  it('lists for the local stage what npm start reads from .env.<stage> (PORT, DYNAMODB_ENDPOINT, ...)', () => {
    const cli = read('local/cli.ts');
    expect(documentedLocal).toEqual(
      expect.arrayContaining(['PORT', 'DYNAMODB_ENDPOINT', 'DYNAMODB_ENGINE', 'LOCAL_IN_MEMORY']),
    );
    expect(cli).toMatch(/const env = \{ \.\.\.readStageEnv\(/);
    for (const name of documentedLocal) expect(cli).toContain(`env.${name}`);
  });
});

describe('readStageEnv: the file Serverless loads for a stage', () => {
  let root: string;
  beforeEach(() => {
    root = mkdtempSync(path.join(os.tmpdir(), 'stage-env-'));
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('is .env.<stage>, else .env, else nothing', () => {
    expect([stageEnvFile('local', root), readStageEnv('local', root)]).toEqual([undefined, {}]);
    writeFileSync(path.join(root, '.env'), 'PORT=4000\n');
    expect([stageEnvFile('local', root), readStageEnv('local', root)]).toEqual([
      '.env',
      { PORT: '4000' },
    ]);
    writeFileSync(path.join(root, '.env.local'), 'DYNAMODB_ENGINE=dynamodb-local\n');
    expect([stageEnvFile('local', root), readStageEnv('local', root)]).toEqual([
      '.env.local',
      { DYNAMODB_ENGINE: 'dynamodb-local' },
    ]);
  });

  it('a copy of .env.example is an empty file to it', () => {
    writeFileSync(path.join(root, '.env'), example);
    expect(readStageEnv('alice', root)).toEqual({});
  });
});
