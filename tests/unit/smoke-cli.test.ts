/**
 * `npm run smoke` finds its target and writer key from recorded stack outputs and GetApiKey
 * answers (credentials and --stage alone), or says what to pass.
 */
import type { GetApiKeyCommand } from '@aws-sdk/client-api-gateway';
import type { DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { UsageError } from '../../lib/usage-error';
import { smokeMain, type SmokeDeps } from '../../scripts/smoke';
import {
  AccessDeniedError,
  NoCredentialsError,
  StackNotFoundError,
} from '../../scripts/lib/stack-outputs';
import { FakeClient, recorded, recordedError, type Reply } from '../fixtures/scripts/fake-aws';

function fakeDeps(
  stacks: Reply[],
  env: NodeJS.ProcessEnv = { AWS_REGION: 'eu-west-1' },
  keys: Reply[] = [{ response: recorded('get-api-key.alice.json') }],
) {
  const lines: string[] = [];
  const urls: string[] = [];
  const keysSent: (string | undefined)[] = [];
  const cfn = new FakeClient<DescribeStacksCommand>(stacks);
  const apiGateway = new FakeClient<GetApiKeyCommand>(keys);
  const deps: SmokeDeps = {
    env,
    print: (line) => lines.push(line),
    cloudFormation: () => cfn,
    apiGateway: () => apiGateway,
    // An API that answers everything with a bare 500: every check fails, nothing hangs.
    fetch: async (url, init) => {
      urls.push(String(url));
      keysSent.push(new Headers(init?.headers).get('x-api-key') ?? undefined);
      return new Response('oops', { status: 500 });
    },
  };
  return { deps, lines, urls, cfn, apiGateway, keysSent };
}

const alice: Reply = { response: recorded('describe-stacks.alice.json') };

describe('npm run smoke', () => {
  it('--stage alone: endpoint and writer key from the stack; exit 1 on failures', async () => {
    const fake = fakeDeps([alice]);
    expect(await smokeMain(['--stage', 'alice'], fake.deps)).toBe(1);
    expect(fake.cfn.sent).toEqual([{ StackName: 'config-store-alice' }]);
    expect(fake.apiGateway.sent).toEqual([{ apiKey: 'k9j8h7g6f5', includeValue: true }]);
    expect(fake.apiGateway.destroyed).toBe(true);
    expect(fake.lines[0]).toBe(
      'Smoke test of https://a1b2c3d4e5.execute-api.eu-west-1.amazonaws.com/alice ' +
        '(output ServiceEndpoint of stack config-store-alice, eu-west-1 from AWS_REGION; ' +
        'key config-store-alice-writer)',
    );
    expect(
      fake.urls.every((url) =>
        url.startsWith('https://a1b2c3d4e5.execute-api.eu-west-1.amazonaws.com/alice/smoke-'),
      ),
    ).toBe(true);
    expect(fake.keysSent).toContain('Qm4tX8vLr2Zp7Wd1Ks9Hy3Nc6Bf0Gj5Ta8Ue2Vo1');
    expect(fake.lines.at(-1)).toMatch(
      /^✘ smoke FAILED: 0 passed, 14 failed in \d+\.\d s — unknown-route, .*, cleanup$/,
    );
  });

  it('uses --api-key (or API_KEY) instead of reading the key from the stack', async () => {
    const fake = fakeDeps([alice], { AWS_REGION: 'eu-west-1', API_KEY: 'from-env' });
    expect(await smokeMain(['--stage', 'alice'], fake.deps)).toBe(1);
    expect(fake.apiGateway.sent).toEqual([]);
    expect(fake.keysSent).toContain('from-env');
    expect(fake.lines[0]).toMatch(/; key from API_KEY\)$/);
  });

  it('key not readable: names stage, region, stack and the permission; sends nothing', async () => {
    const fake = fakeDeps([alice], undefined, [
      { error: recordedError('get-api-key.access-denied.json') },
    ]);
    const failure = smokeMain(['--stage', 'alice'], fake.deps);
    await expect(failure).rejects.toThrow(AccessDeniedError);
    await expect(failure).rejects.toThrow(
      'Cannot read the writer key k9j8h7g6f5 of stack config-store-alice (stage alice, region eu-west-1 from AWS_REGION): ' +
        'your credentials need apigateway:GET',
    );
    expect(fake.urls).toEqual([]);
  });

  it.each([
    [
      'describe-stacks.not-found.json',
      StackNotFoundError,
      'No stack config-store-alice (stage alice, region eu-west-1 from AWS_REGION)',
    ],
    [
      'no-credentials.json',
      NoCredentialsError,
      'No AWS credentials to read stack config-store-alice',
    ],
    ['describe-stacks.access-denied.json', AccessDeniedError, 'need cloudformation:DescribeStacks'],
  ])('fails on %s with a message naming the stack', async (fixture, errorClass, message) => {
    const fake = fakeDeps([{ error: recordedError(fixture) }]);
    const failure = smokeMain(['--stage', 'alice'], fake.deps);
    await expect(failure).rejects.toThrow(errorClass);
    await expect(failure).rejects.toThrow(message);
    expect(fake.urls).toEqual([]);
  });

  it.each([
    [[], /Pass --stage <stage> or --endpoint <url>/],
    [['--endpoint', 'http://127.0.0.1:3000/local'], /No writer API key for --endpoint/],
    [['--endpoint', 'ftp://x', '--api-key', 'k'], /Expected an http\(s\) base URL/],
    [
      ['--endpoint', 'http://x', '--api-key', 'k', '--timeout', '0'],
      /--timeout must be a positive number/,
    ],
  ])('refuses the command line %j with a usage error', async (argv, message) => {
    const failure = smokeMain(argv, fakeDeps([alice], {}).deps);
    await expect(failure).rejects.toThrow(UsageError);
    await expect(failure).rejects.toThrow(message);
  });
});
