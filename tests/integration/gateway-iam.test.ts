/**
 * The integration's `Credentials` role, enforced as on AWS (local/gateway/integration-credentials.ts):
 * a hand-written template (tests/fixtures/gateway/iam.json, `GET /{id}` = Query and
 * `GET /{id}/{range}` = GetItem, both with IntegrationRole) served with a different role per row.
 * A refused DynamoDB call is DynamoDB's 400 AccessDeniedException, mapped by the fixture's `4\d{2}`
 * integration response to 502; a role API Gateway cannot assume is a 500 gateway response.
 * Unsupported IAM constructs stop start-up, naming them. The packaged stage's own roles allow
 * what its methods call (and tests/integration/api-contract.test.ts runs the whole contract).
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  buildApiModel,
  readTemplate,
  UnsupportedConstructError,
  type CfnTemplate,
} from '../../local/gateway';
import { startLocalStage } from '../../local/start';
import { send } from '../helpers/local-stage';
import { templatePath } from '../helpers/packaged';

const FIXTURE = path.join(__dirname, '..', 'fixtures', 'gateway', 'iam.json');
const TABLE_ARN = 'arn:aws:dynamodb:us-east-1:000000000000:table/iam-items';
const TABLE = { 'Fn::GetAtt': ['ConfigTable', 'Arn'] };
const TRUST_API_GATEWAY = {
  Effect: 'Allow',
  Principal: { Service: 'apigateway.amazonaws.com' },
  Action: 'sts:AssumeRole',
};

type Statement = Record<string, unknown>;
interface RoleSpec {
  trust?: Statement[];
  statements?: Statement[];
  /** Extra resources (e.g. an AWS::IAM::Policy attached to the role). */
  resources?: CfnTemplate['Resources'];
  roleProps?: Record<string, unknown>;
}

function loadFixture(): CfnTemplate {
  return JSON.parse(readFileSync(FIXTURE, 'utf8')) as CfnTemplate;
}

/** The fixture with IntegrationRole replaced as `spec` says. */
function withRole(spec: RoleSpec): CfnTemplate {
  const template = loadFixture();
  template.Resources.IntegrationRole.Properties = {
    AssumeRolePolicyDocument: {
      Version: '2012-10-17',
      Statement: spec.trust ?? [TRUST_API_GATEWAY],
    },
    ...(spec.statements
      ? {
          Policies: [
            {
              PolicyName: 'items',
              PolicyDocument: { Version: '2012-10-17', Statement: spec.statements },
            },
          ],
        }
      : {}),
    ...spec.roleProps,
  };
  Object.assign(template.Resources, spec.resources ?? {});
  return template;
}

