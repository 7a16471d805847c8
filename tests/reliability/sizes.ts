/**
 * How big the reliability suite runs: `npm test` uses these small defaults; `npm run test:fuzz`
 * (package.json) runs the same tests with large ones set in the environment.
 */
function intFromEnv(name: string, fallback: number): number {
  const text = process.env[name];
  if (text === undefined || text === '') return fallback;
  const value = Number(text);
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new Error(`${name} must be a whole number, got ${JSON.stringify(text)}`);
  }
  return value;
}

/** Fuzz cases (FUZZ_RUNS). */
export const FUZZ_RUNS = intFromEnv('FUZZ_RUNS', 300);
/** Seed of the generated cases (FUZZ_SEED); a fresh one each run unless given. */
export const FUZZ_SEED = intFromEnv('FUZZ_SEED', Date.now() % 2 ** 31);
/** Replay one case of the seeded sequence (FUZZ_CASE). */
export const FUZZ_CASE = process.env.FUZZ_CASE ? intFromEnv('FUZZ_CASE', 0) : undefined;
/** Cases in flight at once (FUZZ_CONCURRENCY). */
export const FUZZ_CONCURRENCY = intFromEnv('FUZZ_CONCURRENCY', 8);
/** How long the load test writes and reads (LOAD_MS). */
export const LOAD_MS = intFromEnv('LOAD_MS', 3000);
/** Write rounds per injected fault (FAULT_ROUNDS). */
export const FAULT_ROUNDS = intFromEnv('FAULT_ROUNDS', 2);
/** Writers and readers of the load test (LOAD_CLIENTS each). */
export const LOAD_CLIENTS = intFromEnv('LOAD_CLIENTS', 8);
/** Times the crash test kills the stage mid-write and restarts it (CRASH_CYCLES). */
export const CRASH_CYCLES = intFromEnv('CRASH_CYCLES', 1);
