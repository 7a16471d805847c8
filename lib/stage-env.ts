/**
 * A stage's settings as Serverless reads them: `.env.<stage>` at the repository root, else
 * `.env` (`useDotenv` in serverless.ts). The scripts and `npm start` read the same file, so
 * that `--stage alice` finds the region the stage was deployed to without extra flags.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parseEnv } from 'node:util';
import { UsageError } from './usage-error';

export const REPO_ROOT = path.resolve(__dirname, '..');

/** Stage names as Serverless and CloudFormation accept them in `config-store-<stage>`. */
const STAGE_NAME = /^[A-Za-z0-9-]+$/;

export function assertStageName(stage: string): void {
  if (!STAGE_NAME.test(stage)) {
    throw new UsageError(
      `--stage ${JSON.stringify(stage)} is not a stage name: use letters, digits and '-'`,
    );
  }
}

/**
 * The file Serverless loads for `stage` (useDotenv): `.env.<stage>`, else `.env`, else none.
 * https://www.serverless.com/framework/docs/environment-variables
 */
export function stageEnvFile(stage: string, root = REPO_ROOT): string | undefined {
  assertStageName(stage);
  return [`.env.${stage}`, '.env'].find((name) => existsSync(path.join(root, name)));
}

/** The variables of the file Serverless loads for `stage`, or `{}` when there is none. */
export function readStageEnv(stage: string, root = REPO_ROOT): Record<string, string> {
  const file = stageEnvFile(stage, root);
  if (file === undefined) return {};
  const parsed = parseEnv(readFileSync(path.join(root, file), 'utf8'));
  return Object.fromEntries(
    Object.entries(parsed).filter((entry): entry is [string, string] => entry[1] !== undefined),
  );
}
