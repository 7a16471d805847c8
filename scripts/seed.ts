/**
 * `npm run seed -- --stage alice` loads `data/` (or `--file`) into a stage's table.
 *
 *   --stage S            deployed stage: table from the outputs of stack config-store-S
 *   --region R           region of the stack (default: AWS_REGION, then .env.S or .env, then us-east-1)
 *   --file F             a JSON file or directory to load instead of data/ (repeatable)
 *   --endpoint URL       a DynamoDB endpoint (e.g. the local stage's): no CloudFormation
 *   --table NAME         the table to write; default config-store-S (needed without --stage)
 *
 * Needs AWS credentials that may read the stack and write the table; no `.env.S`.
 * See docs/seed-and-smoke.md.
 */
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import path from 'node:path';
import { LOCAL_REGION } from '../lib/aws-constants';
import { assertStageName, readStageEnv, REPO_ROOT, stageEnvFile } from '../lib/stage-env';
import { LOCAL_CREDENTIALS } from '../local/dynamodb/client';
import {
  batchWriteItems,
  type BatchWriteClient,
  type BatchWriteOptions,
} from '../local/dynamodb/batch-write';
import { UsageError } from '../lib/usage-error';
import { parseFlags, runAsProcess, type Print } from './lib/cli';
import { resolveRegion } from './lib/region';
import {
  DEFAULT_DATA_DIR,
  itemKey,
  listSeedFiles,
  readSeedFile,
  uniqueByKey,
  type SeedFile,
} from './lib/seed-items';
import {
  describeStackOutputs,
  requireOutput,
  stackNameFor,
  type DescribeStacksClient,
} from './lib/stack-outputs';

export const SEED_USAGE = `Usage:
  npm run seed -- --stage <stage> [--region <region>] [--file <json or dir>]...
  npm run seed -- --endpoint <dynamodb url> --table <name> [--file <json or dir>]...`;

