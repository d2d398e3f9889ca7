/**
 * Training use case: dataset → feature preprocessing → segmentation (k-means, k-prototypes or a
 * Gaussian mixture; fixed k or the best of a range) → personas with traits, names and product
 * rankings → one stored version, written atomically. The CPU-heavy part runs wherever a
 * TrainingRunner puts it: a worker thread in the service (src/workers), in-process in tools and tests.
 */
import { UnprocessableDataError, ValidationError } from '../domain/errors.ts';
import type { FeatureRequest, ModelMetrics, ModelParameters, ModelSummary, NumericScaling, RequestedAlgorithm } from '../domain/model.ts';
import type { NewPersona } from '../domain/persona.ts';
import type { CustomerTable } from '../domain/customer-table.ts';
import type { DatasetSummary } from '../domain/dataset.ts';
import type { DatasetRepository, ModelRepository, NewModel, PersonaRepository } from '../domain/repositories.ts';
import { checkNumericColumns, columnRequests, DEFAULT_CATEGORICAL_WEIGHT, encodeRows, fitFeatureSchema, resolveFeatureRequests } from './features.ts';
import type { MatrixAllocator } from './features.ts';
import { nameWithLlm } from './llm-naming.ts';
import type { LlmNamingOptions } from './llm-naming.ts';
import { buildPersonas, DEFAULT_NAMING_RULES, namingBrief } from './persona-builder.ts';
import { inheritFromPrevious } from './persona-continuity.ts';
import { analyseDrivers } from './persona-drivers.ts';
import type { NamingRules } from './persona-builder.ts';
import type { ValueColumns } from './persona-profiles.ts';
import { rankProductsByLift } from './recommendations.ts';
import { chooseAlgorithm, computeSegmentation, fitKMeansInThread } from './segmentation.ts';
import type { KMeansFitter, SegmentationProgress } from './segmentation.ts';

export interface TrainingRequest {
  name: string;
  datasetId: string;
  algorithm?: RequestedAlgorithm | undefined;
  features?: Array<string | FeatureRequest> | undefined;
  exclude?: string[] | undefined;
  k?: number | undefined;
  kRange?: [number, number] | undefined;
  seed?: number | undefined;
  nInit?: number | undefined;
  categoricalWeight?: number | undefined;
  preprocessing?: { scaling?: NumericScaling | undefined; transform?: 'none' | 'log1p' | 'auto' | undefined; clip?: boolean | undefined } | undefined;
  covarianceType?: 'diag' | 'full' | undefined;
  gamma?: number | undefined;
  stabilityResamples?: number | undefined;
}

export type TrainingProgress = { phase: 'loading' | 'encoding' | 'profiling' | 'saving' } | SegmentationProgress;

/** Where trainings run: a pool of worker threads in the service, in-process elsewhere. */
export interface TrainingRunner {
  train(request: TrainingRequest, onProgress?: (progress: TrainingProgress) => void): Promise<ModelSummary>;
  close(): Promise<void>;
}

/** Without k or kRange, k is chosen in this range. */
export const DEFAULT_K_RANGE: [number, number] = [2, 8];
export const DEFAULT_SEED = 42;
export const DEFAULT_N_INIT = 3;
export const DEFAULT_STABILITY_RESAMPLES = 10;

export interface TrainingClock {
  now(): number;
}

export class TrainingService {
  private readonly datasets: DatasetRepository;
  private readonly models: ModelRepository;
  private readonly personas: PersonaRepository;
  private readonly clock: TrainingClock;
  private readonly kmeans: KMeansFitter;
  private readonly allocateMatrix: MatrixAllocator | undefined;
  private readonly namingRules: NamingRules;
  private readonly llmNaming: LlmNamingOptions | null;

  /**
   * @param options.kmeans k-means fitter (default: the engine's, in this thread; the service passes a parallel one)
   * @param options.allocateMatrix memory for the encoded customers (the service passes shared memory for the parallel fitter)
   * @param options.namingRules naming vocabulary and strategy library (default: the shipped ones)
   * @param options.llmNaming an OpenAI-compatible endpoint that names personas (default: none, deterministic names)
   */
  constructor(
    datasets: DatasetRepository,
    models: ModelRepository,
    personas: PersonaRepository,
    options: { clock?: TrainingClock; kmeans?: KMeansFitter; allocateMatrix?: MatrixAllocator; namingRules?: NamingRules; llmNaming?: LlmNamingOptions | null } = {},
  ) {
    this.datasets = datasets;
    this.models = models;
    this.personas = personas;
    this.clock = options.clock ?? { now: () => performance.now() };
    this.kmeans = options.kmeans ?? fitKMeansInThread;
    this.allocateMatrix = options.allocateMatrix;
    this.namingRules = options.namingRules ?? DEFAULT_NAMING_RULES;
    this.llmNaming = options.llmNaming ?? null;
  }

