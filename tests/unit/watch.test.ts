/**
 * Reload on change (local/watch.ts): every save is seen, including the atomic save editors
 * use (write a new file, rename it over the old one), and each burst of events gives one call.
 */
import { appendFileSync, mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { watchForChanges, type Watching } from '../../local/watch';

/** Resolves once `probe` returns true; fails the test after `timeoutMs` (load-tolerant). */
async function until(what: string, probe: () => boolean, timeoutMs = 20_000): Promise<void> {
  const started = Date.now();
  while (!probe()) {
    if (Date.now() - started > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('watchForChanges', () => {
  let dir: string;
  let watching: Watching | undefined;
  const calls: string[][] = [];

  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'watch-'));
    mkdirSync(path.join(dir, 'vtl', 'nested'), { recursive: true });
    writeFileSync(path.join(dir, 'vtl', 'a.vtl'), 'one\n');
    writeFileSync(path.join(dir, 'vtl', 'nested', 'b.vtl'), 'one\n');
    writeFileSync(path.join(dir, 'serverless.ts'), '// one\n');
    calls.length = 0;
    watching = watchForChanges(
      { dirs: [path.join(dir, 'vtl')], files: [path.join(dir, 'serverless.ts')] },
      async (changed) => {
        calls.push(changed.map((file) => path.relative(dir, file)).sort());
      },
      50,
    );
  });

  afterEach(() => {
    watching?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('sees every save of a file, after an atomic save (rename over it) too', async () => {
    const file = path.join(dir, 'vtl', 'a.vtl');
    const atomicSave = (text: string) => {
      writeFileSync(`${file}.new`, text);
      renameSync(`${file}.new`, file);
    };
    atomicSave('two\n');
    await until('the atomic save', () => calls.some((c) => c.includes('vtl/a.vtl')));
    const seen = calls.length;
    appendFileSync(file, 'three\n');
    await until('the save after it', () => calls.length > seen);
    expect(calls[calls.length - 1]).toContain('vtl/a.vtl');
    const seenAgain = calls.length;
    atomicSave('four\n');
    await until('a second atomic save', () => calls.length > seenAgain);
    expect(calls[calls.length - 1]).toContain('vtl/a.vtl');
  });

  it('sees files in nested and newly created directories, and single files by name', async () => {
    appendFileSync(path.join(dir, 'vtl', 'nested', 'b.vtl'), 'two\n');
    await until('a nested file', () => calls.some((c) => c.includes('vtl/nested/b.vtl')));
    // A directory created later, with a file written at once (before its watcher can exist).
    mkdirSync(path.join(dir, 'vtl', 'later'));
    writeFileSync(path.join(dir, 'vtl', 'later', 'c.vtl'), 'x\n');
    await until('a file in a new directory', () =>
      calls.some((c) => c.includes('vtl/later/c.vtl')),
    );
    const seen = calls.length;
    appendFileSync(path.join(dir, 'vtl', 'later', 'c.vtl'), 'y\n');
    await until('a later save in the new directory', () => calls.length > seen);
    appendFileSync(path.join(dir, 'serverless.ts'), '// two\n');
    await until('serverless.ts', () => calls.some((c) => c.includes('serverless.ts')));
  });

  it('ignores editor scratch files', async () => {
    writeFileSync(path.join(dir, 'vtl', '.a.vtl.swp'), 'x');
    writeFileSync(path.join(dir, 'vtl', 'a.vtl~'), 'x');
    appendFileSync(path.join(dir, 'vtl', 'a.vtl'), 'two\n');
    await until('the real save', () => calls.some((c) => c.includes('vtl/a.vtl')));
    expect(calls.flat().filter((f) => f.endsWith('.swp') || f.endsWith('~'))).toEqual([]);
  });
});
