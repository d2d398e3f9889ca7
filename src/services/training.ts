/**
 * Training use case: dataset → feature preprocessing → segmentation (k-means, k-prototypes or a
 * Gaussian mixture; fixed k or the best of a range) → personas with traits, names and product
 * rankings → one stored version, written atomically. The CPU-heavy part runs wherever a
 * TrainingRunner puts it: a worker thread in the service (src/workers), in-process in tools and tests.
 */
import { JobCancelledError, NotFoundError, UnprocessableDataError, ValidationError } from '../domain/errors.ts';
import type { FieldIssue } from '../domain/errors.ts';
import type { FeatureRequest, FeatureSchema, ModelMetrics, ModelParameters, ModelSummary, NumericScaling, RequestedAlgorithm, StoredModel } from '../domain/model.ts';
import { mergeCenters, mergeMixtureComponents } from '../engine/index.ts';
import type { NewPersona } from '../domain/persona.ts';
import type { CustomerTable } from '../domain/customer-table.ts';
import type { DatasetSummary } from '../domain/dataset.ts';
import type { DatasetRepository, ModelRepository, NewModel, PersonaRepository } from '../domain/repositories.ts';
import { checkNumericColumns, columnRequests, DEFAULT_CATEGORICAL_WEIGHT, encodeRows, fitFeatureSchema, resolveFeatureRequests } from './features.ts';
import type { EncodedRows, MatrixAllocator } from './features.ts';
import { nameWithLlm } from './llm-naming.ts';
import type { LlmNamingOptions } from './llm-naming.ts';
import { buildPersonas, DEFAULT_NAMING_RULES, namingBrief } from './persona-builder.ts';
import { inheritFromPrevious } from './persona-continuity.ts';
import { analyseDrivers } from './persona-drivers.ts';
import type { NamingRules } from './persona-builder.ts';
import type { ValueColumns } from './persona-profiles.ts';
import { calibrateConfidence, measurePersonaSpread } from './calibration.ts';
import { compileScoring } from './compiled-model.ts';
import { measureDriftBaseline } from './drift.ts';
import { rankProductsByLift } from './recommendations.ts';
import { auditFairness } from './fairness.ts';
import { DEFAULT_FAIRNESS_THRESHOLDS, LIKELY_PROTECTED_NAME } from '../domain/fairness.ts';
import type { FairnessThresholds, ProtectedOverride } from '../domain/fairness.ts';
import { highCostStrategyIds } from '../domain/strategies.ts';
import { chooseAlgorithm, computeSegmentation, fitKMeansInThread } from './segmentation.ts';
import type { KMeansFitter, Segmentation, SegmentationProgress, WarmStart } from './segmentation.ts';

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
  /** Protected columns besides the dataset's: kept out of the features (unless overridden) and audited. */
  protectedAttributes?: string[] | undefined;
  /** Override letting protected columns be features; `by` is the API key that asked (set by the route). */
  includeProtected?: { columns: string[]; reason: string; by?: string | null | undefined } | undefined;
}

/** Fairness audit settings: verdict thresholds and product external ids treated as high-cost. */
export interface FairnessOptions {
  thresholds: FairnessThresholds;
  highCostProducts: readonly string[];
}

export const DEFAULT_FAIRNESS_OPTIONS: FairnessOptions = { thresholds: DEFAULT_FAIRNESS_THRESHOLDS, highCostProducts: [] };

/** Merge two or more personas of a model into one, as a new version of it. */
export interface MergeRequest {
  modelId: string;
  personaIds: string[];
}

export type TrainingProgress = { phase: 'loading' | 'encoding' | 'profiling' | 'saving' } | SegmentationProgress;

/** Where trainings run: a pool of worker threads in the service, in-process elsewhere. */
/** A training run for a background job: the job it belongs to, and how to stop it early. */
export interface TrainingRunOptions {
  /** Stored with the model, in the same transaction (NewModel.jobId). */
  jobId?: string | undefined;
  /** Aborting stops the training; it then rejects with JobCancelledError. */
  signal?: AbortSignal | undefined;
}

