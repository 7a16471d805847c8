/**
 * What `scripts/seed.ts` and `scripts/smoke.ts` share as command lines: strict flag parsing
 * (an unknown or misspelt flag is an error, never ignored) and one way to end the process.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { UsageError } from '../../lib/usage-error';

type Options = NonNullable<ParseArgsConfig['options']>;

export function parseFlags<T extends Options>(argv: string[], options: T, usage: string) {
  try {
    return parseArgs({ args: argv, options, strict: true, allowPositionals: false }).values;
  } catch (err) {
    throw new UsageError(`${(err as Error).message}\n\n${usage}`);
  }
}

/** Where a script writes its report; tests pass a collector. */
export type Print = (line: string) => void;

/**
 * Runs a script's `main` as a process: its resolved number is the exit code, a usage error
 * prints the usage, any other error prints its message (the stack only with DEBUG set).
 */
export function runAsProcess(main: () => Promise<number>): void {
  main().then(
    (code) => {
      process.exitCode = code;
    },
    (err: unknown) => {
      const error = err instanceof Error ? err : new Error(String(err));
      console.error(`✘ ${error.message}`);
      if (process.env.DEBUG) console.error(error.stack);
      process.exitCode = error instanceof UsageError ? 2 : 1;
    },
  );
}
