/** `npm run smoke` finds its target from recorded stack outputs, or says what to pass. */
import type { DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { UsageError } from '../../scripts/lib/cli';
import { smokeMain, type SmokeDeps } from '../../scripts/smoke';
import { FakeClient, recorded, recordedError, type Reply } from '../fixtures/scripts/fake-aws';

function fakeDeps(stacks: Reply[], env: NodeJS.ProcessEnv = { AWS_REGION: 'eu-west-1' }) {
  const lines: string[] = [];
  const urls: string[] = [];
  const cfn = new FakeClient<DescribeStacksCommand>(stacks);
  const deps: SmokeDeps = {
    env,
    print: (line) => lines.push(line),
    cloudFormation: () => cfn,
    // An API that answers everything with a bare 500: every check fails, nothing hangs.
    fetch: async (url) => {
      urls.push(String(url));
      return new Response('oops', { status: 500 });
    },
  };
  return { deps, lines, urls, cfn };
}

const alice: Reply = { response: recorded('describe-stacks.alice.json') };

describe('npm run smoke', () => {
  it('--stage: checks the ServiceEndpoint of stack config-store-<stage>; exit 1 on failures', async () => {
    const fake = fakeDeps([alice]);
    expect(await smokeMain(['--stage', 'alice', '--api-key', 'k'], fake.deps)).toBe(1);
    expect(fake.cfn.sent).toEqual([{ StackName: 'config-store-alice' }]);
    expect(fake.lines[0]).toBe(
      'Smoke test of https://a1b2c3d4e5.execute-api.eu-west-1.amazonaws.com/alice ' +
        '(output ServiceEndpoint of stack config-store-alice, eu-west-1 from AWS_REGION)',
    );
    expect(
      fake.urls.every((url) =>
        url.startsWith('https://a1b2c3d4e5.execute-api.eu-west-1.amazonaws.com/alice/smoke-'),
      ),
    ).toBe(true);
    expect(fake.lines.at(-1)).toMatch(
      /^✘ smoke FAILED: 0 passed, 14 failed in \d+\.\d s — unknown-route, .*, cleanup$/,
    );
  });

  it('takes the writer key from API_KEY when --api-key is not given', async () => {
    const fake = fakeDeps([alice], { AWS_REGION: 'eu-west-1', API_KEY: 'from-env' });
    expect(await smokeMain(['--stage', 'alice'], fake.deps)).toBe(1);
  });

  it('without a key, says how to get it, naming the stack output ApiKeyId', async () => {
    const fake = fakeDeps([alice]);
    const failure = smokeMain(['--stage', 'alice'], fake.deps);
    await expect(failure).rejects.toThrow(UsageError);
    await expect(failure).rejects.toThrow(
      'aws apigateway get-api-key --api-key k9j8h7g6f5 --include-value',
    );
    expect(fake.urls).toEqual([]);
  });

  it('fails naming the stack when the stage was never deployed', async () => {
    const fake = fakeDeps([{ error: recordedError('describe-stacks.not-found.json') }]);
    await expect(smokeMain(['--stage', 'x', '--api-key', 'k'], fake.deps)).rejects.toThrow(
      'Stack config-store-x does not exist in eu-west-1',
    );
  });

  it.each([
    [[], /Pass --stage <stage> or --endpoint <url>/],
    [['--endpoint', 'http://127.0.0.1:3000/local'], /No writer API key/],
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
