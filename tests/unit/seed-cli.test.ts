/**
 * `npm run seed` end to end with injected clients: recorded DescribeStacks and BatchWriteItem
 * answers instead of AWS.
 */
import type { DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import type { BatchWriteItemCommand } from '@aws-sdk/client-dynamodb';
import path from 'node:path';
import { seedMain, type SeedDeps, type SeedTarget } from '../../scripts/seed';
import { UsageError } from '../../lib/usage-error';
import { FakeClient, recorded, recordedError, type Reply } from '../fixtures/scripts/fake-aws';

const FIXTURES = path.join(__dirname, '..', 'fixtures', 'scripts');
const done: Reply = { response: recorded('batch-write-item.done.json') };
const unprocessed: Reply = { response: recorded('batch-write-item.unprocessed.json') };

function fakeDeps(opts: { stacks?: Reply[]; writes?: Reply[] } = {}) {
  const lines: string[] = [];
  const cfnRegions: string[] = [];
  const targets: SeedTarget[] = [];
  const cfn = new FakeClient<DescribeStacksCommand>(
    opts.stacks ?? [{ response: recorded('describe-stacks.alice.json') }],
  );
  const dynamo = new FakeClient<BatchWriteItemCommand>(opts.writes ?? [done]);
  let clock = 0;
  const deps: SeedDeps = {
    env: { AWS_REGION: 'eu-west-1' },
    print: (line) => lines.push(line),
    cloudFormation: (region) => {
      cfnRegions.push(region);
      return cfn;
    },
    dynamoDb: (target) => {
      targets.push(target);
      return dynamo;
    },
    batchWrite: { sleep: async () => undefined, retry: { maxAttempts: 3 } },
    now: () => (clock += 250),
  };
  const tablesWritten = () => dynamo.sent.flatMap((input) => Object.keys(input.RequestItems ?? {}));
  return { deps, lines, cfn, dynamo, cfnRegions, targets, tablesWritten };
}

describe('npm run seed', () => {
  it('--stage: writes data/ into the table named by the stack outputs, and reports per id', async () => {
    const fake = fakeDeps();
    expect(await seedMain(['--stage', 'alice'], fake.deps)).toBe(0);
    expect(fake.cfnRegions).toEqual(['eu-west-1']);
    expect(fake.cfn.sent).toEqual([{ StackName: 'config-store-alice' }]);
    expect(fake.cfn.destroyed).toBe(true);
    expect(new Set(fake.tablesWritten())).toEqual(new Set(['config-store-alice']));
    expect(fake.dynamo.sent).toHaveLength(5); // 110 items in data/
    expect(fake.lines[0]).toBe(
      'Seeding config-store-alice (output TableName of stack config-store-alice, eu-west-1, from AWS_REGION)',
    );
    expect(fake.lines).toEqual(
      expect.arrayContaining([
        '  data/items.json: 106 items',
        '  data/typed-items.json: 4 items',
        expect.stringMatching(
          /^Wrote 110 items in 5 BatchWriteItem calls \(\+0 retries\) in \d+\.\d s:$/,
        ),
        expect.stringMatching(/^ {2}feature-flags +64$/),
        expect.stringMatching(/^✔ seeded config-store-alice in \d+\.\d s$/),
      ]),
    );
  });

  it('--endpoint with --table: writes there with local credentials, no CloudFormation', async () => {
    const fake = fakeDeps();
    const file = path.join(FIXTURES, 'seed-items.json');
    const argv = [
      '--endpoint',
      'http://127.0.0.1:8000/',
      '--table',
      'config-store-local',
      '--file',
      file,
    ];
    expect(await seedMain(argv, fake.deps)).toBe(0);
    expect(fake.cfnRegions).toEqual([]);
    expect(fake.targets).toEqual([
      {
        tableName: 'config-store-local',
        region: 'us-east-1',
        endpoint: 'http://127.0.0.1:8000',
        description: 'DynamoDB at http://127.0.0.1:8000',
      },
    ]);
    expect(fake.dynamo.sent[0].RequestItems?.['config-store-local']).toHaveLength(3);
  });

  it.each([
    [
      'describe-stacks.not-found.json',
      'No stack config-store-x (stage x, region eu-west-1 from AWS_REGION). Deploy the stage',
    ],
    [
      'no-credentials.json',
      'No AWS credentials to read stack config-store-x (stage x, region eu-west-1 from AWS_REGION)',
    ],
    [
      'describe-stacks.access-denied.json',
      'Not allowed to read stack config-store-x (stage x, region eu-west-1 from AWS_REGION)',
    ],
  ])('fails on %s naming stage, region and stack, before writing', async (fixture, message) => {
    const fake = fakeDeps({ stacks: [{ error: recordedError(fixture) }] });
    await expect(seedMain(['--stage', 'x'], fake.deps)).rejects.toThrow(message);
    expect(fake.dynamo.sent).toEqual([]);
  });

  it('fails loudly with the number of unwritten items when retries run out', async () => {
    const fake = fakeDeps({ writes: [done, unprocessed] });
    await expect(seedMain(['--stage', 'alice'], fake.deps)).rejects.toThrow(
      '62 of 110 items were not written to config-store-alice',
    );
    // Batch 1 (25) written; batch 2 stuck on the 2 recorded unprocessed items; 60 never tried.
    expect(fake.lines).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^ {2}batch 2: 2 unprocessed items, attempt 3 in \d+ ms$/),
        'Written before the failure:',
      ]),
    );
  });

  it.each([
    [[], /Pass --stage <stage> \(or --endpoint and --table\)/],
    [['--endpoint', 'http://127.0.0.1:8000'], /--endpoint needs --table <name>/],
    [['--endpoint', 'localhost:8000', '--table', 't'], /--endpoint must be an http\(s\) URL/],
    [['--stage', '../etc'], /is not a stage name/],
    [['--stage', 'alice', '--tabel', 't'], /Unknown option '--tabel'/],
  ])('refuses the command line %j with a usage error', async (argv, message) => {
    const failure = seedMain(argv, fakeDeps().deps);
    await expect(failure).rejects.toThrow(UsageError);
    await expect(failure).rejects.toThrow(message);
  });
});
