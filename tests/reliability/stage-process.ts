/**
 * The local stage as a child process for the crash test: serves a packaged template over
 * dynalite (the default engine) on a data directory, and prints one JSON line with what the
 * test needs once it answers. Usage: node -r ts-node/register/transpile-only
 * tests/reliability/stage-process.ts <template> <dataDir>
 */
import { startLocalStage } from '../../local/start';

async function main(): Promise<void> {
  const [template, dataDir] = process.argv.slice(2);
  const stage = await startLocalStage({
    port: 0,
    template,
    dataDir,
    seed: false,
    throttling: false,
    log: () => undefined,
  });
  process.stdout.write(
    `${JSON.stringify({
      url: stage.url,
      apiKey: stage.apiKey,
      dynamoEndpoint: stage.dynamoEndpoint,
      table: stage.tables[0],
    })}\n`,
  );
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
