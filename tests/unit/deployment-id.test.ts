/**
 * The deployment's logical id changes exactly when the API definition changes: CloudFormation
 * then creates a new deployment (a changed id), and leaves it alone otherwise.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

import { apiDefinitionHash, assignDeploymentId } from '../../plugins/api-deployment-id';
import type { CfnTemplate } from '../../lib/cloudformation';
import { loadPackagedTemplate, packageStage, resourcesOfType } from '../helpers/packaged';

const deploymentIdOf = (template: CfnTemplate) =>
  Object.keys(resourcesOfType(template, 'AWS::ApiGateway::Deployment'))[0];

/** The packaged template as it was before the plugin renamed the deployment. */
function unrenamed(template: CfnTemplate): CfnTemplate {
  const id = deploymentIdOf(template);
  return JSON.parse(JSON.stringify(template).split(`"${id}"`).join('"ApiDeployment"'));
}

const dev = loadPackagedTemplate('dev');

describe('deployment logical id', () => {
  it('is the same when the same service is packaged again', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'deployment-id-'));
    try {
      await packageStage('dev', dir);
      const again = JSON.parse(
        await readFile(path.join(dir, 'cloudformation-template-update-stack.json'), 'utf8'),
      ) as CfnTemplate;
      expect(deploymentIdOf(again)).toBe(deploymentIdOf(dev));
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('is what assignDeploymentId computes from the API resources', () => {
    const template = unrenamed(dev);
    expect(assignDeploymentId(template)).toBe(deploymentIdOf(dev));
    expect(template.Resources.ApiStage.Properties?.DeploymentId).toEqual({
      Ref: deploymentIdOf(dev),
    });
    expect(template.Resources.ApiDeployment).toBeUndefined();
  });

  type Edit = (t: CfnTemplate) => void;
  const setIn = (t: CfnTemplate, id: string, apply: (props: any) => void) =>
    apply(t.Resources[id].Properties);

  it.each<[string, Edit]>([
    [
      'a request template',
      (t) =>
        setIn(t, 'GetItemMethod', (p) => {
          p.Integration.RequestTemplates['application/json'] += '\n## changed';
        }),
    ],
    [
      'a response template',
      (t) =>
        setIn(t, 'GetItemsMethod', (p) => {
          p.Integration.IntegrationResponses[0].ResponseTemplates['application/json'] = '{}';
        }),
    ],
    [
      'a selection pattern',
      (t) =>
        setIn(t, 'PutItemMethod', (p) => {
          p.Integration.IntegrationResponses[1].SelectionPattern = '4\\d\\d';
        }),
    ],
    [
      'the CORS origin',
      (t) =>
        setIn(t, 'ItemOptionsMethod', (p) => {
          p.Integration.IntegrationResponses[0].ResponseParameters[
            'method.response.header.Access-Control-Allow-Origin'
          ] = "'https://example.com'";
        }),
    ],
    ['a path part', (t) => setIn(t, 'ItemResource', (p) => (p.PathPart = '{key}'))],
    ['the body model', (t) => setIn(t, 'ItemModel', (p) => (p.Schema.required = ['x']))],
    [
      'a gateway response',
      (t) => setIn(t, 'GatewayResponseDefault4xx', (p) => (p.ResponseTemplates = {})),
    ],
    ['an API key requirement', (t) => setIn(t, 'GetItemMethod', (p) => (p.ApiKeyRequired = true))],
  ])('changes when %s changes', (_what, edit) => {
    const template = unrenamed(dev);
    edit(template);
    expect(assignDeploymentId(template)).not.toBe(deploymentIdOf(dev));
  });

  it.each<[string, Edit]>([
    ['the table billing', (t) => setIn(t, 'ConfigTable', (p) => (p.BillingMode = 'PROVISIONED'))],
    ['stage throttling', (t) => setIn(t, 'ApiStage', (p) => (p.MethodSettings = []))],
    ['a role policy', (t) => setIn(t, 'ApiReadRole', (p) => (p.Policies = []))],
    ['the usage plan', (t) => setIn(t, 'UsagePlan', (p) => (p.Quota.Limit = 1))],
    ['an output', (t) => delete t.Outputs?.TableName],
  ])('stays when only %s changes', (_what, edit) => {
    const template = unrenamed(dev);
    edit(template);
    expect(assignDeploymentId(template)).toBe(deploymentIdOf(dev));
  });

  it('does not depend on the order of keys', () => {
    const reversed = (value: unknown): unknown =>
      Array.isArray(value)
        ? value.map(reversed)
        : value && typeof value === 'object'
          ? Object.fromEntries(
              Object.entries(value)
                .reverse()
                .map(([k, v]) => [k, reversed(v)]),
            )
          : value;
    const template = unrenamed(dev);
    expect(apiDefinitionHash(reversed(template.Resources) as CfnTemplate['Resources'])).toBe(
      apiDefinitionHash(template.Resources),
    );
  });
});
