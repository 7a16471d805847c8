/**
 * The local stage, programmatically: package the service (or take a packaged template), start
 * the embedded DynamoDB (or use an existing one), create the template's tables, load sample
 * data into a table that was just created, and serve the API through the gateway emulator.
 * `local/cli.ts` is the `npm start` front of this; tests and the benchmark call it directly.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { executeApiHost, LOCAL_REGION } from '../lib/aws-constants';
import { readStageEnv } from '../lib/stage-env';
import { callDynamoDb } from './dynamodb/client';
import {
  DEFAULT_ENGINE,
  DYNAMODB_ENGINES,
  startDynamoDb,
  type DynamoDbEngineName,
  type RunningDynamoDb,
} from './dynamodb/engine';
import { createTablesFromTemplate, loadDataDir } from './dynamodb/tables';
import { buildApiModel, createGateway, readTemplate, serveGateway } from './gateway';
import { API_KEYS_FILE, LocalApiKeyStore } from './api-keys';
import { slsPackage } from './sls-package';

export const ROOT = path.resolve(__dirname, '..');
const TEMPLATE_FILE = 'cloudformation-template-update-stack.json';

export interface LocalStageOptions {
  /** TCP port on 127.0.0.1; 0 picks a free one. Default 3000. */
  port?: number;
  /** A packaged template to serve as is (no packaging). Default: package the service first. */
  template?: string;
  /** Stage packaged and served (URL prefix). Default: the template's stage, else `local`. */
  stage?: string;
  /** Use this DynamoDB instead of starting one, e.g. `http://127.0.0.1:8000`. */
  dynamoEndpoint?: string;
  /** Embedded engine. Default: the recommended one in local/dynamodb/engine.ts. */
  engine?: DynamoDbEngineName;
  /** Fresh in-memory store instead of `dataDir`. Default false. */
  inMemory?: boolean;
  /** Where the embedded engine keeps data. Default `.local-data/<engine>`. */
  dataDir?: string;
  /**
   * Writer API key value to pin in the package. Default: API_KEY, .env.<stage>'s API_KEY, else
   * none: the key is generated as API Gateway would, and kept with the stage's data.
   */
  apiKey?: string;
  /** Create the template's tables on the DynamoDB endpoint. Default true. */
  createTables?: boolean;
  /** Load `sampleDataDir` into a table that was just created. Default true. */
  seed?: boolean;
  /** Sample items. Default `data/`. */
  sampleDataDir?: string;
  /** Access log and progress lines. Default console.log; `() => {}` silences. */
  log?: (line: string) => void;
  /** Milliseconds since the epoch for throttling and quotas (tests inject one). Default Date.now. */
  clock?: () => number;
  /**
   * Enforce the template's throttling and quotas (429s as on AWS). Default true; false only for
   * load tests of the emulator itself (bench/), which would otherwise measure 429s.
   */
  throttling?: boolean;
}

export interface RunningLocalStage {
  /** e.g. `http://127.0.0.1:3000/local` (no trailing slash). */
  url: string;
  port: number;
  stage: string;
  /** An API key the API accepts for methods that need one (undefined when there is none). */
  apiKey?: string;
  dynamoEndpoint: string;
  engine?: DynamoDbEngineName;
  tables: string[];
  /** Items loaded per sample file (empty when nothing was loaded). */
  seeded: Record<string, number>;
  templatePath: string;
  stop(): Promise<void>;
}

/** A pinned writer key: the option, else API_KEY, else `.env.<stage>`'s API_KEY, else none. */
export function resolveApiKey(
  explicit: string | undefined,
  stage: string,
): { apiKey: string; source: string } {
  if (explicit) return { apiKey: explicit, source: 'option' };
  if (process.env.API_KEY) return { apiKey: process.env.API_KEY, source: 'API_KEY' };
  const fromFile = readStageEnv(stage, ROOT).API_KEY;
  if (fromFile) return { apiKey: fromFile, source: `.env.${stage}` };
  return { apiKey: '', source: 'none' };
}

export function parseEngine(value: string | undefined): DynamoDbEngineName {
  if (value === undefined || value === '') return DEFAULT_ENGINE;
  if (!(DYNAMODB_ENGINES as readonly string[]).includes(value)) {
    throw new Error(`Unknown DynamoDB engine ${value}: use one of ${DYNAMODB_ENGINES.join(', ')}`);
  }
  return value as DynamoDbEngineName;
}

/**
 * Packages the service for `stage` into `.local-data/package/<stage>/` (gitignored) and returns
 * the template's path. The template takes the API key from API_KEY in the environment; the
 * stage's `.env.<stage>` is read as for any `sls` command.
 */
export async function packageStage(stage: string, apiKey: string): Promise<string> {
  const outDir = path.join(ROOT, '.local-data', 'package', stage);
  await slsPackage(stage, outDir, { env: { API_KEY: apiKey } });
  return path.join(outDir, TEMPLATE_FILE);
}

