import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import {
  SUPPLEMENTARY_ALLOWED_VALUES,
  cfnLintPath,
  formatCfnLint,
  runCfnLint,
  specProperty,
  validateTemplate,
  type CfnLintMatch,
} from '../helpers/cfn-spec';

const FIXTURES = path.join(__dirname, '..', 'fixtures', 'cfn');
const INVALID = path.join(FIXTURES, 'invalid');

type Template = {
  Resources: Record<
    string,
    { Type: string; Properties: Record<string, unknown>; [k: string]: unknown }
  >;
  [section: string]: unknown;
};

function load(file: string): Template {
  return JSON.parse(readFileSync(path.join(FIXTURES, file), 'utf8')) as Template;
}

/** Each fixture in `invalid/` has exactly one mistake; the validator must name it, and only it. */
const invalidCases: { fixture: string; errors: string[] }[] = [
  {
    fixture: 'misspelled-resource-type',
    errors: [
      'ItemsTable.Type: unknown resource type "AWS::DynamoDB::Tabel" (did you mean AWS::DynamoDB::Table?)',
    ],
  },
  {
    fixture: 'misspelled-property',
    errors: [
      'ItemsTable.Properties.BilingMode: unknown property of AWS::DynamoDB::Table (did you mean BillingMode?)',
    ],
  },
  {
    fixture: 'misspelled-nested-property',
    errors: [
      'ApiGetItemsMethod.Properties.Integration.PassthroughBehaviour: unknown property of ' +
        'AWS::ApiGateway::Method.Integration (did you mean PassthroughBehavior?)',
    ],
  },
  {
    fixture: 'wrong-integration-type',
    errors: [
      'ApiGetItemsMethod.Properties.Integration.Type: "AWS_PROXYY" is not an allowed value for ' +
        'AWS::ApiGateway::Method.Integration.Type; allowed: AWS, AWS_PROXY, HTTP, HTTP_PROXY, MOCK',
    ],
  },
  {
    fixture: 'wrong-billing-mode',
    errors: [
      'ItemsTable.Properties.BillingMode: "ON_DEMAND" is not an allowed value for ' +
        'AWS::DynamoDB::Table.BillingMode; allowed: PROVISIONED, PAY_PER_REQUEST',
    ],
  },
  {
    fixture: 'wrong-key-type',
    errors: [
      'ItemsTable.Properties.KeySchema[0].KeyType: "PARTITION" is not an allowed value for ' +
        'AWS::DynamoDB::Table.KeySchema.KeyType; allowed: HASH, RANGE',
    ],
  },
  {
    fixture: 'wrong-response-type',
    errors: [
      expect.stringMatching(
        /^MissingTokenResponse\.Properties\.ResponseType: "MISSING_TOKEN" is not an allowed value for AWS::ApiGateway::GatewayResponse\.ResponseType; allowed: .*MISSING_AUTHENTICATION_TOKEN/,
      ),
    ],
  },
  {
    fixture: 'wrong-value-in-if-branch',
    errors: [
      'ItemsTable.Properties.BillingMode.Fn::If[2]: "ON_DEMAND" is not an allowed value for ' +
        'AWS::DynamoDB::Table.BillingMode; allowed: PROVISIONED, PAY_PER_REQUEST',
    ],
  },
  {
    fixture: 'wrong-primitive-type',
    errors: ['ApiGetItemsMethod.Properties.ApiKeyRequired: expected boolean, got string "yes"'],
  },
  {
    fixture: 'missing-required-property',
    errors: [
      'ApiGetItemsMethod.Properties.HttpMethod: missing required property of AWS::ApiGateway::Method',
    ],
  },
  {
    fixture: 'ref-to-missing-resource',
    errors: [
      'ApiGetItemsMethod.Properties.RestApiId: Ref to "RestApii", which is not a resource, ' +
        'parameter or pseudo parameter of this template (did you mean RestApi?)',
    ],
  },
  {
    fixture: 'sub-to-missing-resource',
    errors: [
      'ItemsTable.Properties.TableName: Fn::Sub ${ItemTable} refers to "ItemTable", which is not ' +
        'a resource, parameter or pseudo parameter of this template (did you mean ItemsTable?)',
    ],
  },
  {
    fixture: 'getatt-unknown-attribute',
    errors: [
      'ApiGetItemsMethod.Properties.ResourceId: Fn::GetAtt RestApi.RootResource: ' +
        'AWS::ApiGateway::RestApi has no attribute "RootResource" (it has: RootResourceId, RestApiId)',
    ],
  },
  {
    fixture: 'depends-on-missing-resource',
    errors: ['ItemsTable.DependsOn: "ItemsRole" is not a resource of this template'],
  },
  {
    fixture: 'output-ref-to-missing-resource',
    errors: [
      'Outputs.TableName.Value: Ref to "Table", which is not a resource, parameter or pseudo ' +
        'parameter of this template',
    ],
  },
  {
    fixture: 'misspelled-section',
    errors: ['Output: unknown top-level section (did you mean Outputs?)'],
  },
];

