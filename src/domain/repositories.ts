/**
 * Contracts between services and persistence, in the service's own types (no Prisma types here).
 * src/db implements them; services receive them by constructor.
 */
import type { Schedule } from './schedules.ts';
import type { AuditEntry, AuditFilter, NewAuditEntry, UnsealedAuditEntry } from './audit.ts';
import type { JobRecord } from './jobs.ts';
import type { ApiKeyRecord, ApiKeyScope } from './api-key.ts';
import type { AssignmentHistoryItem, AssignmentLogEntry, PersonaChange } from './assignment-log.ts';
import type { ColumnRequest, CustomerTable } from './customer-table.ts';
import type { CustomerAttributes, DatasetSummary, NewDataset, NewInteraction, NewProduct } from './dataset.ts';
import type { DataQualityReport } from './data-quality.ts';
import type { FairnessAudit, HighCostProduct } from './fairness.ts';
import type { FeatureSchema, ModelArtifacts, ModelMetrics, ModelParameters, ModelStatus, ModelSummary, StoredModel } from './model.ts';
import type { ModelAlias, ModelEvent } from './model-history.ts';
import type { NewPersona, NewRecommendation, Persona, PersonaEdits, RankingRule, Recommendation, Strategy } from './persona.ts';
import type { ServiceEvent } from './events.ts';
import type { ClaimedDelivery, DeliveryOutcome, NewWebhookSubscription, WebhookDelivery, WebhookDeliveryStatus, WebhookSubscription } from './webhook.ts';

export interface Page {
  limit: number;
  offset: number;
}

export interface DatasetRepository {
  /** Stores the dataset with all its rows in one transaction. */
  create(dataset: NewDataset): Promise<DatasetSummary>;
  findById(id: string): Promise<DatasetSummary | null>;
  list(page: Page): Promise<{ items: DatasetSummary[]; total: number }>;
  /** Adds products (and their interactions) to an existing dataset in one transaction. */
  addProducts(datasetId: string, products: NewProduct[], interactions: NewInteraction[]): Promise<DatasetSummary>;
  /** External ids of the given customers/products that the dataset does not hold. */
  findUnknownReferences(
    datasetId: string,
    customerExternalIds: string[],
    productExternalIds: string[],
  ): Promise<{ customers: string[]; products: string[] }>;
  /** The requested columns of every customer (in id order), streamed into typed arrays chunk by chunk. */
  loadCustomerTable(datasetId: string, columns: readonly ColumnRequest[], expectedSize: number): Promise<CustomerTable>;
  /** Distinct (customer, product) purchase pairs of the dataset, by customer database id. */
  loadPurchases(datasetId: string): Promise<{ customerIds: Float64Array; productIds: bigint[] }>;
  /**
   * Up to `limit` customers of the dataset with a database id above `afterId` (null: from the first),
   * in id order, with their attributes as uploaded: keyset pages, so every page costs the same.
   */
  pageCustomers(datasetId: string, afterId: string | null, limit: number): Promise<StoredCustomer[]>;
  /** The stored data-quality report; null when the dataset has none yet (uploaded before reports existed) or does not exist. */
  findQuality(datasetId: string): Promise<DataQualityReport | null>;
  /** Stores the report of a dataset that had none; returns the stored one (an earlier writer's, if it won). */
  saveQuality(datasetId: string, report: DataQualityReport): Promise<DataQualityReport>;
  /** Products of the dataset marked high-cost: attribute `highCost` or `high_cost` true (or "true", "yes", 1), or an external id in `externalIds`. */
  findHighCostProducts(datasetId: string, externalIds: readonly string[]): Promise<HighCostProduct[]>;
}

/** A customer as stored: database id (a bigint, as decimal text), external id and attributes as uploaded. */
export interface StoredCustomer {
  id: string;
  externalId: string;
  attributes: CustomerAttributes;
}

export interface NewModel {
  name: string;
  algorithm: ModelParameters['algorithm'];
  parameters: ModelParameters;
  featureSchema: FeatureSchema;
  centroids: { data: Float64Array; rows: number; cols: number };
  metrics: ModelMetrics;
  artifacts: ModelArtifacts;
  datasetId: string;
  personas: Array<NewPersona & { recommendations: NewRecommendation[] }>;
  /**
   * The background job that trained it: the job is marked completed with this model in the same
   * transaction, and a job that already has a model makes the save fail (ConflictError), so a job
   * retried after its replica died never stores two models.
   */
  jobId?: string | undefined;
  /** The fairness audit (null or absent: not audited, no protected attribute declared). */
  fairness?: FairnessAudit | null | undefined;
}

