/**
 * `npm run seed` and `npm run smoke` against real servers: the packaged local stage (in-process,
 * free port, in-memory DynamoDB) must take the seed and pass every smoke check; a deliberately
 * broken API must fail smoke, with the broken checks named.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { startLocalStage, type RunningLocalStage } from '../../local/start';
import { runSmoke } from '../../scripts/lib/smoke-runner';
import { defaultSeedDeps, seedMain } from '../../scripts/seed';
import { defaultSmokeDeps, smokeMain } from '../../scripts/smoke';
import { TEST_API_KEY, templatePath } from '../helpers/packaged';

describe('seed and smoke against the local stage', () => {
  let stage: RunningLocalStage;
  beforeAll(async () => {
    stage = await startLocalStage({
      port: 0,
      inMemory: true,
      template: templatePath('local'),
      seed: false, // the table starts empty: seeding it is what this test checks
      log: () => undefined,
    });
  });
  afterAll(() => stage?.stop());

  it('seeds data/ through the local DynamoDB endpoint, and the API serves it', async () => {
    const lines: string[] = [];
    const argv = ['--endpoint', stage.dynamoEndpoint, '--table', stage.tables[0]];
    expect(await seedMain(argv, { ...defaultSeedDeps, print: (l) => lines.push(l) })).toBe(0);
    expect(lines).toContainEqual(expect.stringMatching(/^ {2}feature-flags +64$/));
    const flags = (await (await fetch(`${stage.url}/feature-flags`)).json()) as {
      items: unknown[];
      nextToken?: unknown;
    };
    expect(flags.items).toHaveLength(25);
    expect(typeof flags.nextToken).toBe('string');
    const network = (await (await fetch(`${stage.url}/security-service/network`)).json()) as {
      allowedPorts: unknown;
    };
    expect(network.allowedPorts).toEqual([443, 8443, 9090]);
  });

  it('passes every smoke check and leaves nothing behind', async () => {
    const report = await runSmoke({ baseUrl: stage.url, apiKey: TEST_API_KEY, timeoutMs: 5_000 });
    const failed = [...report.results, report.cleanup].filter((r) => !r.ok);
    expect(failed).toEqual([]);
    for (const suffix of ['put', 'list', 'create-only', 'round-trip:v1', 'delete']) {
      const res = await fetch(`${stage.url}/${report.prefix}-${suffix}`);
      expect(`${suffix}: ${res.status}`).toBe(`${suffix}: 404`);
    }
  });
});

/**
 * An API that breaks the contract in the ways smoke must catch: plain-text errors, no CORS
 * header, writes without a key, an `__type` and an ARN in an error body.
 */
function brokenApi(): http.RequestListener {
  return (req, res) => {
    const url = new URL(req.url ?? '/', 'http://stub');
    if (req.method === 'OPTIONS') {
      res.writeHead(204, {
        'access-control-allow-origin': '*',
        'access-control-allow-methods': 'GET,PUT,DELETE,OPTIONS',
      });
      res.end();
    } else if (req.method === 'PUT') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"ok":true}');
    } else if (url.searchParams.has('limit')) {
      res.writeHead(400, {
        'content-type': 'application/json',
        'access-control-allow-origin': '*',
      });
      res.end(
        JSON.stringify({
          __type: 'com.amazonaws.dynamodb.v20120810#ValidationException',
          message:
            'Limit must be >= 1 (arn:aws:dynamodb:eu-west-1:123456789012:table/config-store-x)',
        }),
      );
    } else {
      res.writeHead(404, { 'content-type': 'text/plain' });
      res.end('Not Found');
    }
  };
}

describe('smoke against a broken API', () => {
  let server: http.Server;
  let url: string;
  beforeAll(async () => {
    server = http.createServer(brokenApi());
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/broken`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  const BROKEN_CHECKS = [
    'unknown-route',
    'get-unknown-id',
    'put-without-key',
    'put-create-replace',
    'if-none-match',
    'round-trip',
    'list-paginate',
    'bad-body',
    'delete',
    'cors-everywhere',
    'error-bodies',
  ];

  it('fails exactly the checks the API breaks, and still cleans up', async () => {
    const report = await runSmoke({ baseUrl: url, apiKey: 'any-key', timeoutMs: 5_000 });
    expect(report.ok).toBe(false);
    expect(report.results.filter((r) => !r.ok).map((r) => r.id)).toEqual(BROKEN_CHECKS);
    expect(report.results.filter((r) => r.ok).map((r) => r.id)).toEqual(['bad-limit', 'options']);
    expect(report.cleanup.ok).toBe(true);
  });

  it.each([
    ['unknown-route', 'expected 403, got GET /smoke-'],
    ['put-without-key', 'expected 403, got PUT /smoke-'],
    ['get-unknown-id', 'expected a JSON body {"message": ...}, got GET /smoke-'],
    ['cors-everywhere', 'responses lack it: GET /smoke-'],
    ['error-bodies', 'content-type "text/plain"'],
    ['error-bodies', 'body is not {"message": "..."}'],
  ])('explains why %s failed (%s)', async (id, reason) => {
    const report = await runSmoke({ baseUrl: url, apiKey: 'any-key', timeoutMs: 5_000 });
    expect(report.results.find((r) => r.id === id)?.error).toContain(reason);
  });

  it('prints one ✔/✘ line per check and a summary naming the failures; exit code 1', async () => {
    const lines: string[] = [];
    const deps = { ...defaultSmokeDeps, env: {}, print: (l: string) => lines.push(l) };
    expect(await smokeMain(['--endpoint', url, '--api-key', 'any-key'], deps)).toBe(1);
    const marks = lines.filter((l) => /^[✔✘] /.test(l));
    expect(marks).toHaveLength(BROKEN_CHECKS.length + 2 + 1 + 1); // + passes, cleanup, summary
    expect(marks).toContainEqual(
      expect.stringMatching(
        /^✘ GET on an unknown route → 403 Missing Authentication Token \(\d+ ms\)\n {4}expected 403/,
      ),
    );
    expect(lines.at(-1)).toMatch(
      new RegExp(
        `^✘ smoke FAILED: 3 passed, 11 failed in \\d+\\.\\d s — ${BROKEN_CHECKS.join(', ')}$`,
      ),
    );
  });
});
