/**
 * Generated requests against the packaged `local` stage (in-memory dynalite, the default
 * engine): see fuzz.ts for the properties. FUZZ_RUNS cases (300 here, 10,000 in
 * `npm run test:fuzz`); a failure prints its seed and how to replay it.
 */
import type { RunningLocalStage } from '../../local/start';
import { startPackagedLocalStage } from '../helpers/local-stage';
import { runFuzz } from './fuzz';
import { FUZZ_CASE, FUZZ_CONCURRENCY, FUZZ_RUNS, FUZZ_SEED } from './sizes';
import { TableReader } from './table';

let stage: RunningLocalStage;

beforeAll(async () => {
  // Throttling off: the fuzzer sends as fast as the stage answers, which the writer key's usage
  // plan would (rightly) throttle; throttling has its own tests.
  stage = await startPackagedLocalStage({ throttling: false, seed: false });
});

afterAll(async () => {
  await stage?.stop();
});

it(
  `${FUZZ_RUNS} generated cases hold every property (seed ${FUZZ_SEED})`,
  async () => {
    const report = await runFuzz({
      stageUrl: stage.url,
      apiKey: stage.apiKey!,
      table: new TableReader(stage.dynamoEndpoint, stage.tables[0]),
      runs: FUZZ_RUNS,
      seed: FUZZ_SEED,
      only: FUZZ_CASE,
      concurrency: FUZZ_CONCURRENCY,
    });
    console.log(
      `fuzz: seed ${report.seed}, ${report.cases} cases, ${report.operations} operations, ` +
        `${report.requests} requests; operations ${JSON.stringify(Object.fromEntries(report.kinds))}; ` +
        `ms ${JSON.stringify(Object.fromEntries(report.millis))}; ` +
        `statuses ${JSON.stringify(Object.fromEntries([...report.statuses].sort(([a], [b]) => a - b)))}`,
    );
    expect(report.cases).toBe(FUZZ_CASE === undefined ? FUZZ_RUNS : 1);
  },
  30_000 + FUZZ_RUNS * 200,
);