describe('validateTemplate on fixture templates', () => {
  it('accepts a valid template with every kind of resource the service packages', () => {
    expect(validateTemplate(load('valid.json'))).toEqual([]);
  });

  it.each(invalidCases)('rejects $fixture, naming the mistake', ({ fixture, errors }) => {
    expect(validateTemplate(load(`invalid/${fixture}.json`))).toEqual(errors);
  });

  it('has an expectation for every fixture in invalid/', () => {
    const fixtures = readdirSync(INVALID).map((f) => path.basename(f, '.json'));
    expect(invalidCases.map((c) => c.fixture).sort()).toEqual(fixtures.sort());
  });
});

/** Mistakes made on a copy of the valid fixture, for rules no fixture file shows on its own. */
const mutations: { behaviour: string; mutate: (t: Template) => void; errors: string[] }[] = [
  {
    behaviour: 'a GetAtt in its string form is checked like the list form',
    mutate: (t) => {
      t.Resources.ReadRole.Properties.Description = { 'Fn::GetAtt': 'ItemsTable.Arm' };
    },
    errors: [
      'ReadRole.Properties.Description: Fn::GetAtt ItemsTable.Arm: AWS::DynamoDB::Table has no ' +
        'attribute "Arm" (it has: Arn, StreamArn)',
    ],
  },
  {
    behaviour: 'references inside free-form JSON such as a policy document are checked',
    mutate: (t) => {
      t.Resources.ReadRole.Properties.Policies = [
        {
          PolicyName: 'read',
          PolicyDocument: { Statement: [{ Resource: { 'Fn::GetAtt': ['Table', 'Arn'] } }] },
        },
      ];
    },
    errors: [
      'ReadRole.Properties.Policies[0].PolicyDocument.Statement[0].Resource: Fn::GetAtt target ' +
        '"Table" is not a resource of this template',
    ],
  },
  {
    behaviour: 'a Fn::If names a condition of the template',
    mutate: (t) => {
      t.Resources.ItemsTable.Properties.DeletionProtectionEnabled = {
        'Fn::If': ['IsProdd', true, false],
      };
    },
    errors: [
      'ItemsTable.Properties.DeletionProtectionEnabled.Fn::If[0]: condition "IsProdd" is not ' +
        'in Conditions (did you mean IsProd?)',
    ],
  },
  {
    behaviour: 'a misspelled intrinsic function is reported',
    mutate: (t) => {
      t.Resources.RestApi.Properties.Name = { 'Fn::Subb': '${AWS::StackName}' };
    },
    errors: [
      'RestApi.Properties.Name.Fn::Subb: unknown intrinsic function (did you mean Fn::Sub?)',
    ],
  },
  {
    behaviour: 'condition functions are refused outside Conditions',
    mutate: (t) => {
      t.Resources.RestApi.Properties.Name = { 'Fn::Equals': ['a', 'b'] };
    },
    errors: [
      'RestApi.Properties.Name.Fn::Equals: Fn::Equals is only valid in the Conditions section',
    ],
  },
  {
    behaviour: 'a list property given a single value is reported',
    mutate: (t) => {
      t.Resources.ApiGetItemsMethod.Properties.MethodResponses = { StatusCode: '200' };
    },
    errors: [
      'ApiGetItemsMethod.Properties.MethodResponses: expected list of ' +
        'AWS::ApiGateway::Method.MethodResponse, got an object',
    ],
  },
  {
    behaviour: 'an integer property given a fraction is reported',
    mutate: (t) => {
      t.Resources.ApiAccessLogGroup.Properties.RetentionInDays = 14.5;
    },
    errors: ['ApiAccessLogGroup.Properties.RetentionInDays: expected integer, got number 14.5'],
  },
  {
    behaviour: 'an integer enum from the spec is checked (log retention days)',
    mutate: (t) => {
      t.Resources.ApiAccessLogGroup.Properties.RetentionInDays = 10;
    },
    errors: [
      expect.stringMatching(
        /^ApiAccessLogGroup\.Properties\.RetentionInDays: 10 is not an allowed value for AWS::Logs::LogGroup\.RetentionInDays; allowed: 1, 3, 5, 7, 14,/,
      ),
    ],
  },
  {
    behaviour: 'an unknown resource attribute and a wrong DeletionPolicy are reported',
    mutate: (t) => {
      t.Resources.ItemsTable.DeletionPolicy = 'Keep';
      t.Resources.ItemsTable.DependOn = 'ReadRole';
    },
    errors: [
      'ItemsTable.DependOn: unknown resource attribute (did you mean DependsOn?)',
      'ItemsTable.DeletionPolicy: "Keep" is not one of Delete, Retain, RetainExceptOnCreate, Snapshot',
    ],
  },
  {
    behaviour: 'a resource may not depend on itself',
    mutate: (t) => {
      t.Resources.ApiStage.DependsOn = 'ApiStage';
    },
    errors: ['ApiStage.DependsOn: a resource cannot depend on itself'],
  },
  {
    behaviour: 'a misspelled output key and a missing Value are reported',
    mutate: (t) => {
      t.Outputs = { TableName: { Valeu: { Ref: 'ItemsTable' } } };
    },
    errors: [
      'Outputs.TableName.Valeu: unknown output key (did you mean Value?)',
      'Outputs.TableName.Value: missing; every output needs a Value',
    ],
  },
  {
    behaviour: 'a Ref to a template parameter is accepted; an undeclared one is not',
    mutate: (t) => {
      t.Parameters = { Stage: { Type: 'String' } };
      t.Resources.ApiStage.Properties.StageName = { Ref: 'Stage' };
      t.Resources.ApiStage.Properties.Description = { Ref: 'StageDescription' };
    },
    errors: [
      'ApiStage.Properties.Description: Ref to "StageDescription", which is not a resource, ' +
        'parameter or pseudo parameter of this template',
    ],
  },
  {
    behaviour: 'a custom resource needs only a ServiceToken',
    mutate: (t) => {
      t.Resources.Seed = { Type: 'Custom::Seed', Properties: { Anything: { Ref: 'ItemsTable' } } };
    },
    errors: ['Seed.Properties.ServiceToken: missing required property of Custom::Seed'],
  },
];

