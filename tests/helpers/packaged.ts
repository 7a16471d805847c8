/**
 * The real artifact: the CloudFormation template that `sls package` writes.
 * `tests/global-setup.ts` packages each stage in `PACKAGED_STAGES` once per test run into
 * `.serverless-test/<stage>/`; tests read the written template from there.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';

import type { CfnResource, CfnTemplate } from '../../lib/cloudformation';
import { slsPackage } from '../../local/sls-package';

export const ROOT = path.resolve(__dirname, '..', '..');
export const PACKAGED_STAGES = ['dev', 'prod', 'local', 'alice'] as const;
export type PackagedStage = (typeof PACKAGED_STAGES)[number];
/** The writer API key the packaged test stages pin (`API_KEY` in the env), except alice. */
export const TEST_API_KEY = 'test-api-key-0123456789abcdef';
/** A teammate's stage as packaged with no `.env.alice` and no API_KEY: a generated key. */
export const UNPINNED_STAGE: PackagedStage = 'alice';

export function packageDir(stage: string): string {
  return path.join(ROOT, '.serverless-test', stage);
}

export function templatePath(stage: string): string {
  return path.join(packageDir(stage), 'cloudformation-template-update-stack.json');
}

export function loadPackagedTemplate(stage: PackagedStage): CfnTemplate {
  return JSON.parse(readFileSync(templatePath(stage), 'utf8')) as CfnTemplate;
}

/** Resources of one CloudFormation type, by logical id. */
export function resourcesOfType(template: CfnTemplate, type: string): Record<string, CfnResource> {
  return Object.fromEntries(Object.entries(template.Resources).filter(([, r]) => r.Type === type));
}

/**
 * Packages a stage for the tests with the test API key (see local/sls-package.ts), or with
 * none for UNPINNED_STAGE, ignoring
 * any `.env.<stage>` a developer keeps in the checkout: tests see only what they pass.
 */
export async function packageStage(
  stage: string,
  outDir = packageDir(stage),
  env: NodeJS.ProcessEnv = {},
): Promise<void> {
  const apiKey = stage === UNPINNED_STAGE ? '' : TEST_API_KEY;
  await slsPackage(stage, outDir, { env: { API_KEY: apiKey, ...env }, dotenv: false });
}
