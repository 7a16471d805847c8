/**
 * The local stage's generated API keys, kept with its data. On AWS a key created without a
 * `Value` keeps the value API Gateway generated for as long as the key exists; locally the key
 * exists as long as the stage's data does: the same value after a restart of a persisted stage,
 * a new one with `--in-memory` or once `.local-data/` is wiped.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { generateApiKeyValue } from './gateway/api-model-throttling';

/** The file name inside a persisted data directory. */
export const API_KEYS_FILE = 'api-keys.json';

/** Stage → key logical id → value, as stored. */
type StoredKeys = Record<string, Record<string, string>>;

export class LocalApiKeyStore {
  private readonly keys: Map<string, Map<string, string>>;
  private changed = false;
  /** Whether any key of this run is a generated one (none when the template pins every key). */
  generated = false;

  /** `file` undefined: nothing is kept, every start generates new keys (`--in-memory`). */
  constructor(
    readonly file: string | undefined,
    private readonly generate: () => string = generateApiKeyValue,
  ) {
    this.keys = new Map(
      Object.entries(file && existsSync(file) ? readStoredKeys(file) : {}).map(
        ([stage, values]) => [stage, new Map(Object.entries(values))],
      ),
    );
  }

  /** The value of key `logicalId` of `stage`: the stored one, else a new one (stored on save). */
  valueFor(stage: string, logicalId: string): string {
    let stageKeys = this.keys.get(stage);
    if (!stageKeys) this.keys.set(stage, (stageKeys = new Map()));
    this.generated = true;
    let value = stageKeys.get(logicalId);
    if (value === undefined) {
      value = this.generate();
      stageKeys.set(logicalId, value);
      this.changed = true;
    }
    return value;
  }

  /** Writes new values to `file` (atomically: a crash leaves the old file or the new one). */
  save(): void {
    if (!this.file || !this.changed) return;
    const stored: StoredKeys = Object.create(null) as StoredKeys;
    for (const [stage, values] of this.keys) stored[stage] = Object.fromEntries(values);
    mkdirSync(path.dirname(this.file), { recursive: true });
    const temporary = `${this.file}.${process.pid}.tmp`;
    writeFileSync(temporary, `${JSON.stringify(stored, null, 2)}\n`, { mode: 0o600 });
    renameSync(temporary, this.file);
    this.changed = false;
  }
}

function readStoredKeys(file: string): StoredKeys {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new Error(
      `Cannot read the local stage's API keys from ${file} (${(err as Error).message}): ` +
        'delete it to get new keys',
    );
  }
  const valid =
    parsed !== null &&
    typeof parsed === 'object' &&
    !Array.isArray(parsed) &&
    Object.values(parsed).every(
      (values) =>
        values !== null &&
        typeof values === 'object' &&
        Object.values(values as object).every((v) => typeof v === 'string'),
    );
  if (!valid) {
    throw new Error(`${file} is not a local API key file: delete it to get new keys`);
  }
  return parsed as StoredKeys;
}
