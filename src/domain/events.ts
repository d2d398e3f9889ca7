/**
 * Events the service publishes to webhook subscribers. Every event has the same envelope,
 * `{ id, type, occurredAt, data }`; `data` depends on the type. Events name models and personas by
 * id, name, version and key, never a customer's attributes.
 */

/** Every event type a subscription may ask for, including those not emitted yet. */
export const EVENT_TYPES = ['model.trained', 'model.activated', 'model.drift_detected', 'job.failed', 'customer.persona_changed'] as const;

export type EventType = (typeof EVENT_TYPES)[number];

export interface ModelRef {
  id: string;
  name: string;
  version: number;
}

export interface PersonaRef {
  key: string;
  name: string;
}

export interface ModelTrainedData {
  model: ModelRef;
  algorithm: string;
  /** Number of personas of the new version. */
  personas: number;
}

export interface ModelActivatedData {
  model: ModelRef;
  /** The version active before (null: none was). */
  previous: ModelRef | null;
  /** A plain activation, or a return to the previously active version. */
  reason: 'activation' | 'rollback';
}

/** A version's last 24 hours of traffic drifted: the window and the features at PSI 0.1 or more. */
export interface ModelDriftDetectedData {
  model: ModelRef;
  verdict: 'drifted';
  /** The window of /v1/assign traffic compared with the training distributions (ISO 8601). */
  window: { from: string; to: string };
  observations: number;
  features: Array<{ feature: string; psi: number; verdict: 'watch' | 'drifted' }>;
  personas: { psi: number | null };
}

export interface JobFailedData {
  job: { id: string; kind: 'train' };
  error: string;
}

/**
 * A customer (by the caller's id) was assigned a persona whose key differs from that of the same
 * customer's previous assignment by the same model name (keys identify a persona across versions).
 */
export interface CustomerPersonaChangedData {
  externalId: string;
  /** The version that made the new assignment. */
  model: ModelRef;
  from: { modelVersion: number; persona: PersonaRef };
  to: { modelVersion: number; persona: PersonaRef };
  assignedAt: string;
}

export interface EventDataByType {
  'model.trained': ModelTrainedData;
  'model.activated': ModelActivatedData;
  'model.drift_detected': ModelDriftDetectedData;
  'job.failed': JobFailedData;
  'customer.persona_changed': CustomerPersonaChangedData;
}

/** An event as delivered: `occurredAt` is ISO 8601 (UTC). */
export type ServiceEvent = { [T in EventType]: { id: string; type: T; occurredAt: string; data: EventDataByType[T] } }[EventType];

/** What a publisher is handed: the type and its data; it stamps the id and, unless given, the time. */
export type NewEvent = { [T in EventType]: { type: T; data: EventDataByType[T]; occurredAt?: Date } }[EventType];

/**
 * Publishes events to subscribers. `publish` stores the deliveries and returns; subscribers are
 * called later, in the background. It never rejects: an event that cannot be stored is logged and lost,
 * so a publisher never fails the operation that raised the event.
 */
export interface EventPublisher {
  publish(...events: NewEvent[]): Promise<void>;
}

/** A publisher that drops everything: for tools and tests that have no subscribers. */
export const NO_EVENTS: EventPublisher = { publish: async () => {} };

export function isEventType(value: string): value is EventType {
  return (EVENT_TYPES as readonly string[]).includes(value);
}

/** The reference events carry for a model version. */
export function modelRefOf(model: { id: string; name: string; version: number }): ModelRef {
  return { id: model.id, name: model.name, version: model.version };
}