  async train(request: TrainingRequest, onProgress: (progress: TrainingProgress) => void = () => {}): Promise<ModelSummary> {
    const started = this.clock.now();
    onProgress({ phase: 'loading' });
    const dataset = await this.datasets.findById(request.datasetId);
    if (!dataset) {
      throw new UnprocessableDataError(`dataset ${request.datasetId} does not exist`, [
        { location: 'body', pointer: '/datasetId', code: 'unknown_dataset', message: 'no dataset has this id' },
      ]);
    }
    const exclude = request.exclude ?? [];
    const featureRequests = resolveFeatureRequests(dataset.columns, request.features, exclude);
    if (featureRequests.length === 0) {
      throw new UnprocessableDataError(`dataset ${dataset.name} has no usable column`, [
        { location: 'body', pointer: '/datasetId', code: 'no_usable_columns', message: dataset.columns.map((c) => `${c.name}: ${c.reason ?? c.kind}`).join('; ') },
      ]);
    }
    const parameters: ModelParameters = {
      algorithm: 'kmeans',
      requestedAlgorithm: request.algorithm ?? 'kmeans',
      k: request.k ?? null,
      kRange: request.k === undefined ? (request.kRange ?? DEFAULT_K_RANGE) : null,
      seed: request.seed ?? DEFAULT_SEED,
      nInit: request.nInit ?? DEFAULT_N_INIT,
      features: featureRequests.map((feature) => feature.name),
      exclude,
      categoricalWeight: request.categoricalWeight ?? DEFAULT_CATEGORICAL_WEIGHT,
      covarianceType: request.covarianceType ?? null,
      gamma: request.gamma ?? null,
      stabilityResamples: request.stabilityResamples ?? DEFAULT_STABILITY_RESAMPLES,
    };
    const ks = parameters.k !== null ? [parameters.k] : range(parameters.kRange![0], parameters.kRange![1]);
    checkEnoughCustomers(dataset.counts.customers, ks, parameters.k !== null ? '/k' : '/kRange');

    const customers = await this.datasets.loadCustomerTable(dataset.id, [...columnRequests(dataset.columns, featureRequests), ...valueColumnRequests(dataset, featureRequests)], dataset.counts.customers);
    checkNumericColumns(customers, featureRequests);
    onProgress({ phase: 'encoding' });
    const featureSchema = fitFeatureSchema(dataset.columns, customers, featureRequests, {
      scaling: request.preprocessing?.scaling ?? 'standard',
      transform: request.preprocessing?.transform ?? 'auto',
      clip: request.preprocessing?.clip ?? true,
      categoricalWeight: parameters.categoricalWeight,
    });
    const hasCategorical = featureSchema.features.some((feature) => feature.kind === 'categorical');
    const encoded = encodeRows(featureSchema, customers, {
      allocate: this.allocateMatrix,
      isMixed: chooseAlgorithm(parameters.requestedAlgorithm, hasCategorical).algorithm === 'kprototypes',
    });
    const segmentation = await computeSegmentation(
      encoded,
      {
        algorithm: parameters.requestedAlgorithm,
        ks,
        seed: parameters.seed,
        nInit: parameters.nInit,
        covarianceType: parameters.covarianceType ?? 'diag',
        gamma: parameters.gamma,
        stabilityResamples: parameters.stabilityResamples,
      },
      onProgress,
      this.kmeans,
    );
    parameters.algorithm = segmentation.algorithm;
    if (segmentation.algorithm === 'gmm' && parameters.covarianceType === null) parameters.covarianceType = 'diag';

    onProgress({ phase: 'profiling' });
    const { k, labels } = segmentation;
    const drivers = analyseDrivers(featureSchema, encoded.dense, customers, labels, k, parameters.seed);
    const personaInput = {
      schema: featureSchema,
      table: customers,
      labels,
      k,
      denseCenters: segmentation.denseCenters,
      denseSpread: segmentation.denseSpread,
      quality: segmentation.quality,
      valueColumns: valueColumnsOf(dataset, customers),
      drivers: drivers.drivers,
      rules: this.namingRules,
    };
    const llm = this.llmNaming ? await nameWithLlm(namingBrief(personaInput), this.llmNaming) : null;
    if (llm?.warning) segmentation.metrics.warnings.push(llm.warning);
    const built = buildPersonas(personaInput, llm?.result ?? null);
    const { personas, continuity } = await this.inherit(request.name, built);
    const purchases = await this.datasets.loadPurchases(dataset.id);
    const recommendations = rankProductsByLift(customers.customerIds, labels, k, purchases);
    onProgress({ phase: 'saving' });
    const model: NewModel = {
      name: request.name,
      algorithm: segmentation.algorithm,
      parameters,
      featureSchema,
      centroids: segmentation.servingCenters,
      metrics: { ...segmentation.metrics, drivers: drivers.summary, continuity, customers: encoded.dense.rows, trainingMs: Math.round(this.clock.now() - started) },
      artifacts: segmentation.artifacts,
      datasetId: dataset.id,
      personas: personas.map((persona) => ({ ...persona, recommendations: recommendations[persona.index]! })),
    };
    return this.models.create(model);
  }

