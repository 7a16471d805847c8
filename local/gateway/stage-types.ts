/**
 * What one pipeline stage hands the next, declared apart from the stages so that none of them
 * imports another (pipeline.ts passes each result on).
 */

/** The integration request stage's output: the body sent to the integration. */
export interface IntegrationRequest {
  /** The rendered request; empty when `prepared` carries it (a large body, see offload.ts). */
  body: string;
  /**
   * A large rendered body as a worker prepared it for the AWS integration: its UTF-8 bytes,
   * their SHA-256 for the signature, and the resource it names for the role's permissions.
   */
  prepared?: { bytes: Uint8Array; sha256: string; resource: string | undefined };
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