export interface TrainingRunner {
  train(request: TrainingRequest, onProgress?: (progress: TrainingProgress) => void, options?: TrainingRunOptions): Promise<ModelSummary>;
  merge(request: MergeRequest, onProgress?: (progress: TrainingProgress) => void): Promise<ModelSummary>;
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
  private readonly fairness: FairnessOptions;

  /**
   * @param options.kmeans k-means fitter (default: the engine's, in this thread; the service passes a parallel one)
   * @param options.allocateMatrix memory for the encoded customers (the service passes shared memory for the parallel fitter)
   * @param options.namingRules naming vocabulary and strategy library (default: the shipped ones)
   * @param options.llmNaming an OpenAI-compatible endpoint that names personas (default: none, deterministic names)
   * @param options.fairness thresholds of the fairness audit and high-cost product ids (default: the documented defaults, none)
   */
  constructor(
    datasets: DatasetRepository,
    models: ModelRepository,
    personas: PersonaRepository,
    options: { clock?: TrainingClock; kmeans?: KMeansFitter; allocateMatrix?: MatrixAllocator; namingRules?: NamingRules; llmNaming?: LlmNamingOptions | null; fairness?: FairnessOptions } = {},
  ) {
    this.datasets = datasets;
    this.models = models;
    this.personas = personas;
    this.clock = options.clock ?? { now: () => performance.now() };
    this.kmeans = options.kmeans ?? fitKMeansInThread;
    this.allocateMatrix = options.allocateMatrix;
    this.namingRules = options.namingRules ?? DEFAULT_NAMING_RULES;
    this.llmNaming = options.llmNaming ?? null;
    this.fairness = options.fairness ?? DEFAULT_FAIRNESS_OPTIONS;
  }

  async train(request: TrainingRequest, onProgress: (progress: TrainingProgress) => void = () => {}, options: Pick<TrainingRunOptions, 'jobId'> = {}): Promise<ModelSummary> {
    const started = this.clock.now();
    onProgress({ phase: 'loading' });
    const dataset = await this.datasets.findById(request.datasetId);
    if (!dataset) {
      throw new UnprocessableDataError(`dataset ${request.datasetId} does not exist`, [
        { location: 'body', pointer: '/datasetId', code: 'unknown_dataset', message: 'no dataset has this id' },
      ]);
    }
    const exclude = request.exclude ?? [];
    const governance = resolveProtected(dataset, request);
    const featureRequests = resolveFeatureRequests(dataset.columns, request.features, request.features === undefined ? [...exclude, ...governance.kept] : exclude);
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
      mergedFrom: null,
      protectedAttributes: governance.protectedAttributes,
      includeProtected: governance.override,
    };
    const ks = parameters.k !== null ? [parameters.k] : range(parameters.kRange![0], parameters.kRange![1]);
    checkEnoughCustomers(dataset.counts.customers, ks, parameters.k !== null ? '/k' : '/kRange');

