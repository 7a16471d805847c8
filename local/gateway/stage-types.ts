/**
 * What one pipeline stage hands the next, declared apart from the stages so that none of them
 * imports another (pipeline.ts passes each result on).
 */

/** The integration request stage's output: the body sent to the integration, and more. */
export interface IntegrationRequest {
  /** The rendered request; empty when `prepared` carries it (a large body, see offload.ts). */
  body: string;
  /**
   * A large rendered body as a worker prepared it for the AWS integration: its UTF-8 bytes,
   * their SHA-256 for the signature, and the resource it names for the role's permissions.
   */
  prepared?: { bytes: Uint8Array; sha256: string; resource: string | undefined };
  /**
   * `Integration.RequestParameters` resolved for this request, then `$context.requestOverride`
   * from the request template on top (AWS docs, apigateway-override-request-response-parameters.md).
   */
  parameters: IntegrationParameters;
  /** `$context.responseOverride` set by the request template: applied to the final answer. */
  responseOverride: { status?: number; headers: Record<string, string> };
  /**
   * The `$context.requestOverride` / `.responseOverride` state the request template left, which
   * the response template sees (LocalStack test_integration_mock_with_request_overrides_in_response_template,
   * test_integration_mock_with_response_override_in_request_template[True], recorded on AWS).
   */
  contextOverrides: Record<string, unknown>;
}

/** What the response side needs of the integration request (also sent to a render worker). */
export type RequestOverrides = Pick<IntegrationRequest, 'responseOverride' | 'contextOverrides'>;

/** Integration request parameters by where they go, names as declared. */
export interface IntegrationParameters {
  path: Record<string, string>;
  querystring: Record<string, string>;
  header: Record<string, string>;
}

/** What the integration (DynamoDB, or a MOCK) answered. */
export interface IntegrationResult {
  status: number;
  /** Lower-cased names. */
  headers: Record<string, string>;
  body: string;
}

/** The integration response stage's output, before the method response adds AWS's headers. */
export interface MethodAnswer {
  status: number;
  headers: Record<string, string>;
  body: string;
  contentType: string;
}

/** An answer as the client receives it. */
export interface HttpAnswer {
  status: number;
  headers: Record<string, string>;
  body: string;
}