export interface ModelFilter {
  name?: string;
  status?: ModelStatus;
}

export interface ModelRepository {
  /** Stores a new version (next version number under its name) with personas and recommendations, atomically. */
  create(model: NewModel): Promise<ModelSummary>;
  findById(id: string): Promise<ModelSummary | null>;
  findByNameAndVersion(name: string, version: number): Promise<ModelSummary | null>;
  list(filter: ModelFilter, page: Page): Promise<{ items: ModelSummary[]; total: number }>;
  /** Full model for serving. */
  loadStored(id: string): Promise<StoredModel | null>;
  /** The model's artifacts (thresholds, algorithm internals, 2-D map). */
  findArtifacts(id: string): Promise<ModelArtifacts | null>;
  /**
   * What serving depends on, cheaply (no centroids or artifacts): every active version and those of
   * `otherIds` that still exist, each with its activation time and personas in index order.
   */
  listServingState(otherIds: readonly string[]): Promise<ModelServingState[]>;
  /**
   * Makes `id` the only active version of its name in one transaction; the previously active
   * version becomes inactive. The activation time is the database's clock, so activations of one
   * name are ordered the same on every replica. Announces the change to other replicas on commit.
   * Returns the activated model and the one it replaced. Records an `activated` event by `actor`.
   */
  activate(id: string, actor: string, reason?: string | null): Promise<ActivationChange>;
  /** The stored fairness audit: `audit` null when the model was not audited; null when the model does not exist. */
  findFairness(id: string): Promise<{ audit: FairnessAudit | null } | null>;
  /**
   * Activates the version of `name` that was active before the current one, like `activate`, and
   * records a `rolled_back` event: the `from` versions of the name's activation and rollback events,
   * newest first, are the versions previously active; the first that still exists and is not active
   * is chosen (so a second rollback returns to the version the first left). Throws NotFoundError
   * when the name has no version, ConflictError when no previous version is left.
   */
  rollback(name: string, actor: string): Promise<ActivationChange>;
  /**
   * Deletes a non-active version (announced on commit); throws ConflictError for the active one.
   * Records a `deleted` event, and an `alias_removed` event for each alias that pointed at it.
   */
  delete(id: string, actor: string): Promise<void>;
  /** Events of a model name, newest first. */
  history(name: string, page: Page): Promise<{ items: ModelEvent[]; total: number }>;
  /** Aliases of one name (by alias), or of every name. */
  listAliases(name?: string): Promise<ModelAlias[]>;
  findAlias(name: string, alias: string): Promise<ModelAlias | null>;
  /**
   * Points `alias` of `name` at version `modelId` (which must be a version of `name`, else
   * ConflictError), records an `alias_set` event and announces the change; nothing happens when it
   * already points there. Returns the alias and the version it pointed at before.
   */
  setAlias(name: string, alias: string, modelId: string, actor: string): Promise<{ alias: ModelAlias; previous: ModelAlias | null }>;
  /** Removes the alias (recorded and announced); returns what it pointed at, null when it did not exist. */
  removeAlias(name: string, alias: string, actor: string): Promise<ModelAlias | null>;
}

/** An activation or rollback: the version made active and the one it replaced. */
export interface ActivationChange {
  activated: ModelSummary;
  previous: ModelSummary | null;
}

/** The fields of a stored version that a compiled model depends on and that can change after training. */
export interface ModelServingState {
  id: string;
  name: string;
  isActive: boolean;
  activatedAt: Date | null;
  personas: Array<{ id: string; key: string; name: string }>;
}

/** A change to what replicas serve, announced by the replica that committed it. */
export interface ModelChange {
  /** alias: an alias was set or removed (modelId: the version it points, or pointed, at). */
  kind: 'activated' | 'edited' | 'deleted' | 'alias';
  modelId: string;
  /** The announcing replica; null for a process that serves nothing. */
  replica: string | null;
}

/**
 * Changes committed by other replicas, delivered as they commit. A feed can miss changes while it is
 * disconnected, so it asks for a full check (`onResync`) each time it (re)connects.
 */
export interface ModelChangeFeed {
  /** Returns a function that ends the subscription. */
  subscribe(listener: { onChange(change: ModelChange): void; onResync(): void }): () => void;
  close(): Promise<void>;
}