    const customers = await this.datasets.loadCustomerTable(
      dataset.id,
      [...columnRequests(dataset.columns, featureRequests), ...valueColumnRequests(dataset, featureRequests), ...protectedColumnRequests(dataset, parameters.protectedAttributes, featureRequests)],
      dataset.counts.customers,
    );
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
    segmentation.metrics.warnings.push(...likelyProtectedWarnings(featureRequests, parameters.protectedAttributes));
    return this.complete({ name: request.name, dataset, parameters, featureSchema, customers, encoded, segmentation, started, jobId: options.jobId }, await this.activeVersion(request.name), onProgress);
  }

  /**
   * A new version of a model with two or more of its personas merged into one: the customers of the
   * model's dataset encoded with its stored preprocessing, re-fitted with one persona fewer per merged
   * member from the merged parameters (centres weighted by size; mixture components merged by moment
   * matching), then profiled, named and ranked like any training. The other personas keep their keys
   * and human edits through the usual matching, against the merged version.
   */
  async merge(request: MergeRequest, onProgress: (progress: TrainingProgress) => void = () => {}): Promise<ModelSummary> {
    const started = this.clock.now();
    onProgress({ phase: 'loading' });
    const source = await this.models.loadStored(request.modelId);
    if (!source) throw new NotFoundError(`model ${request.modelId} does not exist`);
    const group = personaIndexes(source, request.personaIds);
    const k = source.metrics.k - group.length + 1;
    if (k < 2) {
      const message = `merging ${group.length} of the ${source.metrics.k} personas would leave ${k}; a model needs at least two`;
      throw new UnprocessableDataError(message, [{ location: 'body', pointer: '/personas', code: 'too_few_personas_left', message }]);
    }
    const dataset = source.datasetId ? await this.datasets.findById(source.datasetId) : null;
    if (!dataset) throw new UnprocessableDataError(`the dataset of ${source.name} v${source.version} no longer exists, and a merge re-fits on it`);
    const featureRequests = source.featureSchema.features.map((feature) => ({ name: feature.name, kind: feature.kind }));
    const customers = await this.datasets.loadCustomerTable(
      dataset.id,
      [
        ...columnRequests(dataset.columns, featureRequests),
        ...valueColumnRequests(dataset, featureRequests),
        ...protectedColumnRequests(dataset, source.parameters.protectedAttributes, featureRequests),
      ],
      dataset.counts.customers,
    );
    onProgress({ phase: 'encoding' });
    const featureSchema = source.featureSchema;
    const encoded = encodeRows(featureSchema, customers, { allocate: this.allocateMatrix, isMixed: source.algorithm === 'kprototypes' });
    const merged = group.map((index) => source.personas.find((persona) => persona.index === index)!);
    const parameters: ModelParameters = {
      ...source.parameters,
      k,
      kRange: null,
      nInit: 1,
      mergedFrom: { modelId: source.id, version: source.version, personas: merged.map(({ id, key, name }) => ({ id, key, name })) },
    };
    const segmentation = await computeSegmentation(
      encoded,
      {
        algorithm: source.algorithm,
        ks: [k],
        seed: parameters.seed,
        nInit: 1,
        covarianceType: parameters.covarianceType ?? 'diag',
        gamma: parameters.gamma,
        stabilityResamples: parameters.stabilityResamples,
        warmStart: mergedWarmStart(source, group),
      },
      onProgress,
      this.kmeans,
    );
    segmentation.metrics.selection = {
      criterion: 'fixed',
      reason: `merged ${merged.map((persona) => `"${persona.name}"`).join(' and ')} of ${source.name} v${source.version}, then re-fitted ${source.algorithm} with k = ${k} from the merged parameters`,
    };
    return this.complete({ name: source.name, dataset, parameters, featureSchema, customers, encoded, segmentation, started }, source, onProgress);
  }

  /** Profiling, drivers, naming, continuity with `previous`, product ranking and the atomic save: shared by training and merging. */
  private async complete(fitted: FittedPartition, previous: ModelSummary | null, onProgress: (progress: TrainingProgress) => void): Promise<ModelSummary> {
    const { dataset, parameters, featureSchema, customers, encoded, segmentation } = fitted;
    onProgress({ phase: 'profiling' });
    const { k, labels } = segmentation;
    const drivers = analyseDrivers(featureSchema, encoded.dense, customers, labels, k, parameters.seed);
    const personaSpread = measurePersonaSpread(featureSchema, encoded, labels, k);
    const scoring = compileScoring(featureSchema, segmentation.algorithm, segmentation.servingCenters, { ...segmentation.artifacts, personaSpread });
    const { temperature, calibration } = calibrateConfidence(scoring, encoded, labels, parameters.seed);
    const drift = measureDriftBaseline(featureSchema, customers, labels, k);
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
    const { personas, continuity } = await this.inherit(previous, built);
    const purchases = await this.datasets.loadPurchases(dataset.id);
    const recommendations = rankProductsByLift(customers.customerIds, labels, k, purchases);
    const fairness =
      parameters.protectedAttributes.length === 0
        ? null
        : auditFairness({
            table: customers,
            protectedAttributes: parameters.protectedAttributes,
            features: featureSchema.features,
            encoded: encoded.dense,
            labels,
            personas,
            recommendations,
            highCostProducts: await this.datasets.findHighCostProducts(dataset.id, this.fairness.highCostProducts),
            highCostStrategies: highCostStrategyIds(this.namingRules.strategies),
            thresholds: this.fairness.thresholds,
            seed: parameters.seed,
            now: new Date(),
          });
    onProgress({ phase: 'saving' });
    const model: NewModel = {
      name: fitted.name,
      algorithm: segmentation.algorithm,
      parameters,
      featureSchema,
      centroids: segmentation.servingCenters,
      metrics: {
        ...segmentation.metrics,
        drivers: drivers.summary,
        calibration,
        continuity,
        customers: encoded.dense.rows,
        trainingMs: Math.round(this.clock.now() - fitted.started),
      },
      artifacts: { ...segmentation.artifacts, personaSpread, drift, ...(temperature === null ? {} : { temperature }) },
      datasetId: dataset.id,
      personas: personas.map((persona) => ({ ...persona, recommendations: recommendations[persona.index]! })),
      ...(fitted.jobId === undefined ? {} : { jobId: fitted.jobId }),
      fairness,
    };
    return this.models.create(model);
  }

  private async activeVersion(modelName: string): Promise<ModelSummary | null> {
    const { items } = await this.models.list({ name: modelName, status: 'active' }, { limit: 1, offset: 0 });
    return items[0] ?? null;
  }

  /** Matches the new personas to the previous version's (the active one, or the merged one): keys and human edits carry over. */
  private async inherit(previous: ModelSummary | null, personas: NewPersona[]): Promise<{ personas: NewPersona[]; continuity: ModelMetrics['continuity'] }> {
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

  train(request: TrainingRequest, onProgress: (progress: TrainingProgress) => void = () => {}, options: TrainingRunOptions = {}): Promise<ModelSummary> {
    const { signal } = options;
    // In the calling thread a training can only stop between its steps: at its next progress report.
    const reporting = (progress: TrainingProgress) => {
      if (signal?.aborted) throw new JobCancelledError();
      onProgress(progress);
    };
    return this.training.train(request, reporting, { jobId: options.jobId });
  }

  merge(request: MergeRequest, onProgress?: (progress: TrainingProgress) => void): Promise<ModelSummary> {
    return this.training.merge(request, onProgress);
  }

  async close(): Promise<void> {}
}

