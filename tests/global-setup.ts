import { PACKAGED_STAGES, packageStage } from './helpers/packaged';
// Test workers and the processes they start inherit it (setup-env.ts sets it in each worker too).
import './setup-env';

/** Packages every stage the tests read, once per `jest` run, in parallel. */
export default async function globalSetup(): Promise<void> {
  await Promise.all(PACKAGED_STAGES.map((stage) => packageStage(stage)));
}