const FLAGS = {
  stage: { type: 'string' },
  region: { type: 'string' },
  file: { type: 'string', multiple: true },
  endpoint: { type: 'string' },
  table: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

export interface SeedTarget {
  tableName: string;
  region: string;
  /** A DynamoDB endpoint given with --endpoint; AWS's own otherwise. */
  endpoint?: string;
  /** How the table was found, for the report. */
  description: string;
}

export interface SeedDeps {
  env: NodeJS.ProcessEnv;
  print: Print;
  cloudFormation(region: string): DescribeStacksClient & { destroy?(): void };
  dynamoDb(target: SeedTarget): BatchWriteClient & { destroy?(): void };
  /** Passed to the batch writer (tests inject sleep/random and small retry policies). */
  batchWrite?: Omit<BatchWriteOptions, 'onBatchWritten' | 'onRetry'>;
  now(): number;
}

export const defaultSeedDeps: SeedDeps = {
  env: process.env,
  print: (line) => console.log(line),
  cloudFormation: (region) => new CloudFormationClient({ region }),
  dynamoDb: (target) =>
    new DynamoDBClient({
      region: target.region,
      endpoint: target.endpoint,
      // A local engine checks no signature; AWS credentials are neither needed nor wanted there.
      credentials: target.endpoint && isLoopback(target.endpoint) ? LOCAL_CREDENTIALS : undefined,
    }),
  now: () => Date.now(),
};

export async function seedMain(argv: string[], deps: SeedDeps = defaultSeedDeps): Promise<number> {
  const flags = parseFlags(argv, FLAGS, SEED_USAGE);
  if (flags.help) {
    deps.print(SEED_USAGE);
    return 0;
  }
  const started = deps.now();
  const files = listSeedFiles(flags.file ?? [DEFAULT_DATA_DIR]).map(readSeedFile);
  const target = await resolveSeedTarget(flags, deps);
  deps.print(`Seeding ${target.tableName} (${target.description})`);
  for (const { file, items } of files) {
    deps.print(`  ${path.relative(REPO_ROOT, file) || file}: ${items.length} items`);
  }
  await writeSeedFiles(files, target, deps);
  const seconds = ((deps.now() - started) / 1000).toFixed(1);
  deps.print(`✔ seeded ${target.tableName} in ${seconds} s`);
  return 0;
}

async function resolveSeedTarget(
  flags: { stage?: string; region?: string; endpoint?: string; table?: string },
  deps: SeedDeps,
): Promise<SeedTarget> {
  if (flags.stage !== undefined) assertStageName(flags.stage);
  const stageEnv = flags.stage ? readStageEnv(flags.stage) : {};
  if (flags.endpoint) {
    const endpoint = parseEndpoint(flags.endpoint);
    const tableName = flags.table ?? (flags.stage && stackNameFor(flags.stage));
    if (!tableName) throw new UsageError(`--endpoint needs --table <name>\n\n${SEED_USAGE}`);
    const region =
      flags.region ??
      (isLoopback(endpoint)
        ? LOCAL_REGION
        : resolveRegion({ env: deps.env, stageEnv, stage: flags.stage }).region);
    return { tableName, region, endpoint, description: `DynamoDB at ${endpoint}` };
  }
  if (!flags.stage) {
    throw new UsageError(`Pass --stage <stage> (or --endpoint and --table)\n\n${SEED_USAGE}`);
  }
  const resolved = resolveRegion({
    flag: flags.region,
    env: deps.env,
    stageEnv,
    stage: flags.stage,
    stageEnvFile: stageEnvFile(flags.stage),
  });
  const { region, source } = resolved;
  const where = `${region}, from ${source}`;
  if (flags.table) return { tableName: flags.table, region, description: `--table, ${where}` };
  const cfn = deps.cloudFormation(region);
  try {
    const outputs = await describeStackOutputs(cfn, flags.stage, resolved);
    const tableName = requireOutput(outputs, 'TableName');
    return {
      tableName,
      region,
      description: `output TableName of stack ${outputs.stackName}, ${where}`,
    };
  } finally {
    cfn.destroy?.();
  }
}

async function writeSeedFiles(
  files: SeedFile[],
  target: SeedTarget,
  deps: SeedDeps,
): Promise<void> {
  const { items, replaced } = uniqueByKey(files);
  if (replaced > 0)
    deps.print(`  ${replaced} items repeat an earlier id/range: the later one wins`);
  const client = deps.dynamoDb(target);
  const writtenPerId = new Map<string, number>();
  const writeStarted = deps.now();
  try {
    const result = await batchWriteItems(client, target.tableName, items, {
      ...deps.batchWrite,
      onRetry: ({ batch, attempt, unprocessed, delayMs }) =>
        deps.print(
          `  batch ${batch}: ${unprocessed} unprocessed items, attempt ${attempt} in ${delayMs} ms`,
        ),
      onBatchWritten: ({ items: written }) => {
        for (const item of written) {
          const { id } = itemKey(item);
          writtenPerId.set(id, (writtenPerId.get(id) ?? 0) + 1);
        }
      },
    });
    const seconds = ((deps.now() - writeStarted) / 1000).toFixed(1);
    deps.print(
      `Wrote ${result.written} items in ${result.batches} BatchWriteItem calls ` +
        `(+${result.retries} retries) in ${seconds} s:`,
    );
    printPerId(writtenPerId, deps.print);
  } catch (err) {
    if (writtenPerId.size > 0) {
      deps.print('Written before the failure:');
      printPerId(writtenPerId, deps.print);
    }
    throw err;
  } finally {
    client.destroy?.();
  }
}

function printPerId(writtenPerId: Map<string, number>, print: Print): void {
  const width = Math.max(0, ...[...writtenPerId.keys()].map((id) => id.length));
  for (const [id, count] of writtenPerId) print(`  ${id.padEnd(width)}  ${count}`);
}

function parseEndpoint(value: string): string {
  try {
    const url = new URL(value);
    if (url.protocol === 'http:' || url.protocol === 'https:') return value.replace(/\/+$/, '');
  } catch {
    // reported below
  }
  throw new UsageError(
    `--endpoint must be an http(s) URL like http://127.0.0.1:8000, got ${value}`,
  );
}

function isLoopback(endpoint: string): boolean {
  const host = new URL(endpoint).hostname;
  return host === 'localhost' || host === '[::1]' || host.startsWith('127.');
}

if (require.main === module) runAsProcess(() => seedMain(process.argv.slice(2)));
