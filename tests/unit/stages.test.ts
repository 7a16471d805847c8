/** `--stage` isolates everything: two stages' templates share no physical name. */
import type { CfnTemplate } from '../../lib/cloudformation';
import { loadPackagedTemplate } from '../helpers/packaged';

/** Properties that become a physical name (or a name unique per account/region). */
const NAME_PROPERTIES = [
  'TableName',
  'Name',
  'UsagePlanName',
  'LogGroupName',
  'StageName',
  'RoleName',
  'BucketName',
];

function physicalNames(template: CfnTemplate): string[] {
  const names: string[] = [];
  for (const [id, resource] of Object.entries(template.Resources)) {
    // Names scoped inside the stage's own REST API cannot collide with another API's.
    if (['AWS::ApiGateway::Model', 'AWS::ApiGateway::RequestValidator'].includes(resource.Type))
      continue;
    for (const key of NAME_PROPERTIES) {
      const value = resource.Properties?.[key];
      if (typeof value === 'string') names.push(`${id}.${key}=${value}`);
    }
  }
  for (const output of Object.values(template.Outputs ?? {})) {
    const exported = (output.Export as { Name?: string } | undefined)?.Name;
    if (exported) names.push(`export=${exported}`);
  }
  return names;
}

describe('stages', () => {
  const dev = loadPackagedTemplate('dev');
  const alice = loadPackagedTemplate('alice');

  it('name the table, API, key, usage plan and stage after the stage', () => {
    const names = physicalNames(alice).join('\n');
    expect(names).toContain('ConfigTable.TableName=config-store-alice');
    expect(names).toContain('RestApi.Name=config-store-alice');
    expect(names).toContain('WriterApiKey.Name=config-store-alice-writer');
    expect(names).toContain('UsagePlan.UsagePlanName=config-store-alice');
    expect(names).toContain('ApiStage.StageName=alice');
  });

  it('share no physical name', () => {
    const values = (t: CfnTemplate) => new Set(physicalNames(t).map((n) => n.split('=')[1]));
    const shared = [...values(dev)].filter((name) => values(alice).has(name));
    expect(shared).toEqual([]);
  });
});