async function serve<T>(template: CfnTemplate, run: (url: string) => Promise<T>): Promise<T> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'gateway-iam-'));
  const file = path.join(dir, 'template.json');
  writeFileSync(file, JSON.stringify(template));
  const stage = await startLocalStage({
    port: 0,
    inMemory: true,
    template: file,
    seed: false,
    throttling: false,
    log: () => undefined,
  });
  try {
    return await run(stage.url);
  } finally {
    await stage.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

const BAD_GATEWAY = { status: 502, json: { message: 'Bad gateway' } };
const INTERNAL = { status: 500, json: { message: 'Internal server error' } };
const OK = { status: 200 };

/** `[case, role, expected for Query (GET /{id}), expected for GetItem (GET /{id}/{range})]`. */
const CASES: [string, RoleSpec, object, object][] = [
  [
    'the packaged read role (Query and GetItem on the table)',
    {
      statements: [
        { Effect: 'Allow', Action: ['dynamodb:Query', 'dynamodb:GetItem'], Resource: TABLE },
      ],
    },
    OK,
    OK,
  ],
  [
    'only GetItem allowed',
    { statements: [{ Effect: 'Allow', Action: 'dynamodb:GetItem', Resource: TABLE }] },
    BAD_GATEWAY,
    OK,
  ],
  [
    'an explicit Deny beats an Allow',
    {
      statements: [
        { Effect: 'Allow', Action: 'dynamodb:*', Resource: TABLE },
        { Effect: 'Deny', Action: 'dynamodb:Query', Resource: '*' },
      ],
    },
    BAD_GATEWAY,
    OK,
  ],
  [
    'dynamodb:* on *',
    { statements: [{ Effect: 'Allow', Action: 'dynamodb:*', Resource: '*' }] },
    OK,
    OK,
  ],
  [
    'a role for another table',
    {
      statements: [
        {
          Effect: 'Allow',
          Action: ['dynamodb:Query', 'dynamodb:GetItem'],
          Resource: 'arn:aws:dynamodb:us-east-1:000000000000:table/other-items',
        },
      ],
    },
    BAD_GATEWAY,
    BAD_GATEWAY,
  ],
  [
    'a ? wildcard in the action and * in the resource',
    {
      statements: [
        {
          Effect: 'Allow',
          Action: 'dynamodb:GetIte?',
          Resource: 'arn:aws:dynamodb:*:*:table/iam-*',
        },
      ],
    },
    BAD_GATEWAY,
    OK,
  ],
  [
    'actions are case-insensitive, resources are not',
    {
      statements: [
        { Effect: 'Allow', Action: 'DynamoDB:getitem', Resource: TABLE },
        { Effect: 'Allow', Action: 'dynamodb:Query', Resource: TABLE_ARN.toUpperCase() },
      ],
    },
    BAD_GATEWAY,
    OK,
  ],
  [
    'NotAction',
    { statements: [{ Effect: 'Allow', NotAction: 'dynamodb:Query', Resource: '*' }] },
    BAD_GATEWAY,
    OK,
  ],
  [
    'NotResource',
    { statements: [{ Effect: 'Allow', Action: 'dynamodb:*', NotResource: TABLE }] },
    BAD_GATEWAY,
    BAD_GATEWAY,
  ],
  [
    'a Deny with NotAction denies everything else',
    {
      statements: [
        { Effect: 'Allow', Action: 'dynamodb:*', Resource: '*' },
        { Effect: 'Deny', NotAction: ['dynamodb:GetItem'], Resource: '*' },
      ],
    },
    BAD_GATEWAY,
    OK,
  ],
  [
    'an empty Condition changes nothing',
    { statements: [{ Effect: 'Allow', Action: 'dynamodb:*', Resource: TABLE, Condition: {} }] },
    OK,
    OK,
  ],
  ['no permission policy at all', {}, BAD_GATEWAY, BAD_GATEWAY],
  [
    'an AWS::IAM::Policy attached to the role by Roles',
    {
      resources: {
        ReadPolicy: {
          Type: 'AWS::IAM::Policy',
          Properties: {
            PolicyName: 'read',
            Roles: [{ Ref: 'IntegrationRole' }],
            PolicyDocument: {
              Version: '2012-10-17',
              Statement: { Effect: 'Allow', Action: 'dynamodb:Query', Resource: TABLE },
            },
          },
        },
      },
    },
    OK,
    BAD_GATEWAY,
  ],
  [
    'a trust policy for another principal',
    {
      trust: [{ ...TRUST_API_GATEWAY, Principal: { Service: 'lambda.amazonaws.com' } }],
      statements: [{ Effect: 'Allow', Action: 'dynamodb:*', Resource: '*' }],
    },
    INTERNAL,
    INTERNAL,
  ],
  [
    'a trust policy that denies API Gateway',
    {
      trust: [TRUST_API_GATEWAY, { ...TRUST_API_GATEWAY, Effect: 'Deny', Action: 'sts:*' }],
      statements: [{ Effect: 'Allow', Action: 'dynamodb:*', Resource: '*' }],
    },
    INTERNAL,
    INTERNAL,
  ],
  [
    'a trust policy with a list of services and a wildcard action',
    {
      trust: [
        {
          Effect: 'Allow',
          Principal: { Service: ['lambda.amazonaws.com', 'apigateway.amazonaws.com'] },
          Action: ['sts:Assume*'],
        },
      ],
      statements: [{ Effect: 'Allow', Action: 'dynamodb:*', Resource: '*' }],
    },
    OK,
    OK,
  ],
];

describe('the integration role decides each DynamoDB call', () => {
  it.each(CASES)('%s', async (_, spec, query, getItem) => {
    await serve(withRole(spec), async (url) => {
      const [q, g] = [await send(url, '/payments'), await send(url, '/payments/timeouts')];
      expect({ status: q.status, json: q.json }).toMatchObject(query);
      expect({ status: g.status, json: g.json }).toMatchObject(getItem);
      for (const res of [q, g].filter((r) => r.status === 500)) {
        expect(res.headers['x-amzn-errortype']).toBe('InternalServerErrorException');
      }
    });
  });
});

describe("DynamoDB's AccessDeniedException, as the integration receives it", () => {
  const authorize = (spec: RoleSpec, body: object) => {
    const api = buildApiModel(withRole(spec));
    const method = api.resources.find((r) => r.path === '/{id}')?.methods.get('GET');
    if (method?.integration.type !== 'AWS') throw new Error('fixture: GET /{id} is AWS');
    return method.integration.credentials.authorize(JSON.stringify(body));
  };
  const user =
    'User: arn:aws:sts::000000000000:assumed-role/IntegrationRole/BackplaneAssumeRoleSession';

  it.each<[string, RoleSpec, object, string | undefined]>([
    [
      'implicit deny',
      { statements: [{ Effect: 'Allow', Action: 'dynamodb:GetItem', Resource: TABLE }] },
      { TableName: 'iam-items' },
      `${user} is not authorized to perform: dynamodb:Query on resource: ${TABLE_ARN} because no identity-based policy allows the dynamodb:Query action`,
    ],
    [
      'explicit deny',
      {
        statements: [
          { Effect: 'Allow', Action: 'dynamodb:*', Resource: '*' },
          { Effect: 'Deny', Action: 'dynamodb:Query', Resource: TABLE },
        ],
      },
      { TableName: 'iam-items' },
      `${user} is not authorized to perform: dynamodb:Query on resource: ${TABLE_ARN} with an explicit deny in an identity-based policy`,
    ],
    [
      'a Query on an index is authorized on the index ARN',
      { statements: [{ Effect: 'Allow', Action: 'dynamodb:Query', Resource: TABLE }] },
      { TableName: 'iam-items', IndexName: 'byDate' },
      `${user} is not authorized to perform: dynamodb:Query on resource: ${TABLE_ARN}/index/byDate because no identity-based policy allows the dynamodb:Query action`,
    ],
    [
      'a TableName given as an ARN',
      { statements: [{ Effect: 'Allow', Action: 'dynamodb:Query', Resource: TABLE }] },
      { TableName: TABLE_ARN },
      undefined,
    ],
    [
      'a role name from RoleName',
      {
        statements: [],
        roleProps: { RoleName: 'config-reader' },
      },
      { TableName: 'iam-items' },
      `User: arn:aws:sts::000000000000:assumed-role/config-reader/BackplaneAssumeRoleSession is not authorized to perform: dynamodb:Query on resource: ${TABLE_ARN} because no identity-based policy allows the dynamodb:Query action`,
    ],
  ])('%s', (_, spec, body, message) => {
    const answer = authorize(spec, body);
    if (message === undefined) {
      expect(answer).toBeUndefined();
      return;
    }
    expect(answer?.status).toBe(400);
    expect(answer?.headers['content-type']).toBe('application/x-amz-json-1.0');
    expect(JSON.parse(answer?.body ?? '')).toEqual({
      __type: 'com.amazon.coral.service#AccessDeniedException',
      Message: message,
    });
  });
});

describe('what cannot be checked stops start-up, naming it', () => {
  const allowAll = { Effect: 'Allow', Action: 'dynamodb:*', Resource: '*' };
  const credentials = (t: CfnTemplate, value: unknown) => {
    const integration = (t.Resources.ItemsGet.Properties as Record<string, any>).Integration;
    if (value === undefined) delete integration.Credentials;
    else integration.Credentials = value;
    return t;
  };

  it.each<[string, () => CfnTemplate, RegExp]>([
    [
      'a policy Condition',
      () =>
        withRole({
          statements: [
            { ...allowAll, Condition: { StringEquals: { 'aws:SourceVpce': 'vpce-1' } } },
          ],
        }),
      /IntegrationRole\.Policies\[0\]\.PolicyDocument\.Statement\[0\]\.Condition: a policy Condition is not supported by the local stage \(Credentials of ItemsGet\.Integration\)/,
    ],
    [
      'a Condition in the trust policy',
      () =>
        withRole({
          trust: [
            { ...TRUST_API_GATEWAY, Condition: { StringEquals: { 'aws:SourceAccount': '1' } } },
          ],
          statements: [allowAll],
        }),
      /IntegrationRole\.AssumeRolePolicyDocument\.Statement\[0\]\.Condition: a policy Condition/,
    ],
    [
      'a managed policy ARN',
      () =>
        withRole({
          statements: [allowAll],
          roleProps: {
            ManagedPolicyArns: ['arn:aws:iam::aws:policy/AmazonDynamoDBReadOnlyAccess'],
          },
        }),
      /IntegrationRole\.ManagedPolicyArns: a managed policy \(arn:aws:iam::aws:policy\/AmazonDynamoDBReadOnlyAccess/,
    ],
    [
      'a permissions boundary',
      () =>
        withRole({
          statements: [allowAll],
          roleProps: { PermissionsBoundary: 'arn:aws:iam::000000000000:policy/boundary' },
        }),
      /IntegrationRole\.PermissionsBoundary: a permissions boundary/,
    ],
    [
      'a policy variable in a resource',
      () =>
        withRole({
          statements: [{ ...allowAll, Resource: 'arn:aws:dynamodb:*:*:table/${aws:username}' }],
        }),
      /Statement\[0\]\.Resource: the policy variable/,
    ],
    [
      'a role ARN the template does not declare',
      () =>
        credentials(withRole({ statements: [allowAll] }), {
          'Fn::Sub': 'arn:aws:iam::${AWS::AccountId}:role/elsewhere',
        }),
      /ItemsGet\.Integration\.Credentials: the role arn:aws:iam::000000000000:role\/elsewhere, which the template does not declare/,
    ],
    [
      "the caller's credentials",
      () => credentials(withRole({ statements: [allowAll] }), 'arn:aws:iam::*:user/*'),
      /ItemsGet\.Integration\.Credentials: caller credentials \(arn:aws:iam::\*:user\/\*\)/,
    ],
    [
      'no Credentials',
      () => credentials(withRole({ statements: [allowAll] }), undefined),
      /ItemsGet\.Integration\.Credentials: an AWS integration without Credentials/,
    ],
  ])('%s', (_, build, message) => {
    const template = build();
    expect(() => buildApiModel(template)).toThrow(UnsupportedConstructError);
    expect(() => buildApiModel(template)).toThrow(message);
  });

  it('startLocalStage refuses before starting anything', async () => {
    const template = withRole({
      statements: [{ Effect: 'Allow', Action: 'dynamodb:*', Resource: '*' }],
      roleProps: { ManagedPolicyArns: ['arn:aws:iam::aws:policy/AmazonDynamoDBFullAccess'] },
    });
    await expect(serve(template, async () => undefined)).rejects.toThrow(
      /IntegrationRole\.ManagedPolicyArns: a managed policy .* is not supported by the local stage/,
    );
  });
});

describe("the packaged local stage's own roles", () => {
  it("allow each AWS integration its action on the stage's table, and no other table", () => {
    const api = buildApiModel(readTemplate(templatePath('local')));
    const table = 'config-store-local';
    const checked: string[] = [];
    for (const resource of api.resources) {
      for (const method of resource.methods.values()) {
        if (method.integration.type !== 'AWS') continue;
        const { credentials, action } = method.integration;
        checked.push(`${method.httpMethod} ${resource.path} ${action}`);
        expect(credentials.authorize(JSON.stringify({ TableName: table }))).toBeUndefined();
        expect(credentials.authorize(JSON.stringify({ TableName: 'another' }))?.status).toBe(400);
      }
    }
    expect(checked.sort()).toEqual([
      'DELETE /{id}/{range} DeleteItem',
      'GET /{id} Query',
      'GET /{id}/{range} GetItem',
      'PUT /{id}/{range} PutItem',
    ]);
  });
});
