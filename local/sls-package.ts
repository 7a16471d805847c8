/**
 * Runs `sls package` for one stage into `outDir`, from a private copy of the service
 * directory (symlinks), because Serverless always writes and deletes `<service>/.serverless`
 * as well: two packagings in one directory at once (tests in parallel, `npm start` while
 * tests run) would delete each other's files.
 */
import { execFile } from 'node:child_process';
import { copyFile, mkdtemp, rm, symlink } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

export const SERVICE_DIR = path.resolve(__dirname, '..');
const SERVICE_FILES = [
  'lib',
  'resources',
  'vtl',
  'plugins',
  'node_modules',
  'package.json',
  'tsconfig.json',
];

export interface PackageOptions {
  /** Extra environment for Serverless (e.g. API_KEY); merged over process.env. */
  env?: NodeJS.ProcessEnv;
  /** Skip type-checking serverless.ts (`tsc --noEmit` does it in `npm test`). Default true. */
  transpileOnly?: boolean;
  /** Let Serverless read `.env` / `.env.<stage>` from the service directory. Default true. */
  dotenv?: boolean;
}

export async function slsPackage(
  stage: string,
  outDir: string,
  options: PackageOptions = {},
): Promise<void> {
  await runSls(stage, ['package', '--package', path.resolve(outDir)], options);
}

/**
 * Runs one `sls` command (e.g. `['print']`) for `stage` from a private copy of the service
 * directory, as `slsPackage` does; resolves to what it printed.
 */
export async function runSls(
  stage: string,
  args: string[],
  options: PackageOptions = {},
): Promise<string> {
  const workDir = await mkdtemp(path.join(os.tmpdir(), 'sls-package-'));
  try {
    // Serverless does not accept a symlink as its configuration file.
    await copyFile(path.join(SERVICE_DIR, 'serverless.ts'), path.join(workDir, 'serverless.ts'));
    await Promise.all(
      SERVICE_FILES.map((name) => symlink(path.join(SERVICE_DIR, name), path.join(workDir, name))),
    );
    // `.env.<stage>` files are read from the service directory (useDotenv).
    for (const envFile of options.dotenv === false ? [] : [`.env`, `.env.${stage}`]) {
      await symlink(path.join(SERVICE_DIR, envFile), path.join(workDir, envFile)).catch(() => {});
    }
    const sls = path.join(SERVICE_DIR, 'node_modules', 'serverless', 'bin', 'serverless.js');
    const { stdout, stderr } = await promisify(execFile)(
      process.execPath,
      [sls, ...args, '--stage', stage],
      {
        cwd: workDir,
        env: {
          ...process.env,
          SLS_TELEMETRY_DISABLED: '1',
          SLS_NOTIFICATIONS_MODE: 'off',
          // Set either way: a caller running under ts-node may have it in its own environment.
          TS_NODE_TRANSPILE_ONLY: options.transpileOnly === false ? 'false' : 'true',
          ...options.env,
        },
        maxBuffer: 16 * 1024 * 1024,
      },
    ).catch((error: Error & { stdout?: string; stderr?: string }) => {
      const output = `${error.stdout ?? ''}${error.stderr ?? ''}`.trim();
      throw new Error(`sls ${args[0]} --stage ${stage} failed:\n${output}`);
    });
    return `${stdout}${stderr}`;
  } finally {
    await rm(workDir, { recursive: true, force: true });
  }
}
