/**
 * buildApiModel on malformed templates: every property of real templates replaced, one at a
 * time, by values of every JSON type. CloudFormation would accept some of these and refuse
 * others; the local stage must either build the API or refuse it with an
 * UnsupportedConstructError naming the property, never fail with a TypeError or any other
 * error (issue: "a malformed but valid template must never end in a TypeError").
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { buildApiModel, UnsupportedConstructError, type CfnTemplate } from '../../local/gateway';
import { templatePath } from '../helpers/packaged';

const FIXTURES = path.join(__dirname, '..', 'fixtures', 'gateway');

function template(file: string): CfnTemplate {
  const at = file === 'packaged local stage' ? templatePath('local') : path.join(FIXTURES, file);
  const parsed = JSON.parse(readFileSync(at, 'utf8')) as CfnTemplate | { template: CfnTemplate };
  return 'template' in parsed ? parsed.template : parsed;
}

const REPLACEMENTS: unknown[] = [42, 'x', '', [], ['x'], {}, { a: 1 }, null, true];
/** For the packaged template (over a thousand properties): a wrong scalar, a wrong object, none. */
const FEW_REPLACEMENTS: unknown[] = [42, {}, null];

/**
 * Paths (keys from the template root) of every value under each resource's Properties; a
 * model's `Schema` is replaced whole (what is inside is a JSON schema ajv checks, and compiling
 * one per variation would make this slow).
 */
function propertyPaths(t: CfnTemplate): (string | number)[][] {
  const out: (string | number)[][] = [];
  const walk = (value: unknown, at: (string | number)[]) => {
    out.push(at);
    if (at[at.length - 1] === 'Schema') return;
    if (Array.isArray(value)) value.forEach((item, i) => walk(item, [...at, i]));
    else if (value !== null && typeof value === 'object') {
      for (const [key, item] of Object.entries(value)) walk(item, [...at, key]);
    }
  };
  for (const [id, resource] of Object.entries(t.Resources)) {
    if (resource.Type.startsWith('AWS::ApiGateway::')) {
      walk(resource.Properties ?? {}, ['Resources', id, 'Properties']);
    }
  }
  return out;
}

function replaced(t: CfnTemplate, at: (string | number)[], value: unknown): CfnTemplate {
  const copy = structuredClone(t) as unknown as Record<string | number, unknown>;
  let node = copy;
  for (const key of at.slice(0, -1)) node = node[key] as Record<string | number, unknown>;
  node[at[at.length - 1]] = structuredClone(value);
  return copy as unknown as CfnTemplate;
}

describe.each([
  'packaged local stage',
  'routing-validation.json',
  'conformance/dynamodb-query.json',
  'conformance/canary-base-deployment.json',
  'conformance/request-validator-circular-models.json',
  'conformance/routing-precedence-siblings.json',
])('%s with one property replaced', (file) => {
  const original = template(file);

  it('builds as it is', () => {
    expect(() => buildApiModel(original)).not.toThrow();
  });

  it('builds or refuses by name for every property and every JSON type', () => {
    const failures: string[] = [];
    for (const at of propertyPaths(original)) {
      for (const value of file === 'packaged local stage' ? FEW_REPLACEMENTS : REPLACEMENTS) {
        try {
          buildApiModel(replaced(original, at, value));
        } catch (err) {
          if (!(err instanceof UnsupportedConstructError)) {
            failures.push(`${at.join('.')} = ${JSON.stringify(value)}: ${String(err)}`);
          }
        }
      }
    }
    expect(failures).toEqual([]);
  });
});
