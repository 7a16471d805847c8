/**
 * Runs Apache Velocity 1.7 (RenderBatch.java) over a batch of cases in one JVM. Used by the
 * differential test; available only where tests/reference-velocity/install.sh has run.
 */
import { spawnSync } from 'child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';

const JARS = [
  'velocity',
  'commons-collections3',
  'commons-lang',
  'json-path',
  'json-smart',
  'accessors-smart',
  'asm',
  'slf4j-api',
  'slf4j-nop',
].map((name) => `/usr/share/java/${name}.jar`);

export interface ReferenceCase {
  template: string;
  body: string;
  params?: unknown;
  context?: unknown;
  stageVariables?: unknown;
}

export type ReferenceResult =
  | {
      body: string;
      status?: string;
      headers: Record<string, string>;
      requestOverrides: {
        header: Record<string, string>;
        querystring: Record<string, string>;
        path: Record<string, string>;
      };
    }
  | { error: string };

/** Why the reference engine cannot run here, or undefined when it can. */
export function referenceEngineMissing(): string | undefined {
  const missing = JARS.filter((jar) => !existsSync(jar));
  if (missing.length > 0) return `missing ${missing.join(', ')}`;
  const java = spawnSync('java', ['-version'], { encoding: 'utf8' });
  if (java.error || java.status !== 0) return 'no java on PATH';
  return undefined;
}

/** json-smart's permissive parser drops a raw U+007F, so the case file carries only ASCII. */
export function asciiJson(value: unknown): string {
  return asciiText(JSON.stringify(value));
}

/** Escapes non-ASCII as \uXXXX: valid JSON wherever such characters can occur (in strings). */
export function asciiText(json: string): string {
  return json.replace(
    /[\u007f-\uffff]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

export function renderWithVelocity(cases: ReferenceCase[]): ReferenceResult[] {
  const dir = mkdtempSync(join(tmpdir(), 'vtl-reference-'));
  try {
    const input = join(dir, 'cases.json');
    const output = join(dir, 'results.json');
    writeFileSync(input, asciiJson(cases));
    const run = spawnSync(
      'java',
      ['-cp', JARS.join(':'), join(__dirname, 'RenderBatch.java'), input, output],
      { encoding: 'utf8', timeout: 120_000 },
    );
    if (run.status !== 0) throw new Error(`reference engine failed: ${run.stderr}`);
    return JSON.parse(readFileSync(output, 'utf8')) as ReferenceResult[];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
