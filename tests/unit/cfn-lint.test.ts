/**
 * A second opinion on the fixtures of cfn-spec.test.ts from the Python cfn-lint, when it is
 * installed: the valid fixture must pass it, and each invalid one must fail it for the reason
 * the fixture is about. The suite never depends on cfn-lint: without it, one skipped test says
 * that this cross-check did not run and why (jest counts it as skipped, not passed).
 */
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { cfnLintPath, formatCfnLint, runCfnLint, type CfnLintMatch } from '../helpers/cfn-spec';

const FIXTURES = path.join(__dirname, '..', 'fixtures', 'cfn');
const VALID = path.join(FIXTURES, 'valid.json');
const invalidFile = (fixture: string) => path.join(FIXTURES, 'invalid', `${fixture}.json`);

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

if (cfnLint === undefined) {
  it.skip('cfn-lint cross-check of the fixture templates: skipped, cfn-lint is not on PATH', () => {});
} else {
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
      const fixtures = readdirSync(path.join(FIXTURES, 'invalid')).map((f) =>
        path.basename(f, '.json'),
      );
      const decided = [...Object.keys(expectedRule), ...notCaughtByCfnLint];
      expect(decided.sort()).toEqual(fixtures.sort());
    });
  });
}
