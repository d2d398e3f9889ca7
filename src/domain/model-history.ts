/**
 * The lifecycle record of a model name: who activated, rolled back or deleted which version when, and
 * the aliases (`champion`, `challenger`…) that point at its versions.
 */

/** What happened to a model name. */
export type ModelEventKind = 'activated' | 'rolled_back' | 'deleted' | 'alias_set' | 'alias_removed';

/** A version named in an event; it may have been deleted since (its history stays). */
export interface VersionReference {
  id: string;
  version: number;
}

export interface ModelEvent {
  modelName: string;
  kind: ModelEventKind;
  /**
   * activated / rolled_back: the version active before (null: none was); deleted: the deleted
   * version; alias_set: the version the alias pointed at before (null: a new alias); alias_removed:
   * the version it pointed at.
   */
  from: VersionReference | null;
  /** activated / rolled_back: the version made active; alias_set: the alias's new version; otherwise null. */
  to: VersionReference | null;
  /** The alias, for alias events. */
  alias: string | null;
  /** Name of the API key that made the change. */
  actor: string;
  /** Why the change was made against a check: the reason given to activate a version whose fairness audit did not pass in strict mode (otherwise null). */
  reason: string | null;
  /** The database's clock when the change was made. */
  at: Date;
}

export interface ModelAlias {
  modelName: string;
  alias: string;
  modelId: string;
  version: number;
  updatedAt: Date;
  updatedBy: string;
}

/**
 * Alias names: a lower-case letter, then up to 39 lower-case letters, digits, "_" or "-". Starting
 * with a letter keeps every alias apart from version numbers, so `name@2` and `name@champion` never
 * mean the same thing.
 */
export const ALIAS_PATTERN = /^[a-z][a-z0-9_-]{0,39}$/;
