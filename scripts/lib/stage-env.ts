/**
 * A stage's settings as Serverless reads them: `.env.<stage>` at the repository root
 * (`useDotenv` in serverless.ts). The scripts read the same file so that `--stage alice` finds
 * the region the stage was deployed to and the writer API key, without extra flags.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parseEnv } from 'node:util';
import { UsageError } from './cli';

export const REPO_ROOT = path.resolve(__dirname, '..', '..');

/** Stage names as Serverless and CloudFormation accept them in `config-store-<stage>`. */
const STAGE_NAME = /^[A-Za-z0-9-]+$/;

export function assertStageName(stage: string): void {
  if (!STAGE_NAME.test(stage)) {
    throw new UsageError(
      `--stage ${JSON.stringify(stage)} is not a stage name: use letters, digits and '-'`,
    );
  }
}

/** The variables of `.env.<stage>`, or `{}` when the stage has no such file. */
export function readStageEnv(stage: string, root = REPO_ROOT): Record<string, string> {
  assertStageName(stage);
  const file = path.join(root, `.env.${stage}`);
  if (!existsSync(file)) return {};
  const parsed = parseEnv(readFileSync(file, 'utf8'));
  return Object.fromEntries(
    Object.entries(parsed).filter((entry): entry is [string, string] => entry[1] !== undefined),
  );
}
