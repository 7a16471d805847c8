/**
 * `npm start`: the whole API locally. Packages the service for the `local` stage (or serves
 * `--template <file>`), starts the embedded DynamoDB, creates the table, loads `data/`, and
 * serves `http://127.0.0.1:3000/local`. Flags and environment: docs/local-stage.md.
 */
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { readStageEnv } from '../lib/stage-env';
import { callDynamoDb } from './dynamodb/client';
import { formatTrace, type ExecutionTrace } from './gateway';
import { parseEngine, ROOT, startLocalStage, type RunningLocalStage } from './start';
import { watchForChanges, watchTargets, type Watching } from './watch';

const USAGE = `Usage: npm start -- [options]

  --port <n>                 port on 127.0.0.1 (default: PORT, else 3000; 0 = any free port)
  --stage <name>             stage to package and serve (default: the template's stage, else local)
  --template <file>          serve this packaged template as is (no packaging)
  --engine <name>            embedded DynamoDB: dynalite | dynamodb-local (default: DYNAMODB_ENGINE, else dynalite)
  --in-memory                fresh in-memory store (also LOCAL_IN_MEMORY=1); default: persist in .local-data/
  --data-dir <dir>           keep the embedded DynamoDB's data here (default: .local-data/<engine>)
  --dynamodb-endpoint <url>  use this DynamoDB instead of starting one (also DYNAMODB_ENDPOINT)
  --no-seed                  do not load data/ into a newly created table
  --no-throttling            do not enforce the template's throttling and quotas (load tests only)
  --no-watch                 do not reload when serverless.ts, resources/, vtl/, .env.<stage>
                             (or the --template file) change
  --trace                    print each request's execution trace (API Gateway's execution log steps)
  --trace-json               the same as one JSON object per line, for tools
  --quiet                    no access log
  --help
`;

const OPTIONS = {
  port: { type: 'string' },
  stage: { type: 'string' },
  template: { type: 'string' },
  engine: { type: 'string' },
  'in-memory': { type: 'boolean' },
  'data-dir': { type: 'string' },
  'dynamodb-endpoint': { type: 'string' },
  'no-seed': { type: 'boolean' },
  'no-throttling': { type: 'boolean' },
  'no-watch': { type: 'boolean' },
  trace: { type: 'boolean' },
  'trace-json': { type: 'boolean' },
  quiet: { type: 'boolean' },
  help: { type: 'boolean' },
} as const;

/**
 * `npm start --port 4000` (without `--`) gives `--port` to npm, which keeps it as
 * `npm_config_port` and passes only `4000` on: say so rather than serve on another port.
 */
function npmSwallowedOptions(env: NodeJS.ProcessEnv): string[] {
  // npm keeps `--no-watch` as npm_config_watch (empty), `--in-memory` as npm_config_in_memory.
  return Object.keys(OPTIONS)
    .filter(
      (name) => env[`npm_config_${name.replace(/^no-/, '').replace(/-/g, '_')}`] !== undefined,
    )
    .map((name) => `--${name}`);
}

async function main(): Promise<void> {
  const swallowed = npmSwallowedOptions(process.env);
  if (swallowed.length > 0) {
    throw new Error(
      `npm took ${swallowed.join(', ')} as its own option${swallowed.length > 1 ? 's' : ''}: ` +
        `put -- before the local stage's options, e.g. npm start -- --port 4000`,
    );
  }
  const { values } = parseArgs({ options: OPTIONS });
  if (values.help) {
    process.stdout.write(USAGE);
    return;
  }
  // Settings from `.env.<stage>` (else `.env`) as Serverless reads them; the environment wins.
  const env = { ...readStageEnv(values.stage ?? 'local'), ...process.env };
  const portText = values.port ?? env.PORT ?? '3000';
  const port = Number(portText);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new Error(`--port must be a whole number 0-65535, got ${portText}`);
  }
  // Before packaging and starting DynamoDB, which take seconds: a taken port fails at once.
  if (port !== 0) await assertPortFree(port);
  const trace = values['trace-json']
    ? (t: ExecutionTrace) => console.log(JSON.stringify(t))
    : values.trace
      ? (t: ExecutionTrace) => console.log(formatTrace(t))
      : undefined;
  const stage = await startLocalStage({
    port,
    trace,
    dataDir: values['data-dir'] && path.resolve(values['data-dir']),
    stage: values.stage,
    template: values.template,
    engine: parseEngine(values.engine ?? env.DYNAMODB_ENGINE),
    inMemory: values['in-memory'] === true || env.LOCAL_IN_MEMORY === '1',
    dynamoEndpoint: values['dynamodb-endpoint'] ?? env.DYNAMODB_ENDPOINT,
    seed: values['no-seed'] !== true,
    throttling: values['no-throttling'] !== true,
    log: values.quiet ? () => undefined : (line) => console.log(line),
  });
  let watching: Watching | undefined;
  if (values['no-watch'] !== true) {
    const targets = watchTargets(ROOT, stage.stage, values.template);
    watching = watchForChanges(targets, (changed) => reload(stage, changed));
  }
  await printBanner(
    stage,
    watching &&
      (values.template
        ? `Reloads when ${values.template} changes (--no-watch: off).`
        : 'Reloads when serverless.ts, resources/, vtl/ or .env files change (--no-watch: off).'),
  );

  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    watching?.close();
    console.log(`\n${signal}: stopping the local stage ...`);
    stage.stop().then(
      () => {
        console.log('Stopped.');
        process.exit(0);
      },
      (err: unknown) => {
        console.error(err);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));
}

