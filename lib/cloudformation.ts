/**
 * The CloudFormation template, one type for everyone who writes or reads it: resources/ builds
 * its fragments with it, the local stage reads the packaged template with it, the plugins and the
 * tests inspect it with it.
 */

/** A resource as written into the packaged template. */
export interface CfnResource {
  Type: string;
  Properties?: Record<string, unknown>;
  /** CloudFormation also takes one string; this project always writes a list (Serverless's type). */
  DependsOn?: string[];
  DeletionPolicy?: 'Delete' | 'Retain' | 'Snapshot' | 'RetainExceptOnCreate';
  UpdateReplacePolicy?: 'Delete' | 'Retain' | 'Snapshot';
  Condition?: string;
}

export type CfnResources = Record<string, CfnResource>;

export interface CfnTemplate {
  AWSTemplateFormatVersion?: string;
  Description?: string;
  Parameters?: Record<string, { Default?: unknown; Type?: string }>;
  Conditions?: Record<string, unknown>;
  Resources: CfnResources;
  Outputs?: Record<string, { Value: unknown; Description?: string; Export?: unknown }>;
}
