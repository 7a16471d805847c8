/**
 * Builds a method's `IntegrationModel`: AWS (DynamoDB actions) or MOCK, its request parameters,
 * its request templates compiled up front, and its integration responses. Anything else an
 * integration may declare is refused by name.
 */
import { describeTemplateError, rememberTemplateText } from '../template-sources';
import { compileMappingTemplate } from '../vtl';
import type {
  CompiledTemplate,
  IntegrationModel,
  IntegrationRequestParameter,
  IntegrationResponseModel,
  PassthroughBehavior,
} from './api-model';
import {
  isOneOf,
  parameterAt,
  refuse,
  type CfnBoolean,
  type IntegrationProps,
  type IntegrationResponseProps,
} from './api-model-schemas';
import { compileIntegrationCredentials } from './integration-credentials';
import type { CfnTemplate } from '../../lib/cloudformation';
import { UnsupportedConstructError } from './packaged-template';

const DEFAULT_TIMEOUT_MS = 29_000;
const PASSTHROUGH_BEHAVIORS: PassthroughBehavior[] = [
  'WHEN_NO_MATCH',
  'WHEN_NO_TEMPLATES',
  'NEVER',
];

/** Compiled templates by their text: a reload, or a test building many variants, compiles each once. */
const compiledTemplates = new Map<string, CompiledTemplate>();

function compiledTemplate(text: string): CompiledTemplate {
  let compiled = compiledTemplates.get(text);
  if (!compiled) {
    compiled = compileMappingTemplate(text);
    if (compiledTemplates.size >= 256) compiledTemplates.clear();
    compiledTemplates.set(text, compiled);
  }
  return compiled;
}

function compileTemplates(
  where: string,
  templates: Record<string, string>,
): Record<string, CompiledTemplate> {
  const compiled: Record<string, CompiledTemplate> = {};
  for (const [contentType, text] of Object.entries(templates)) {
    try {
      compiled[contentType] = compiledTemplate(text);
      rememberTemplateText(compiled[contentType], text);
    } catch (err) {
      // Names the vtl/ file and line the packaged text came from (template-sources.ts).
      throw new UnsupportedConstructError(
        `${where}.${contentType}: the mapping template cannot run locally: ${describeTemplateError(text, err)}`,
      );
    }
  }
  return compiled;
}

/**
 * `integration.request.<where>.<name>` ← `method.request.<where>.<name>` or `'static'`. As on
 * AWS, a method request parameter used as a source must be declared in the method's
 * `RequestParameters` (PutIntegration answers "Invalid mapping expression specified" otherwise;
 * AWS docs, request-response-data-mappings.md).
 */
function buildRequestParameters(
  where: string,
  parameters: Record<string, string>,
  declared: Record<string, CfnBoolean>,
): IntegrationRequestParameter[] {
  return Object.entries(parameters).map(([target, source]) => {
    const at = `RequestParameters.${target}`;
    const to = parameterAt(target, 'integration.request.');
    if (!to) refuse(where, at, `the request parameter target ${target}`);
    const literal = /^'(.*)'$/s.exec(source);
    if (literal) return { ...to, source: { kind: 'static', value: literal[1] } };
    const from = parameterAt(source, 'method.request.');
    if (!from) refuse(where, at, `the request parameter source ${source}`);
    if (!Object.hasOwn(declared, source)) {
      refuse(where, at, `${source}, which the method's RequestParameters do not declare,`);
    }
    return { ...to, source: { kind: 'method', ...from } };
  });
}

export function buildIntegration(
  template: CfnTemplate,
  where: string,
  props: IntegrationProps,
  methodParameters: Record<string, CfnBoolean> = {},
): IntegrationModel {
  if (props.ConnectionType !== undefined && props.ConnectionType !== 'INTERNET') {
    refuse(where, 'ConnectionType', `ConnectionType ${props.ConnectionType}`);
  }
  const passthroughBehavior = props.PassthroughBehavior ?? 'WHEN_NO_MATCH';
  if (!isOneOf(PASSTHROUGH_BEHAVIORS, passthroughBehavior)) {
    refuse(where, 'PassthroughBehavior', `PassthroughBehavior ${passthroughBehavior}`);
  }
  const timeoutMs = Number(props.TimeoutInMillis ?? DEFAULT_TIMEOUT_MS);
  // API Gateway's range for TimeoutInMillis (50 ms to 29 s by default).
  if (!Number.isInteger(timeoutMs) || timeoutMs < 50) {
    refuse(where, 'TimeoutInMillis', `the timeout ${JSON.stringify(props.TimeoutInMillis)}`);
  }
  const common = {
    timeoutMs,
    passthroughBehavior,
    requestParameters: buildRequestParameters(
      where,
      props.RequestParameters ?? {},
      methodParameters,
    ),
    requestTemplates: compileTemplates(`${where}.RequestTemplates`, props.RequestTemplates ?? {}),
    responses: (props.IntegrationResponses ?? []).map((response, i) =>
      buildIntegrationResponse(`${where}.IntegrationResponses[${i}]`, response),
    ),
  };
  switch (props.Type) {
    case 'MOCK':
      return { type: 'MOCK', ...common };
    case 'AWS': {
      const uri = props.Uri ?? '';
      const match = /^arn:aws:apigateway:[a-z0-9-]+:dynamodb:action\/([A-Za-z]+)$/.exec(uri);
      if (!match)
        refuse(where, 'Uri', `the AWS service integration ${uri} (only DynamoDB actions)`);
      if (props.IntegrationHttpMethod !== 'POST') {
        refuse(
          where,
          'IntegrationHttpMethod',
          `${String(props.IntegrationHttpMethod)} to DynamoDB (it takes POST)`,
        );
      }
      const credentials = compileIntegrationCredentials(
        template,
        where,
        props.Credentials,
        match[1],
      );
      return { type: 'AWS', action: match[1], credentials, ...common };
    }
    default:
      refuse(where, 'Type', `the integration type ${props.Type}`);
  }
}

function buildIntegrationResponse(
  where: string,
  props: IntegrationResponseProps,
): IntegrationResponseModel {
  const parameters = props.ResponseParameters ?? {};
  for (const [target, source] of Object.entries(parameters)) {
    if (!target.startsWith('method.response.header.')) {
      refuse(where, `ResponseParameters.${target}`, 'this response parameter target');
    }
    if (!/^'.*'$/s.test(source) && !/^integration\.response\.header\./.test(source)) {
      refuse(where, `ResponseParameters.${target}`, `the source ${source}`);
    }
  }
  const statusCode = Number(props.StatusCode);
  if (!Number.isInteger(statusCode) || statusCode < 100 || statusCode > 599) {
    refuse(where, 'StatusCode', `the status ${JSON.stringify(props.StatusCode)}`);
  }
  let selectionPattern: RegExp | undefined;
  if (props.SelectionPattern !== undefined && props.SelectionPattern !== '') {
    try {
      // Full match of the backend's status code: Java's String.matches (docs/local-stage.md).
      selectionPattern = new RegExp(`^(?:${props.SelectionPattern})$`, 's');
    } catch (err) {
      refuse(where, 'SelectionPattern', `the pattern (${(err as Error).message})`);
    }
  }
  return {
    statusCode,
    selectionPattern,
    responseParameters: parameters,
    responseTemplates: compileTemplates(
      `${where}.ResponseTemplates`,
      props.ResponseTemplates ?? {},
    ),
  };
}