describe('validateTemplate on mutations of the valid fixture', () => {
  it.each(mutations)('$behaviour', ({ mutate, errors }) => {
    const template = load('valid.json');
    mutate(template);
    expect(validateTemplate(template)).toEqual(errors);
  });
});

describe('SUPPLEMENTARY_ALLOWED_VALUES', () => {
  const entries = Object.entries(SUPPLEMENTARY_ALLOWED_VALUES).map(([key, entry]) => ({
    key,
    ...entry,
  }));

  it.each(entries)(
    '$key is a string property of the spec, which gives it no allowed values of its own',
    ({ key }) => {
      const property = specProperty(key);
      expect(property).toBeDefined();
      const type = property!.type.type === 'array' ? property!.type.element : property!.type;
      expect(type.type).toBe('string');
      // Once the spec package ships allowed values here, the entry is redundant: drop it.
      expect(type.type === 'string' ? type.allowedValues : undefined).toBeUndefined();
    },
  );

  it.each(entries)('$key cites the AWS documentation and lists each value once', (entry) => {
    expect(entry.source).toMatch(/^https:\/\/docs\.aws\.amazon\.com\//);
    expect(new Set(entry.values).size).toBe(entry.values.length);
  });
});

const VALID = path.join(FIXTURES, 'valid.json');
const invalidFile = (fixture: string) => path.join(INVALID, `${fixture}.json`);

/** The cfn-lint rule each invalid fixture must trip. */
const expectedRule: Record<string, string> = {
  'misspelled-resource-type': 'E3006',
  'misspelled-property': 'E3002',
  'misspelled-nested-property': 'E3002',
  'wrong-integration-type': 'E3030',
  // cfn-lint checks a KeySchema element against a `oneOf`, so a bad KeyType shows as E3002.
  'wrong-key-type': 'E3002',
  'wrong-primitive-type': 'E3012',
  'missing-required-property': 'E3003',
  'ref-to-missing-resource': 'E1020',
  'sub-to-missing-resource': 'E1019',
  'getatt-unknown-attribute': 'E1010',
  'depends-on-missing-resource': 'E3005',
  'output-ref-to-missing-resource': 'E6101',
  'misspelled-section': 'E1001',
};

/**
 * Fixtures cfn-lint (1.51) lets through, because its schemas have no allowed values there;
 * validateTemplate catches them with SUPPLEMENTARY_ALLOWED_VALUES.
 */
const notCaughtByCfnLint = new Set([
  'wrong-billing-mode',
  'wrong-response-type',
  'wrong-value-in-if-branch',
]);

const cfnLint = cfnLintPath();

// A second opinion from the Python cfn-lint, where it is installed (it comes from PyPI): the
// valid fixture must pass it, and each invalid one must fail it for the reason it is about.
if (cfnLint !== undefined) {
  describe(`cfn-lint (${cfnLint}) on the fixture templates`, () => {
    const files = [VALID, ...Object.keys(expectedRule).map(invalidFile)];
    let matches: CfnLintMatch[];
    const matchesOf = (file: string) =>
      matches.filter((m) => path.resolve(m.file) === path.resolve(file));

    beforeAll(async () => {
      matches = await runCfnLint(files);
    });

    it('passes the valid fixture with no error or warning', () => {
      expect(formatCfnLint(matchesOf(VALID))).toBe('');
    });

    it.each(Object.entries(expectedRule))('fails %s with rule %s', (fixture, rule) => {
      const found = matchesOf(invalidFile(fixture));
      expect(found.map((m) => m.rule)).toContain(rule);
      expect(found.every((m) => m.level === 'Error')).toBe(true);
    });

    it('has a decision for every invalid fixture', () => {
      const fixtures = readdirSync(INVALID).map((f) => path.basename(f, '.json'));
      const decided = [...Object.keys(expectedRule), ...notCaughtByCfnLint];
      expect(decided.sort()).toEqual(fixtures.sort());
    });
  });
}