/** What training hands to the shared second half (complete). */
interface FittedPartition {
  name: string;
  dataset: DatasetSummary;
  parameters: ModelParameters;
  featureSchema: FeatureSchema;
  customers: CustomerTable;
  encoded: EncodedRows;
  segmentation: Segmentation;
  started: number;
  /** The background job this training runs for, if any. */
  jobId?: string | undefined;
}

/** Indices of the personas to merge, or a 400 pointing at each id that is not a persona of the model (or repeats one). */
function personaIndexes(model: StoredModel, personaIds: readonly string[]): number[] {
  const issues: FieldIssue[] = [];
  const indexes: number[] = [];
  personaIds.forEach((id, position) => {
    const persona = model.personas.find((candidate) => candidate.id === id);
    if (!persona) issues.push({ location: 'body', pointer: `/personas/${position}`, code: 'unknown_persona', message: `no persona of ${model.name} v${model.version} has this id` });
    else if (indexes.includes(persona.index)) issues.push({ location: 'body', pointer: `/personas/${position}`, code: 'duplicate_persona', message: 'this persona is already in the list' });
    else indexes.push(persona.index);
  });
  if (issues.length > 0) throw new ValidationError('the personas to merge must be distinct personas of the model', issues);
  return indexes;
}

/** The fitted parameters of `model` with the personas of `group` merged: where the re-fit starts. */
function mergedWarmStart(model: StoredModel, group: readonly number[]): WarmStart {
  const sizes = model.metrics.sizes;
  switch (model.algorithm) {
    case 'kmeans':
      return { algorithm: 'kmeans', centers: mergeCenters(model.centroids, sizes, group).centers };
    case 'kprototypes': {
      const stored = model.artifacts.kprototypes!;
      const { centers, indexMap, k } = mergeCenters(model.centroids, sizes, group);
      // The merged prototype starts from the modes of its largest member; the first pass recomputes them.
      const largest = group.reduce((a, b) => (sizes[b]! > sizes[a]! ? b : a));
      const q = stored.modes[0]?.length ?? 0;
      const modes = new Int32Array(k * q);
      stored.modes.forEach((row, old) => {
        if (!group.includes(old) || old === largest) modes.set(row, indexMap[old]! * q);
      });
      return { algorithm: 'kprototypes', prototypes: { numeric: centers, modes }, gamma: stored.gamma };
    }
    case 'gmm': {
      const stored = model.artifacts.gmm!;
      const merged = mergeMixtureComponents({ covarianceType: stored.covarianceType, weights: stored.weights, means: model.centroids, covariances: stored.covariances }, group);
      return { algorithm: 'gmm', init: { weights: merged.weights, means: merged.means, covariances: merged.covariances } };
    }
  }
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
    value: value && dataset.valueColumn ? { column: dataset.valueColumn, kind: dataset.valueKind ?? 'annual', values: value } : null,
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

/**
 * The protected attributes of a training (the dataset's and the request's) and the override that lets
 * some be features: every name must be a column (400), an overridden column must be protected (400),
 * and a protected column named in `features` without the override is refused (422, pointer into
 * /features). `kept`: the protected columns that stay out of the default features.
 */
function resolveProtected(dataset: DatasetSummary, request: TrainingRequest): { protectedAttributes: string[]; override: ProtectedOverride | null; kept: string[] } {
  const columns = new Set(dataset.columns.map((column) => column.name));
  const issues: FieldIssue[] = [];
  (request.protectedAttributes ?? []).forEach((name, index) => {
    if (!columns.has(name)) issues.push({ location: 'body', pointer: `/protectedAttributes/${index}`, code: 'unknown_column', message: `the dataset has no column "${name}"` });
  });
  const protectedAttributes = [...new Set([...dataset.protectedAttributes, ...(request.protectedAttributes ?? [])])].filter((name) => columns.has(name));
  const included = request.includeProtected?.columns ?? [];
  included.forEach((name, index) => {
    if (!protectedAttributes.includes(name)) {
      issues.push({ location: 'body', pointer: `/includeProtected/columns/${index}`, code: 'not_protected', message: `"${name}" is not a protected attribute of this training` });
    }
  });
  if (issues.length > 0) throw new ValidationError('some protected attributes are not columns of the dataset', issues);
  const kept = protectedAttributes.filter((name) => !included.includes(name));
  const refused: FieldIssue[] = [];
  (request.features ?? []).forEach((entry, index) => {
    const name = typeof entry === 'string' ? entry : entry.name;
    if (kept.includes(name)) {
      refused.push({
        location: 'body',
        pointer: `/features/${index}`,
        code: 'protected_attribute',
        message: `"${name}" is a protected attribute: it is audited, not clustered on; to use it anyway send includeProtected: { columns: ["${name}"], reason: "…" } (recorded with the model)`,
      });
    }
  });
  if (refused.length > 0) throw new UnprocessableDataError('the requested features include protected attributes without an override', refused);
  const override = request.includeProtected ? { columns: [...new Set(included)], reason: request.includeProtected.reason, by: request.includeProtected.by ?? null } : null;
  return { protectedAttributes, override, kept };
}

/** Protected columns not already loaded as features, read as numbers when profiled numeric and as categories otherwise. */
function protectedColumnRequests(dataset: DatasetSummary, protectedAttributes: readonly string[], features: readonly { name: string }[]) {
  const loaded = new Set([...features.map((feature) => feature.name), ...valueColumnRequests(dataset, features).map((request) => request.name)]);
  const kinds = new Map(dataset.columns.map((column) => [column.name, column.kind]));
  return protectedAttributes.filter((name) => !loaded.has(name)).map((name) => ({ name, kind: kinds.get(name) === 'numeric' ? ('numeric' as const) : ('categorical' as const) }));
}

/** A warning per feature whose name suggests a protected attribute that was not declared (never excluded on the name alone). */
function likelyProtectedWarnings(features: readonly { name: string }[], protectedAttributes: readonly string[]): string[] {
  return features
    .filter((feature) => LIKELY_PROTECTED_NAME.test(feature.name.trim()) && !protectedAttributes.includes(feature.name))
    .map((feature) => `feature "${feature.name}" looks like a protected attribute; declare it in protectedAttributes to keep it out of the features and audit the model for it`);
}