export interface PersonaEdit {
  name?: string | undefined;
  description?: string | undefined;
  strategies?: Strategy[] | undefined;
  edits: PersonaEdits;
}

export interface PersonaRepository {
  listByModel(modelId: string): Promise<Persona[]>;
  findById(id: string): Promise<Persona | null>;
  /** Applies a human edit (announced to other replicas on commit); throws ConflictError when the name is taken in the model. */
  update(id: string, edit: PersonaEdit): Promise<Persona>;
  /** The persona's stored products with at least `minSupport` persona buyers, a page of them in `rankBy` order. */
  recommendations(personaId: string, options: { minSupport: number; rankBy: RankingRule } & Page): Promise<{ items: Recommendation[]; total: number }>;
}

/** What a model's dataset records about one customer's holdings and some product ids. */
export interface HoldingsLookup {
  /** Whether the customer external id exists in the dataset (false when none was asked). */
  isCustomerKnown: boolean;
  /** External ids of the products the customer bought, according to the dataset's interactions. */
  heldProductIds: string[];
  /** Those of the asked product external ids that the dataset does not hold. */
  unknownProductIds: string[];
}

export interface RecommendationRepository {
  /** Every stored recommendation of the persona, in rank (lift) order; empty for an unknown persona. */
  listForPersona(personaId: string): Promise<Recommendation[]>;
  /** Holdings of a customer (by external id, or none) and unknown product ids, in the model's dataset, in one query. */
  findHoldings(modelId: string, customerExternalId: string | null, productExternalIds: readonly string[]): Promise<HoldingsLookup>;
}

export interface ApiKeyRepository {
  create(key: { name: string; prefix: string; hash: string; scopes: ApiKeyScope[] }): Promise<ApiKeyRecord>;
  findActiveByHash(hash: string): Promise<ApiKeyRecord | null>;
  list(page: Page): Promise<{ items: ApiKeyRecord[]; total: number }>;
  revoke(id: string): Promise<ApiKeyRecord | null>;
  countActive(): Promise<number>;
  touch(id: string, at: Date): Promise<void>;
}

export interface AssignmentLogRepository {
  /**
   * Writes the entries in one multi-row INSERT, in the given order. Entries whose persona no longer
   * exists (its model version was deleted while they waited) are skipped. Returns the rows written.
   */
  insertMany(entries: readonly AssignmentLogEntry[]): Promise<number>;
  /** A customer's logged assignments, newest first, optionally only by versions of one model name. */
  historyOf(externalId: string, options: { modelName?: string | undefined } & Page): Promise<{ items: AssignmentHistoryItem[]; total: number }>;
}

/** The assignment log's write that also finds customers who changed persona (customer.persona_changed). */
export interface PersonaChangeLog {
  /**
   * Writes the entries like AssignmentLogRepository.insertMany and, in the same statement, returns
   * the written entries with an external id whose persona key differs from the same customer's
   * previous entry by the same model name, in record order. Finds none (and costs nothing extra)
   * while no active webhook subscription asks for customer.persona_changed.
   */
  insertManyReportingPersonaChanges(entries: readonly AssignmentLogEntry[]): Promise<{ written: number; changes: PersonaChange[] }>;
}

export interface WebhookRepository {
  createSubscription(subscription: NewWebhookSubscription): Promise<WebhookSubscription>;
  findSubscription(id: string): Promise<WebhookSubscription | null>;
  listSubscriptions(page: Page): Promise<{ items: WebhookSubscription[]; total: number }>;
  /** Deletes the subscription and its deliveries; false when it did not exist. */
  deleteSubscription(id: string): Promise<boolean>;
  /** One pending delivery per event and active subscription asking for its type, in one INSERT … SELECT. Returns the deliveries created. */
  enqueue(events: readonly ServiceEvent[]): Promise<number>;
  /**
   * Claims up to `limit` pending deliveries that are due (FOR UPDATE SKIP LOCKED, so concurrent
   * dispatchers never claim the same one): counts the attempt and leases the delivery for `leaseMs`
   * (its next attempt moves past the lease, so a dispatcher that dies mid-attempt leaves it to another).
   */
  claimDue(limit: number, leaseMs: number): Promise<ClaimedDelivery[]>;
  recordOutcome(deliveryId: string, outcome: DeliveryOutcome): Promise<void>;
  listDeliveries(subscriptionId: string, filter: { status?: WebhookDeliveryStatus | undefined }, page: Page): Promise<{ items: WebhookDelivery[]; total: number }>;
  /** Makes a delivery of the subscription pending again, due now, with its attempts reset; null when there is none. */
  redeliver(subscriptionId: string, deliveryId: string): Promise<WebhookDelivery | null>;
}