/** One reload per burst of changes; its outcome printed once. */
async function reload(stage: RunningLocalStage, changed: string[]): Promise<void> {
  // Editors and sed write through temporary files that are gone by now: name the rest.
  const lasting = changed.filter((file) => existsSync(file));
  const names = (lasting.length ? lasting : changed).map((file) => path.relative(ROOT, file));
  console.log(`Changed: ${names.join(', ')}: reloading ...`);
  const started = Date.now();
  try {
    await stage.reload();
    console.log(
      `Reloaded in ${((Date.now() - started) / 1000).toFixed(1)} s: serving the new API ` +
        '(same data, port and key).',
    );
  } catch (err) {
    console.error(
      `Reload failed; still serving the last good API.\n  ${(err instanceof Error ? err.message : String(err)).replace(/\n/g, '\n  ')}`,
    );
  }
}

async function printBanner(stage: RunningLocalStage, watching?: string): Promise<void> {
  const sample = await sampleKey(stage);
  const lines = [
    '',
    `Local stage "${stage.stage}" ready: ${stage.url}`,
    `  template  ${stage.templatePath}`,
    `  DynamoDB  ${stage.dynamoEndpoint}${stage.engine ? ` (${stage.engine})` : ''}`,
  ];
  if (stage.keptTables.length > 0) {
    lines.push(
      `  table     ${stage.keptTables.join(', ')} already existed: kept it and its data ` +
        '(--in-memory starts empty)',
    );
  }
  if (sample) {
    const id = pathSegment(sample.id);
    lines.push(`  read      curl -s ${stage.url}/${id}`);
    lines.push(`            curl -s ${stage.url}/${id}/${pathSegment(sample.range)}`);
  }
  if (stage.apiKey) {
    lines.push(`  API key   ${stage.apiKey}`);
    lines.push(
      `  write     curl -s -X PUT -H 'x-api-key: ${stage.apiKey}' -H 'content-type: application/json' ` +
        `-d '{"enabled": true}' ${stage.url}/${sample ? pathSegment(sample.id) : 'my-service'}/example`,
    );
  }
  if (watching) {
    lines.push(
      'Reloads when serverless.ts, resources/, vtl/ or .env files change (--no-watch: off).',
    );
  }
  lines.push('Ctrl-C stops it.', '');
  console.log(lines.join('\n'));
}

/**
 * Percent-encodes only what a path segment cannot hold: API Gateway hands path parameters to
 * templates still encoded, so `:` or `@` sent as `%3A`/`%40` would not find the stored key.
 */
function pathSegment(value: string): string {
  return encodeURIComponent(value).replace(
    /%(3A|40|21|24|26|27|28|29|2A|2B|2C|3B|3D)/gi,
    (_, hex: string) => String.fromCharCode(parseInt(hex, 16)),
  );
}

/** A real key from the table, so the printed curl line finds something. */
async function sampleKey(
  stage: RunningLocalStage,
): Promise<{ id: string; range: string } | undefined> {
  if (stage.tables.length === 0) return undefined;
  try {
    const res = await callDynamoDb(stage.dynamoEndpoint, 'Scan', {
      TableName: stage.tables[0],
      Limit: 1,
    });
    const item = (JSON.parse(res.body) as { Items?: Record<string, { S?: string }>[] }).Items?.[0];
    if (item?.id?.S !== undefined && item.range?.S !== undefined) {
      return { id: item.id.S, range: item.range.S };
    }
  } catch {
    // No sample line then; the API still runs.
  }
  return undefined;
}

main().catch((err: unknown) => {
  console.error(`npm start failed: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});

/** Fails with what to do when another process listens on 127.0.0.1:`port`. */
function assertPortFree(port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', (err: NodeJS.ErrnoException) =>
      reject(
        err.code === 'EADDRINUSE'
          ? new Error(
              `port ${port} on 127.0.0.1 is in use (another npm start?): stop that process, or use --port <n> (0 = any free port)`,
            )
          : err,
      ),
    );
    probe.listen(port, '127.0.0.1', () => probe.close(() => resolve()));
  });
}