  /** Matches the new personas to the active version's of the same name: keys and human edits carry over. */
  private async inherit(modelName: string, personas: NewPersona[]): Promise<{ personas: NewPersona[]; continuity: ModelMetrics['continuity'] }> {
    const { items } = await this.models.list({ name: modelName, status: 'active' }, { limit: 1, offset: 0 });
    const previous = items[0];
    if (!previous) return { personas, continuity: null };
    const { personas: inherited, matching } = inheritFromPrevious(await this.personas.listByModel(previous.id), personas);
    return { personas: inherited, continuity: { previousModelId: previous.id, previousVersion: previous.version, ...matching } };
  }
}

/** Runs trainings in the calling thread (tools, tests, and a fallback without worker threads). */
export class InProcessTrainingRunner implements TrainingRunner {
  private readonly training: TrainingService;

  constructor(training: TrainingService) {
    this.training = training;
  }

  train(request: TrainingRequest, onProgress?: (progress: TrainingProgress) => void): Promise<ModelSummary> {
    return this.training.train(request, onProgress);
  }

  async close(): Promise<void> {}
}

const DAYS_PER_YEAR = 365.25;

/** The dataset's value and tenure columns, read as numbers alongside the features (when not features already). */
function valueColumnRequests(dataset: DatasetSummary, features: readonly { name: string }[]) {
  const names = [dataset.valueColumn, dataset.tenure?.column].filter((name): name is string => name !== null && name !== undefined);
  return [...new Set(names)].filter((name) => !features.some((feature) => feature.name === name)).map((name) => ({ name, kind: 'numeric' as const }));
}

function valueColumnsOf(dataset: DatasetSummary, table: CustomerTable): ValueColumns {
  const numeric = (name: string | null | undefined) => {
    const column = name ? table.columns.get(name) : undefined;
    return column?.kind === 'numeric' ? column.values : null;
  };
  const value = numeric(dataset.valueColumn);
  const tenure = numeric(dataset.tenure?.column);
  const perYear = dataset.tenure?.unit === 'days' ? DAYS_PER_YEAR : dataset.tenure?.unit === 'months' ? 12 : 1;
  return {
    value: value && dataset.valueColumn ? { column: dataset.valueColumn, values: value } : null,
    tenure: tenure && dataset.tenure ? { column: dataset.tenure.column, years: tenure.map((amount) => amount / perYear) } : null,
  };
}

function range(from: number, to: number): number[] {
  return Array.from({ length: to - from + 1 }, (_, i) => from + i);
}

function checkEnoughCustomers(customers: number, ks: readonly number[], pointer: string): void {
  const largest = Math.max(...ks);
  // Silhouette needs 2 ≤ k ≤ n − 1.
  if (largest >= customers) {
    throw new ValidationError(`the dataset has ${customers} customers, too few for ${largest} personas`, [
      { location: 'body', pointer, code: 'too_many_personas', message: `k must be below the number of customers (${customers})` },
    ]);
  }
}
