/**
 * `npm run rotate-key -- --stage alice` replaces a stage's writer key without downtime, in two
 * steps with the clients switched in between:
 *
 *   (start)      adds the other key slot: API Gateway generates a new key, in the same usage
 *                plan; both keys work. Prints the new key.
 *   --finish     once every client uses the new key: deletes the old one.
 *   --cancel     instead of --finish: deletes the new key, the old one stays.
 *   --region R   region of the stack (default: AWS_REGION, then .env.S or .env, then us-east-1)
 *
 * Each step is a CloudFormation update of the deployed stack that changes only its `WriterKeys`
 * parameter (UpdateStack with UsePreviousTemplate): both keys are the stack's resources, never
 * created or deleted behind its back, so there is no drift and `sls remove` deletes them.
 * `sls deploy` keeps the parameter (plugins/writer-keys.ts). docs/stages-and-deploy.md.
 */
import { APIGatewayClient } from '@aws-sdk/client-api-gateway';
import {
  CloudFormationClient,
  DescribeStacksCommand,
  UpdateStackCommand,
  type DescribeStacksCommandOutput,
  type UpdateStackCommandOutput,
} from '@aws-sdk/client-cloudformation';
import { WRITER_KEYS_PARAMETER, type WriterKeysValue } from '../resources/api-keys';
import { assertStageName, readStageEnv, stageEnvFile } from '../lib/stage-env';
import { UsageError } from '../lib/usage-error';
import { parseFlags, runAsProcess, type Print } from './lib/cli';
import { resolveRegion, type ResolvedRegion } from './lib/region';
import {
  describeStackOutputs,
  readWriterKey,
  stackNameFor,
  type GetApiKeyClient,
  type StackOutputs,
} from './lib/stack-outputs';

export const ROTATE_USAGE = `Usage:
  npm run rotate-key -- --stage <stage> [--region <region>]            add a new writer key
  npm run rotate-key -- --stage <stage> --finish [--region <region>]   delete the old one
  npm run rotate-key -- --stage <stage> --cancel [--region <region>]   delete the new one`;

