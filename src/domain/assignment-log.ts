/**
 * The assignment log: the outcome of each served assignment (model version, persona, distance,
 * confidence), keyed by the caller's customer id when one was given. Never the customer's attributes.
 */

export interface AssignmentLogEntry {
  modelId: string;
  personaId: string;
  /** The caller's customer id (the CRM's, not ours); null when the request gave none. */
  externalId: string | null;
  distance: number;
  /** Probability of the persona (mixtures, calibrated softmax); null when the model gives none. */
  confidence: number | null;
  unclassified: boolean;
  /** When the assignment was served (not when the log was written). */
  assignedAt: Date;
}

export interface ModelReference {
  id: string;
  name: string;
  version: number;
}

export interface PersonaReference {
  id: string;
  key: string;
  name: string;
}

/** One logged assignment of a customer, with the model version and persona that served it. */
export interface AssignmentHistoryItem {
  assignedAt: Date;
  model: ModelReference;
  persona: PersonaReference;
  distance: number;
  confidence: number | null;
  unclassified: boolean;
}

/**
 * A customer who moved between personas of one model name: two consecutive assignments by that
 * model (any versions) whose persona keys differ. Keys identify a persona across versions, so a
 * retrain that keeps the customer in "the same" persona is no migration.
 */
export interface PersonaMigration {
  modelName: string;
  /** When the customer was first seen in the new persona. */
  at: Date;
  from: { modelVersion: number; persona: PersonaReference };
  to: { modelVersion: number; persona: PersonaReference };
}

/**
 * A logged assignment whose persona key differs from that of the same customer's previous logged
 * assignment by the same model name (any version): the customer left one persona and entered another.
 */
export interface PersonaChange {
  externalId: string;
  /** The version that made the new assignment. */
  model: ModelReference;
  from: { modelVersion: number; persona: { key: string; name: string } };
  to: { modelVersion: number; persona: { key: string; name: string } };
  assignedAt: Date;
}
