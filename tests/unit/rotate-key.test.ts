/**
 * Writer key rotation without downtime, against recorded CloudFormation and API Gateway
 * answers: `npm run rotate-key` changes only the deployed stack's WriterKeys parameter (both
 * keys stay the stack's), and `sls deploy` keeps that parameter.
 */
import type { GetApiKeyCommand } from '@aws-sdk/client-api-gateway';
import type { DescribeStacksCommand, UpdateStackCommand } from '@aws-sdk/client-cloudformation';
import { keepWriterKeys } from '../../plugins/writer-keys';
import {
  nextWriterKeys,
  rotateMain,
  RotationStateError,
  StackUpdateFailedError,
  type RotateDeps,
} from '../../scripts/rotate-key';
import { FakeClient, recorded, recordedError, type Reply } from '../fixtures/scripts/fake-aws';

const WriterKeysPlugin = require('../../plugins/writer-keys');

const stack = (name: string): Reply => ({ response: recorded(`describe-stacks.${name}.json`) });
const key = (name: string): Reply => ({ response: recorded(`get-api-key.${name}.json`) });
const updated: Reply = { response: recorded('update-stack.alice.json') };

function fakeDeps(cfnReplies: Reply[], keyReplies: Reply[] = []) {
  const lines: string[] = [];
  const sleeps: number[] = [];
  const cfn = new FakeClient<DescribeStacksCommand | UpdateStackCommand>(cfnReplies);
  const apiGateway = new FakeClient<GetApiKeyCommand>(keyReplies);
  const deps: RotateDeps = {
    env: { AWS_REGION: 'eu-west-1' },
    print: (line) => lines.push(line),
    cloudFormation: () => cfn as never,
    apiGateway: () => apiGateway,
    sleep: async (ms) => {
      sleeps.push(ms);
    },
    pollMs: 5_000,
  };
  const updates = () => cfn.sent.filter((input) => 'UsePreviousTemplate' in (input as object));
  return { deps, lines, cfn, apiGateway, sleeps, updates };
}

describe('nextWriterKeys', () => {
  it.each([
    ['A', 'start', 'A,B'],
    ['B', 'start', 'B,A'],
    ['A,B', 'finish', 'B'],
    ['B,A', 'finish', 'A'],
    ['A,B', 'cancel', 'A'],
    ['B,A', 'cancel', 'B'],
  ] as const)('%s --%s → %s', (current, step, next) => {
    expect(nextWriterKeys(current, step)).toBe(next);
  });

  it.each([
    ['A,B', 'start', /already under way .* --finish, or undo it with --cancel/],
    ['A', 'finish', /No rotation is under way \(WriterKeys=A\)/],
    ['B', 'cancel', /No rotation is under way \(WriterKeys=B\)/],
  ] as const)('refuses %s --%s', (current, step, message) => {
    expect(() => nextWriterKeys(current, step)).toThrow(RotationStateError);
    expect(() => nextWriterKeys(current, step)).toThrow(message);
  });
});