export interface HealthRepository {
  /** Resolves when the database answers a trivial query. */
  ping(): Promise<void>;
}

/** Serving counts of one model, hour, feature and bin (feature '' holds the persona counts). */
export interface DriftCountRow {
  modelId: string;
  hour: Date;
  feature: string;
  bin: number;
  count: number;
}

export interface DriftRepository {
  /** Adds the counts to those already stored for the same model, hour, feature and bin (other replicas' too). */
  addCounts(rows: readonly DriftCountRow[]): Promise<void>;
  /** Counts per feature and bin summed over the hours in [from, to). */
  sumCounts(modelId: string, from: Date, to: Date): Promise<Array<{ feature: string; bin: number; count: number }>>;
  /** Records the day's drift alert for the model; true for the one caller that recorded it, false when it existed. */
  claimAlert(modelId: string, day: string): Promise<boolean>;
}

export interface JobRepository {
  create(job: { id: string; kind: JobRecord['kind']; request: Record<string, unknown>; createdBy: string; activationPolicy: JobRecord['activationPolicy'] }): Promise<JobRecord>;
  /** Completes a job whose activation policy was applied, with what it decided. */
  completeWithActivation(id: string, note: string): Promise<void>;
  findById(id: string): Promise<JobRecord | null>;
  /** Counts an attempt and marks the job running (unless it was cancelled meanwhile); returns the job as it is now. */
  startAttempt(id: string): Promise<JobRecord | null>;
  updateProgress(id: string, phase: string, progress: Record<string, unknown>): Promise<{ cancelRequested: boolean }>;
  /** A failed or cancelled end; a completed end is written with the model (NewModel.jobId). */
  finish(id: string, status: 'failed' | 'cancelled', error: JobRecord['error']): Promise<void>;
  /** Back to queued after an attempt failed unexpectedly and will be retried. */
  requeue(id: string, error: JobRecord['error']): Promise<void>;
  /** Cancels a queued job at once, or asks a running one to stop; null when the job does not exist. */
  requestCancel(id: string): Promise<JobRecord | null>;
}

/** The distributed queue: any replica may take a job; one whose replica died is retried once. */
export interface JobQueue {
  enqueue(jobId: string): Promise<void>;
  /** Takes jobs on this replica, at most `concurrency` at a time, until stop. */
  work(handler: (jobId: string) => Promise<void>, concurrency: number): Promise<void>;
  /** Removes a queued job from the queue. */
  cancel(jobId: string): Promise<void>;
  stop(): Promise<void>;
}

export interface ScheduleRepository {
  /** Creates or replaces the schedule of a model name. */
  save(schedule: Omit<Schedule, 'createdAt' | 'lastRunAt' | 'lastJobId'>): Promise<Schedule>;
  list(): Promise<Schedule[]>;
  find(modelName: string): Promise<Schedule | null>;
  delete(modelName: string): Promise<boolean>;
  /**
   * The schedules due at `now`, each moved on to its next run in the same transaction (rows locked
   * with SKIP LOCKED, so two replicas never fire one run twice).
   */
  claimDue(now: Date, nextRunAfter: (cron: string, after: Date) => Date): Promise<Schedule[]>;
  recordRun(modelName: string, at: Date, jobId: string | null): Promise<void>;
  /** The newest dataset with this name. */
  newestDatasetNamed(name: string): Promise<string | null>;
}

export interface AuditRepository {
  /**
   * Appends an entry at the end of the chain. Under a transaction-level advisory lock (one writer at
   * a time, across replicas) it reads the newest entry's hash, takes the next id and the database's
   * clock, and stores the entry with the hash `seal` computes from all that.
   */
  append(entry: NewAuditEntry, seal: (entry: UnsealedAuditEntry) => string): Promise<AuditEntry>;
  /** Entries matching the filter, newest first. */
  list(filter: AuditFilter, page: Page): Promise<{ items: AuditEntry[]; total: number }>;
  /** Up to `limit` entries with an id above `afterId` (null: from the first), oldest first. */
  listAfter(afterId: string | null, limit: number): Promise<AuditEntry[]>;
}
