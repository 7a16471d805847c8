/**
 * `npm run smoke -- --stage alice` checks the HTTP contract of a deployed stage, black-box:
 * one line per check (✔/✘), a summary, exit code 1 when anything failed. It writes only under
 * a random `smoke-<hex>` id prefix and deletes what it wrote.
 *
 *   --stage S          deployed stage: endpoint and writer key from stack config-store-S
 *                      (outputs ServiceEndpoint and ApiKeyId, the key's value by GetApiKey)
 *   --region R         region of the stack (default: AWS_REGION, then .env.S or .env, then us-east-1)
 *   --endpoint URL     base URL of the API, stage included (e.g. the local stage's)
 *   --api-key K        writer key (default: API_KEY, else the stack's current writer key)
 *   --timeout MS       deadline of each request (default 10000)
 *
 * With --stage it needs AWS credentials that may read the stack and the key; no `.env.S`.
 * See docs/seed-and-smoke.md.
 */
import { APIGatewayClient } from '@aws-sdk/client-api-gateway';
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { UsageError } from '../lib/usage-error';
import { parseFlags, runAsProcess, type Print } from './lib/cli';
import { assertStageName, readStageEnv, stageEnvFile } from '../lib/stage-env';
import { resolveRegion } from './lib/region';
import { formatResult, formatSummary, runSmoke, type SmokeOptions } from './lib/smoke-runner';
import {
  describeStackOutputs,
  readWriterKey,
  requireOutput,
  type DescribeStacksClient,
  type GetApiKeyClient,
} from './lib/stack-outputs';

export const SMOKE_USAGE = `Usage:
  npm run smoke -- --stage <stage> [--region <region>] [--api-key <key>] [--timeout <ms>]
  npm run smoke -- --endpoint <base url incl. stage> [--api-key <key>] [--timeout <ms>]`;

const FLAGS = {
  stage: { type: 'string' },
  region: { type: 'string' },
  endpoint: { type: 'string' },
  'api-key': { type: 'string' },
  timeout: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

export interface SmokeDeps {
  env: NodeJS.ProcessEnv;
  print: Print;
  cloudFormation(region: string): DescribeStacksClient & { destroy?(): void };
  apiGateway(region: string): GetApiKeyClient & { destroy?(): void };
  fetch?: SmokeOptions['fetch'];
}

export const defaultSmokeDeps: SmokeDeps = {
  env: process.env,
  print: (line) => console.log(line),
  cloudFormation: (region) => new CloudFormationClient({ region }),
  apiGateway: (region) => new APIGatewayClient({ region }),
};

interface SmokeTarget {
  baseUrl: string;
  apiKey: string;
  internalNames?: string[];
  description: string;
}

export async function smokeMain(
  argv: string[],
  deps: SmokeDeps = defaultSmokeDeps,
): Promise<number> {
  const flags = parseFlags(argv, FLAGS, SMOKE_USAGE);
  if (flags.help) {
    deps.print(SMOKE_USAGE);
    return 0;
  }
  const timeoutMs = flags.timeout === undefined ? 10_000 : Number(flags.timeout);
  if (!Number.isInteger(timeoutMs) || timeoutMs <= 0) {
    throw new UsageError(
      `--timeout must be a positive number of milliseconds, got ${flags.timeout}`,
    );
  }
  const target = await resolveSmokeTarget(flags, deps);
  deps.print(`Smoke test of ${target.baseUrl} (${target.description})`);
  const started = performance.now();
  const report = await runSmoke({
    baseUrl: target.baseUrl,
    apiKey: target.apiKey,
    internalNames: target.internalNames,
    timeoutMs,
    fetch: deps.fetch,
    onResult: (result) => deps.print(formatResult(result)),
  });
  deps.print(formatSummary(report, (performance.now() - started) / 1000));
  return report.ok ? 0 : 1;
}

async function resolveSmokeTarget(
  flags: { stage?: string; region?: string; endpoint?: string; 'api-key'?: string },
  deps: SmokeDeps,
): Promise<SmokeTarget> {
  if (flags.stage !== undefined) assertStageName(flags.stage);
  const givenKey = flags['api-key'] ?? deps.env.API_KEY;
  if (flags.endpoint) {
    if (!givenKey) {
      throw new UsageError(
        `No writer API key for --endpoint: pass --api-key <key> or set API_KEY (npm start ` +
          `prints the local stage's key)\n\n${SMOKE_USAGE}`,
      );
    }
    return { baseUrl: parseBaseUrl(flags.endpoint), apiKey: givenKey, description: '--endpoint' };
  }
  if (!flags.stage) {
    throw new UsageError(`Pass --stage <stage> or --endpoint <url>\n\n${SMOKE_USAGE}`);
  }
  const region = resolveRegion({
    flag: flags.region,
    env: deps.env,
    stageEnv: readStageEnv(flags.stage),
    stage: flags.stage,
    stageEnvFile: stageEnvFile(flags.stage),
  });
  const cfn = deps.cloudFormation(region.region);
  try {
    const outputs = await describeStackOutputs(cfn, flags.stage, region);
    const baseUrl = parseBaseUrl(requireOutput(outputs, 'ServiceEndpoint'));
    const internalNames = [outputs.values.TableName, outputs.stackName].filter(Boolean);
    const from = `${outputs.stackName}, ${region.region} from ${region.source}`;
    if (givenKey) {
      const keySource = flags['api-key'] ? '--api-key' : 'API_KEY';
      return {
        baseUrl,
        apiKey: givenKey,
        internalNames,
        description: `output ServiceEndpoint of stack ${from}; key from ${keySource}`,
      };
    }
    const apiGateway = deps.apiGateway(region.region);
    try {
      const key = await readWriterKey(apiGateway, outputs);
      return {
        baseUrl,
        apiKey: key.value,
        internalNames,
        description: `output ServiceEndpoint of stack ${from}; key ${key.name}`,
      };
    } finally {
      apiGateway.destroy?.();
    }
  } finally {
    cfn.destroy?.();
  }
}

function parseBaseUrl(value: string): string {
  try {
    const url = new URL(value);
    if (url.protocol === 'http:' || url.protocol === 'https:') return value.replace(/\/+$/, '');
  } catch {
    // reported below
  }
  throw new UsageError(`Expected an http(s) base URL with the stage, got ${value}`);
}

if (require.main === module) runAsProcess(() => smokeMain(process.argv.slice(2)));
