/**
 * The templates `sls package` writes for every stage are valid CloudFormation: checked offline
 * against the resource specification, and by cfn-lint as well when it is installed.
 */
import { cfnLintPath, formatCfnLint, runCfnLint, validateTemplate } from '../helpers/cfn-spec';
import { PACKAGED_STAGES, loadPackagedTemplate, templatePath } from '../helpers/packaged';

describe('packaged templates against the CloudFormation resource specification', () => {
  it.each(PACKAGED_STAGES)('stage %s has no spec errors', (stage) => {
    expect(validateTemplate(loadPackagedTemplate(stage))).toEqual([]);
  });
});

/**
 * cfn-lint rules that are false positives for this project, each with the reason.
 * - W8003 (Fn::Equals always true/false): per-stage switches such as `AccessLogs` are
 *   `Fn::Equals: ['${param:accessLogs}', true]`; Serverless resolves the param at package
 *   time, so each stage's template holds a constant condition by design: the template keeps
 *   the same shape on every stage and only the condition's value differs.
 */
const IGNORED_CFN_LINT_RULES = ['W8003'];

const cfnLint = cfnLintPath();

// cfn-lint comes from PyPI; where it is missing, the spec check above is the validation.
if (cfnLint !== undefined) {
  describe(`cfn-lint (${cfnLint}) on the packaged templates`, () => {
    const files = PACKAGED_STAGES.map((stage) => templatePath(stage));
    let report: Awaited<ReturnType<typeof runCfnLint>>;

    beforeAll(async () => {
      // One cfn-lint process for all stages: its start-up, not the linting, is the slow part.
      report = await runCfnLint(files, IGNORED_CFN_LINT_RULES);
    });

    it.each(PACKAGED_STAGES)('stage %s has no cfn-lint error or warning', (stage) => {
      const file = templatePath(stage);
      expect(formatCfnLint(report.filter((m) => m.file === file))).toBe('');
    });
  });
}
