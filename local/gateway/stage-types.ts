/**
 * What one pipeline stage hands the next, declared apart from the stages so that none of them
 * imports another (pipeline.ts passes each result on).
 */

/** The integration request stage's output: the body sent to the integration. */
export interface IntegrationRequest {
  body: string;
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