const FLAGS = {
  stage: { type: 'string' },
  region: { type: 'string' },
  finish: { type: 'boolean' },
  cancel: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

export type RotationStep = 'start' | 'finish' | 'cancel';

/** The rotation cannot take this step from the stack's current key slots. */
export class RotationStateError extends Error {
  override readonly name = 'RotationStateError';
}

/** The stack update did not complete (rolled back or failed). */
export class StackUpdateFailedError extends Error {
  override readonly name = 'StackUpdateFailedError';
}

/** Slot letters of a WriterKeys value, current key last. */
function slots(value: WriterKeysValue): string[] {
  return value.split(',');
}

/**
 * The WriterKeys value after `step`: start adds the other slot as the current key (last);
 * finish keeps only the current key; cancel keeps only the retiring one.
 */
export function nextWriterKeys(current: WriterKeysValue, step: RotationStep): WriterKeysValue {
  const [first, second] = slots(current);
  const rotating = second !== undefined;
  if (step === 'start') {
    if (rotating) {
      throw new RotationStateError(
        `A rotation is already under way (${WRITER_KEYS_PARAMETER}=${current}): ` +
          'finish it with --finish, or undo it with --cancel',
      );
    }
    return `${first},${first === 'A' ? 'B' : 'A'}` as WriterKeysValue;
  }
  if (!rotating) {
    throw new RotationStateError(
      `No rotation is under way (${WRITER_KEYS_PARAMETER}=${current}): start one without --${step}`,
    );
  }
  return (step === 'finish' ? second : first) as WriterKeysValue;
}

type CloudFormationLike = {
  send(command: DescribeStacksCommand): Promise<DescribeStacksCommandOutput>;
  send(command: UpdateStackCommand): Promise<UpdateStackCommandOutput>;
  destroy?(): void;
};

export interface RotateDeps {
  env: NodeJS.ProcessEnv;
  print: Print;
  cloudFormation(region: string): CloudFormationLike;
  apiGateway(region: string): GetApiKeyClient & { destroy?(): void };
  sleep(ms: number): Promise<void>;
  /** How often and how long to wait for the stack update. */
  pollMs?: number;
  maxWaitMs?: number;
}

export const defaultRotateDeps: RotateDeps = {
  env: process.env,
  print: (line) => console.log(line),
  cloudFormation: (region) => new CloudFormationClient({ region }) as CloudFormationLike,
  apiGateway: (region) => new APIGatewayClient({ region }),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

const SETTLED = /_COMPLETE$|_FAILED$/;
const UPDATABLE = new Set([
  'CREATE_COMPLETE',
  'UPDATE_COMPLETE',
  'UPDATE_ROLLBACK_COMPLETE',
  'IMPORT_COMPLETE',
  'IMPORT_ROLLBACK_COMPLETE',
]);

export async function rotateMain(
  argv: string[],
  deps: RotateDeps = defaultRotateDeps,
): Promise<number> {
  const flags = parseFlags(argv, FLAGS, ROTATE_USAGE);
  if (flags.help) {
    deps.print(ROTATE_USAGE);
    return 0;
  }
  if (!flags.stage) throw new UsageError(`Pass --stage <stage>\n\n${ROTATE_USAGE}`);
  if (flags.finish && flags.cancel) {
    throw new UsageError(`Pass --finish or --cancel, not both\n\n${ROTATE_USAGE}`);
  }
  const stage = flags.stage;
  assertStageName(stage);
  const step: RotationStep = flags.finish ? 'finish' : flags.cancel ? 'cancel' : 'start';
  const region = resolveRegion({
    flag: flags.region,
    env: deps.env,
    stageEnv: readStageEnv(stage),
    stage,
    stageEnvFile: stageEnvFile(stage),
  });
  const cfn = deps.cloudFormation(region.region);
  const apiGateway = deps.apiGateway(region.region);
  try {
    const before = await describeStackOutputs(cfn, stage, region);
    const current = before.parameters[WRITER_KEYS_PARAMETER] as WriterKeysValue | undefined;
    if (current === undefined) {
      throw new RotationStateError(
        `Stack ${before.stackName} has no ${WRITER_KEYS_PARAMETER} parameter: deploy the stage ` +
          `with the current serverless.ts first (\`npx sls deploy --stage ${stage}\`)`,
      );
    }
    if (!UPDATABLE.has(before.status)) {
      throw new RotationStateError(
        `Stack ${before.stackName} is ${before.status}: wait until it is *_COMPLETE, then run this again`,
      );
    }
    const next = nextWriterKeys(current, step);
    const retiring = step === 'start' ? undefined : await keyOutput(apiGateway, before, step);
    deps.print(
      `Stack ${before.stackName} (${region.region} from ${region.source}): ` +
        `${WRITER_KEYS_PARAMETER} ${current} → ${next}`,
    );
    await updateWriterKeys(cfn, before, next);
    const after = await waitForUpdate(cfn, stage, region, deps);
    if (step === 'start') {
      const fresh = await readWriterKey(apiGateway, after, 'ApiKeyId');
      const old = await readWriterKey(apiGateway, after, 'PreviousApiKeyId');
      deps.print(`✔ new writer key ${fresh.name}: ${fresh.value}`);
      deps.print(`  the old key ${old.name} keeps working until the rotation is finished.`);
      deps.print(
        '  Hand the new key to every client (`npx sls info --stage ' + stage + '` shows it), then:',
      );
      deps.print(`  npm run rotate-key -- --stage ${stage} --finish`);
    } else {
      deps.print(`✔ deleted writer key ${retiring}`);
      const kept = await readWriterKey(apiGateway, after, 'ApiKeyId');
      deps.print(`  the writer key is ${kept.name}: ${kept.value}`);
    }
    return 0;
  } finally {
    cfn.destroy?.();
    apiGateway.destroy?.();
  }
}

/** The name of the key a finish (retiring key) or cancel (new key) deletes. */
async function keyOutput(
  apiGateway: GetApiKeyClient,
  outputs: StackOutputs,
  step: 'finish' | 'cancel',
): Promise<string> {
  const key = await readWriterKey(
    apiGateway,
    outputs,
    step === 'finish' ? 'PreviousApiKeyId' : 'ApiKeyId',
  );
  return key.name;
}

/** UpdateStack on the deployed template, changing only WriterKeys. */
async function updateWriterKeys(
  cfn: CloudFormationLike,
  stack: StackOutputs,
  next: WriterKeysValue,
): Promise<void> {
  const parameters = Object.keys(stack.parameters).map((key) =>
    key === WRITER_KEYS_PARAMETER
      ? { ParameterKey: key, ParameterValue: next }
      : { ParameterKey: key, UsePreviousValue: true },
  );
  await cfn.send(
    new UpdateStackCommand({
      StackName: stack.stackName,
      UsePreviousTemplate: true,
      Parameters: parameters,
      // The template has IAM roles; Serverless deploys with the same capabilities.
      Capabilities: ['CAPABILITY_IAM', 'CAPABILITY_NAMED_IAM'],
    }),
  );
}

/** Polls DescribeStacks until the update settles; anything but UPDATE_COMPLETE is an error. */
async function waitForUpdate(
  cfn: CloudFormationLike,
  stage: string,
  region: ResolvedRegion,
  deps: RotateDeps,
): Promise<StackOutputs> {
  const pollMs = deps.pollMs ?? 5_000;
  const maxWaitMs = deps.maxWaitMs ?? 20 * 60_000;
  for (let waited = 0; ; waited += pollMs) {
    await deps.sleep(pollMs);
    const response = await cfn.send(new DescribeStacksCommand({ StackName: stackNameFor(stage) }));
    const stack = response.Stacks?.[0];
    const status = stack?.StackStatus ?? 'UNKNOWN';
    if (status === 'UPDATE_COMPLETE') return describeStackOutputs(cfn, stage, region);
    if (SETTLED.test(status)) {
      throw new StackUpdateFailedError(
        `The update of stack ${stackNameFor(stage)} ended ${status}` +
          `${stack?.StackStatusReason ? ` (${stack.StackStatusReason})` : ''}: ` +
          `the keys are as before; see \`aws cloudformation describe-stack-events --stack-name ${stackNameFor(stage)}\``,
      );
    }
    if (waited >= maxWaitMs) {
      throw new StackUpdateFailedError(
        `Stack ${stackNameFor(stage)} is still ${status} after ${Math.round(maxWaitMs / 60_000)} min; ` +
          'run this again once it has settled',
      );
    }
  }
}

if (require.main === module) runAsProcess(() => rotateMain(process.argv.slice(2)));
