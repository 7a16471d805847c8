/**
 * Which AWS region a stage lives in, decided the way the deploy decided it: serverless.ts
 * deploys to `AWS_REGION` (the environment first, then `.env.<stage>`), else DEFAULT_REGION.
 * `--region` overrides everything, for a stack deployed with `sls deploy --region`.
 */

import { DEFAULT_REGION } from '../../lib/aws-constants';

export interface ResolvedRegion {
  region: string;
  /** Where the value came from, printed so that a wrong region is easy to spot. */
  source: string;
}

export function resolveRegion(opts: {
  flag?: string;
  env: NodeJS.ProcessEnv;
  stageEnv: Record<string, string>;
  stage?: string;
  /** The file `stageEnv` came from (`.env.<stage>` or `.env`). */
  stageEnvFile?: string;
}): ResolvedRegion {
  if (opts.flag) return { region: opts.flag, source: '--region' };
  if (opts.env.AWS_REGION) return { region: opts.env.AWS_REGION, source: 'AWS_REGION' };
  if (opts.stageEnv.AWS_REGION) {
    const file = opts.stageEnvFile ?? `.env.${opts.stage}`;
    return { region: opts.stageEnv.AWS_REGION, source: `AWS_REGION in ${file}` };
  }
  return { region: DEFAULT_REGION, source: 'default of serverless.ts' };
}
