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
import { loadDataDir } from './dynamodb/load-items';
import { createTablesFromTemplate } from './dynamodb/tables';
import {
  buildApiModel,
  createGateway,
  readTemplate,
  serveGateway,
  type ApiModel,
  type CfnTemplate,
  type ExecutionTrace,
  type Gateway,
} from './gateway';
import { API_KEYS_FILE, LocalApiKeyStore } from './api-keys';
import { slsPackage } from './sls-package';

export const ROOT = path.resolve(__dirname, '..');
const TEMPLATE_FILE = 'cloudformation-template-update-stack.json';
/** How long a replaced gateway keeps its render workers for requests that started on it. */
const RETIRE_GATEWAY_MS = 60_000;

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
  /** Receives each request's execution trace (`--trace`). Default: none, nothing recorded. */
  trace?: (trace: ExecutionTrace) => void;
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
  /** Tables that already existed: their data were kept (and not seeded). */
  keptTables: string[];
  /**
   * Packages again (or re-reads `template`), rebuilds the API and serves it from the next
   * request on, in place: the DynamoDB data, the port, the API key and open connections stay.
   * When anything fails (packaging, a construct the emulator refuses) it throws and the API
   * that was serving goes on serving. Calls are queued, never run at once.
   */
  reload(): Promise<void>;
  stop(): Promise<void>;
}

/** A pinned writer key: the option, else API_KEY, else `.env.<stage>`'s API_KEY, else none. */
function resolveApiKey(
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

/** The API to serve: packaged (or read from `opts.template`) and checked, nothing started. */
async function loadApi(
  opts: LocalStageOptions,
  keyStore: LocalApiKeyStore,
  log: (line: string) => void,
): Promise<{ templatePath: string; template: CfnTemplate; api: ApiModel; packagedKey?: string }> {
  let templatePath = opts.template;
  let packagedKey: string | undefined;
  if (!templatePath) {
    // Read again at each reload, so that editing API_KEY in .env.<stage> takes effect.
    const { apiKey, source } = resolveApiKey(opts.apiKey, opts.stage ?? 'local');
    packagedKey = apiKey || undefined;
    const key = apiKey ? `pinned from ${source}` : 'generated';
    log(`Packaging stage ${opts.stage ?? 'local'} (API key ${key}) ...`);
    templatePath = await packageStage(opts.stage ?? 'local', apiKey);
  }
  const template = readTemplate(templatePath);
  // Build (and so check) the API before serving it: an unsupported construct stops here.
  const api = buildApiModel(template, {
    stageName: opts.stage,
    generatedApiKey: (logicalId, stageName) => keyStore.valueFor(stageName, logicalId),
  });
  // What the local stage serves differently on purpose (e.g. a canary: base deployment only).
  for (const notice of api.notices) log(notice);
  return { templatePath, template, api, packagedKey };
}

function usesDynamoDb(api: ApiModel): boolean {
  return (
    api.hasTables ||
    api.resources.some((r) => [...r.methods.values()].some((m) => m.integration.type === 'AWS'))
  );
}

export async function startLocalStage(opts: LocalStageOptions = {}): Promise<RunningLocalStage> {
  const log = opts.log ?? ((line: string) => console.log(line));
  // One store for the life of the stage: generated keys stay the same across reloads.
  const keyStore = new LocalApiKeyStore(apiKeysFile(opts));
  const { templatePath, template, api, packagedKey } = await loadApi(opts, keyStore, log);

  let engine: RunningDynamoDb | undefined;
  let dynamoEndpoint = opts.dynamoEndpoint ?? '';
  const cleanups: (() => Promise<void>)[] = [];
  const stop = async () => {
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
    cleanups.length = 0;
  };
  try {
    if (!dynamoEndpoint && usesDynamoDb(api)) {
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
    let keptTables: string[] = [];
    let seeded: Record<string, number> = {};
    if (api.hasTables && opts.createTables !== false) {
      const before = new Set(await listTables(dynamoEndpoint));
      tables = await createTablesFromTemplate(template, dynamoEndpoint);
      keptTables = tables.filter((t) => before.has(t));
      const created = tables.filter((t) => !before.has(t));
      const sampleDir = opts.sampleDataDir ?? path.join(ROOT, 'data');
      if ((opts.seed ?? true) && created.length === 1 && existsSync(sampleDir)) {
        seeded = await loadDataDir(dynamoEndpoint, created[0], sampleDir);
        log(`Loaded sample items into ${created[0]}: ${JSON.stringify(seeded)}`);
      }
    }
    // Each reload builds a new gateway; the one it replaces ends its render workers (offload.ts)
    // a while later, once requests that started on it are done.
    const gateways = new Set<Gateway>();
    cleanups.push(async () => {
      for (const gateway of gateways) await gateway.close();
    });
    const gatewayFor = (model: ApiModel, source: CfnTemplate) => {
      const gateway = createGateway(
        model,
        dynamoEndpoint,
        executeApiHost(model.apiId, LOCAL_REGION),
        {
          clock: opts.clock,
          throttling: opts.throttling,
          offload: { template: source, stageName: opts.stage },
          trace: opts.trace,
        },
      );
      gateways.add(gateway);
      return gateway;
    };
    let current = gatewayFor(api, template);
    const server = await serveGateway(current, { port: opts.port ?? 3000, accessLog: log });
    cleanups.push(() => server.close());
    const servedKey = (model: ApiModel, packaged: string | undefined) =>
      packaged && model.apiKeys.has(packaged) ? packaged : [...model.apiKeys][0];

    const reloadOnce = async () => {
      const next = await loadApi(opts, keyStore, () => undefined);
      if (next.api.stageName !== api.stageName) {
        throw new Error(
          `the stage name changed from ${api.stageName} to ${next.api.stageName}: restart npm start to serve it`,
        );
      }
      if (!dynamoEndpoint && usesDynamoDb(next.api)) {
        throw new Error('the API now uses DynamoDB: restart npm start to start the engine');
      }
      keyStore.save();
      if (next.api.hasTables && opts.createTables !== false) {
        // New tables are created (empty); existing ones and their data stay as they are.
        running.tables = await createTablesFromTemplate(next.template, dynamoEndpoint);
      }
      const replaced = current;
      current = gatewayFor(next.api, next.template);
      server.setGateway(current);
      setTimeout(() => {
        gateways.delete(replaced);
        void replaced.close();
      }, RETIRE_GATEWAY_MS).unref();
      running.apiKey = servedKey(next.api, next.packagedKey);
      running.templatePath = next.templatePath;
    };
    let queue: Promise<void> = Promise.resolve();
    const running: RunningLocalStage = {
      url: server.url,
      port: server.port,
      stage: api.stageName,
      apiKey: servedKey(api, packagedKey),
      dynamoEndpoint,
      engine: engine?.engine,
      tables,
      keptTables,
      seeded,
      templatePath,
      reload: () => (queue = queue.catch(() => undefined).then(reloadOnce)),
      stop,
    };
    return running;
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
