/**
 * Contracts between services and persistence, in the service's own types (no Prisma types here).
 * src/db implements them; services receive them by constructor.
 */
import type { ApiKeyRecord, ApiKeyScope } from './api-key.ts';
import type { ColumnRequest, CustomerTable } from './customer-table.ts';
import type { DatasetSummary, NewDataset, NewInteraction, NewProduct } from './dataset.ts';
import type { FeatureSchema, ModelArtifacts, ModelMetrics, ModelParameters, ModelStatus, ModelSummary, StoredModel } from './model.ts';
import type { NewPersona, NewRecommendation, Persona, PersonaEdits, Recommendation, Strategy } from './persona.ts';

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
  /** Ids of the active versions, most recently activated first. */
  listActiveIds(): Promise<string[]>;
  /**
   * Makes `id` the only active version of its name in one transaction; the previously active
   * version becomes inactive. Returns the activated model and the one it replaced.
   */
  activate(id: string): Promise<{ activated: ModelSummary; previous: ModelSummary | null }>;
  /** Deletes a non-active version; throws ConflictError for the active one. */
  delete(id: string): Promise<void>;
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
  /** Applies a human edit; throws ConflictError when the name is taken in the model. */
  update(id: string, edit: PersonaEdit): Promise<Persona>;
  recommendations(personaId: string, options: { minSupport: number } & Page): Promise<{ items: Recommendation[]; total: number }>;
}

export interface ApiKeyRepository {
  create(key: { name: string; prefix: string; hash: string; scopes: ApiKeyScope[] }): Promise<ApiKeyRecord>;
  findActiveByHash(hash: string): Promise<ApiKeyRecord | null>;
  list(page: Page): Promise<{ items: ApiKeyRecord[]; total: number }>;
  revoke(id: string): Promise<ApiKeyRecord | null>;
  countActive(): Promise<number>;
  touch(id: string, at: Date): Promise<void>;
}

export interface HealthRepository {
  /** Resolves when the database answers a trivial query. */
  ping(): Promise<void>;
}