export async function startLocalStage(opts: LocalStageOptions = {}): Promise<RunningLocalStage> {
  const log = opts.log ?? ((line: string) => console.log(line));
  let templatePath = opts.template;
  let packagedKey: string | undefined;
  if (!templatePath) {
    const { apiKey, source } = resolveApiKey(opts.apiKey, opts.stage ?? 'local');
    packagedKey = apiKey || undefined;
    const key = apiKey ? `pinned from ${source}` : 'generated';
    log(`Packaging stage ${opts.stage ?? 'local'} (API key ${key}) ...`);
    templatePath = await packageStage(opts.stage ?? 'local', apiKey);
  }
  const template = readTemplate(templatePath);
  const keyStore = new LocalApiKeyStore(apiKeysFile(opts));
  // Build (and so check) the API before starting anything: an unsupported construct stops here.
  const api = buildApiModel(template, {
    stageName: opts.stage,
    generatedApiKey: (logicalId, stageName) => keyStore.valueFor(stageName, logicalId),
  });
  // What the local stage serves differently on purpose (e.g. a canary: base deployment only).
  for (const notice of api.notices) log(notice);
  const usesDynamoDb =
    api.hasTables ||
    api.resources.some((r) => [...r.methods.values()].some((m) => m.integration.type === 'AWS'));

  let engine: RunningDynamoDb | undefined;
  let dynamoEndpoint = opts.dynamoEndpoint ?? '';
  const cleanups: (() => Promise<void>)[] = [];
  const stop = async () => {
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
    cleanups.length = 0;
  };
  try {
    if (!dynamoEndpoint && usesDynamoDb) {
      const engineName = opts.engine ?? DEFAULT_ENGINE;
      const dataDir = opts.inMemory
        ? undefined
        : (opts.dataDir ?? path.join(ROOT, '.local-data', engineName));
      engine = await startDynamoDb({ engine: engineName, dataDir });
      cleanups.push(() => engine!.stop());
      dynamoEndpoint = engine.endpoint;
      log(
        `DynamoDB (${engineName}${dataDir ? `, data in ${path.relative(ROOT, dataDir)}` : ', in memory'}) at ${dynamoEndpoint}`,
      );
    }
    keyStore.save(); // after the engine has locked the data directory the file sits in
    if (keyStore.generated) {
      const kept = keyStore.file ? `kept in ${path.relative(ROOT, keyStore.file)}` : 'in memory';
      log(`API key of stage ${api.stageName}: generated as on AWS, ${kept}`);
    }
    let tables: string[] = [];
    let seeded: Record<string, number> = {};
    if (api.hasTables && opts.createTables !== false) {
      const before = new Set(await listTables(dynamoEndpoint));
      tables = await createTablesFromTemplate(template, dynamoEndpoint);
      const created = tables.filter((t) => !before.has(t));
      const sampleDir = opts.sampleDataDir ?? path.join(ROOT, 'data');
      if ((opts.seed ?? true) && created.length === 1 && existsSync(sampleDir)) {
        seeded = await loadDataDir(dynamoEndpoint, created[0], sampleDir);
        log(`Loaded sample items into ${created[0]}: ${JSON.stringify(seeded)}`);
      }
    }
    const gateway = createGateway(api, dynamoEndpoint, executeApiHost(api.apiId, LOCAL_REGION), {
      clock: opts.clock,
      throttling: opts.throttling,
      offload: { template, stageName: opts.stage },
    });
    cleanups.push(() => gateway.close());
    const server = await serveGateway(gateway, { port: opts.port ?? 3000, accessLog: log });
    cleanups.push(() => server.close());
    return {
      url: server.url,
      port: server.port,
      stage: api.stageName,
      apiKey: packagedKey && api.apiKeys.has(packagedKey) ? packagedKey : [...api.apiKeys][0],
      dynamoEndpoint,
      engine: engine?.engine,
      tables,
      seeded,
      templatePath,
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}

/** Where generated API keys are kept: with the stage's data (none for an in-memory stage). */
function apiKeysFile(opts: LocalStageOptions): string | undefined {
  if (opts.inMemory) return undefined;
  if (opts.dynamoEndpoint) return path.join(ROOT, '.local-data', API_KEYS_FILE);
  const dataDir = opts.dataDir ?? path.join(ROOT, '.local-data', opts.engine ?? DEFAULT_ENGINE);
  return path.join(dataDir, API_KEYS_FILE);
}

async function listTables(endpoint: string): Promise<string[]> {
  const res = await callDynamoDb(endpoint, 'ListTables', '{}', { timeoutMs: 10_000 });
  if (res.status !== 200) throw new Error(`ListTables on ${endpoint} answered ${res.status}`);
  return (JSON.parse(res.body) as { TableNames?: string[] }).TableNames ?? [];
}