describe('npm run rotate-key', () => {
  it('start: adds key B next to A by updating only WriterKeys, waits, prints the new key', async () => {
    const fake = fakeDeps(
      [stack('alice'), updated, stack('alice-updating'), stack('alice-rotating')],
      [key('alice-b'), key('alice')],
    );
    expect(await rotateMain(['--stage', 'alice'], fake.deps)).toBe(0);
    expect(fake.updates()).toEqual([
      {
        StackName: 'config-store-alice',
        UsePreviousTemplate: true,
        Parameters: [{ ParameterKey: 'WriterKeys', ParameterValue: 'A,B' }],
        Capabilities: ['CAPABILITY_IAM', 'CAPABILITY_NAMED_IAM'],
      },
    ]);
    expect(fake.sleeps).toEqual([5_000, 5_000]);
    expect(fake.apiGateway.sent).toEqual([
      { apiKey: 'p4q5r6s7t8', includeValue: true },
      { apiKey: 'k9j8h7g6f5', includeValue: true },
    ]);
    expect(fake.lines).toEqual([
      'Stack config-store-alice (eu-west-1 from AWS_REGION): WriterKeys A → A,B',
      '✔ new writer key config-store-alice-writer-b: Rz7Yc2Lp9Kx4Mv1Qw8Ht5Jn3Sd6Fg0Ba2Ce7Ui4o',
      '  the old key config-store-alice-writer keeps working until the rotation is finished.',
      '  Hand the new key to every client (`npx sls info --stage alice` shows it), then:',
      '  npm run rotate-key -- --stage alice --finish',
    ]);
  });

  it('--finish: removes the retiring key A the same way; B is the writer key', async () => {
    const fake = fakeDeps(
      [stack('alice-rotating'), updated, stack('alice-b')],
      [key('alice'), key('alice-b')],
    );
    expect(await rotateMain(['--stage', 'alice', '--finish'], fake.deps)).toBe(0);
    expect(fake.updates()).toEqual([
      expect.objectContaining({
        UsePreviousTemplate: true,
        Parameters: [{ ParameterKey: 'WriterKeys', ParameterValue: 'B' }],
      }),
    ]);
    expect(fake.lines).toEqual([
      'Stack config-store-alice (eu-west-1 from AWS_REGION): WriterKeys A,B → B',
      '✔ deleted writer key config-store-alice-writer',
      '  the writer key is config-store-alice-writer-b: Rz7Yc2Lp9Kx4Mv1Qw8Ht5Jn3Sd6Fg0Ba2Ce7Ui4o',
    ]);
  });

  it('--cancel: removes the new key B; A stays', async () => {
    const fake = fakeDeps(
      [stack('alice-rotating'), updated, stack('alice')],
      [key('alice-b'), key('alice')],
    );
    expect(await rotateMain(['--stage', 'alice', '--cancel'], fake.deps)).toBe(0);
    expect(fake.updates()[0]).toMatchObject({
      Parameters: [{ ParameterKey: 'WriterKeys', ParameterValue: 'A' }],
    });
    expect(fake.lines.slice(1)).toEqual([
      '✔ deleted writer key config-store-alice-writer-b',
      '  the writer key is config-store-alice-writer: Qm4tX8vLr2Zp7Wd1Ks9Hy3Nc6Bf0Gj5Ta8Ue2Vo1',
    ]);
  });

  it('refuses to start a second rotation, before any update', async () => {
    const fake = fakeDeps([stack('alice-rotating')]);
    await expect(rotateMain(['--stage', 'alice'], fake.deps)).rejects.toThrow(RotationStateError);
    expect(fake.updates()).toEqual([]);
  });

  it('refuses a stack that is being updated, and one deployed before key slots existed', async () => {
    const busy = fakeDeps([stack('alice-updating')]);
    await expect(rotateMain(['--stage', 'alice', '--finish'], busy.deps)).rejects.toThrow(
      'Stack config-store-alice is UPDATE_IN_PROGRESS: wait until it is *_COMPLETE',
    );
    const old = fakeDeps([stack('prod')]);
    await expect(rotateMain(['--stage', 'prod'], old.deps)).rejects.toThrow(
      'Stack config-store-prod has no WriterKeys parameter: deploy the stage with the current serverless.ts first',
    );
    expect([...busy.updates(), ...old.updates()]).toEqual([]);
  });

  it('reports an update CloudFormation rolled back', async () => {
    const fake = fakeDeps([stack('alice'), updated, stack('alice-update-rolled-back')]);
    const failure = rotateMain(['--stage', 'alice'], fake.deps);
    await expect(failure).rejects.toThrow(StackUpdateFailedError);
    await expect(failure).rejects.toThrow(
      'The update of stack config-store-alice ended UPDATE_ROLLBACK_COMPLETE: the keys are as before',
    );
  });

  it.each([
    [[], /Pass --stage <stage>/],
    [['--stage', 'alice', '--finish', '--cancel'], /not both/],
  ])('refuses the command line %j', async (argv, message) => {
    await expect(rotateMain(argv, fakeDeps([]).deps)).rejects.toThrow(message);
  });
});

describe('sls deploy keeps the stack`s WriterKeys (plugins/writer-keys.ts)', () => {
  it('passes UsePreviousValue when the deployed stack has the parameter', () => {
    expect(keepWriterKeys([{ ParameterKey: 'WriterKeys' }])).toEqual([
      { ParameterKey: 'WriterKeys', UsePreviousValue: true },
    ]);
  });

  it('passes nothing for a stack from before (CloudFormation then uses the Default, A)', () => {
    expect(keepWriterKeys([])).toEqual([]);
  });

  it('runs right before UpdateStack, reading the stack with the provider', async () => {
    const requests: unknown[][] = [];
    const provider: { stackParameters?: unknown; shouldNotDeploy?: boolean } = {};
    const plugin = new WriterKeysPlugin({
      service: { provider },
      getProvider: () => ({
        naming: { getStackName: () => 'config-store-alice' },
        request: async (...args: unknown[]) => {
          requests.push(args);
          return recorded('describe-stacks.alice-rotating.json');
        },
      }),
    });
    await plugin.hooks['before:aws:deploy:deploy:updateStack']();
    expect(requests).toEqual([
      ['CloudFormation', 'describeStacks', { StackName: 'config-store-alice' }],
    ]);
    expect(provider.stackParameters).toEqual([
      { ParameterKey: 'WriterKeys', UsePreviousValue: true },
    ]);
  });

  it('passes nothing when the stack does not exist yet', async () => {
    const provider: { stackParameters?: unknown } = {};
    const missing = Object.assign(new Error('Stack with id config-store-alice does not exist'), {
      providerError: recordedError('describe-stacks.not-found.json'),
    });
    (missing.providerError as unknown as { code: string }).code = 'ValidationError';
    const plugin = new WriterKeysPlugin({
      service: { provider },
      getProvider: () => ({
        naming: { getStackName: () => 'config-store-alice' },
        request: async () => {
          throw missing;
        },
      }),
    });
    await plugin.hooks['before:aws:deploy:deploy:updateStack']();
    expect(provider.stackParameters).toBeUndefined();
  });

  it('does nothing when Serverless skips an unchanged deploy', async () => {
    const provider = { shouldNotDeploy: true, stackParameters: undefined };
    const plugin = new WriterKeysPlugin({
      service: { provider },
      getProvider: () => {
        throw new Error('no AWS call expected');
      },
    });
    await plugin.hooks['before:aws:deploy:deploy:updateStack']();
    expect(provider.stackParameters).toBeUndefined();
  });
});
