import { PACKAGED_STAGES, packageStage } from './helpers/packaged';

/** Packages every stage the tests read, once per `jest` run, in parallel. */
export default async function globalSetup(): Promise<void> {
  await Promise.all(PACKAGED_STAGES.map((stage) => packageStage(stage)));
}
