/**
 * Training use case: dataset → feature encoding → k-means (fixed k, or the best silhouette over a
 * range) → personas with traits, names and product rankings → one stored version, written atomically.
 */
import { jsonPointer, UnprocessableDataError, ValidationError } from '../domain/errors.ts';
import type { ModelMetrics, ModelParameters, ModelSummary } from '../domain/model.ts';
import type { DatasetRepository, ModelRepository, NewModel } from '../domain/repositories.ts';
import { computeCalinskiHarabasz, computeDaviesBouldin, computeSilhouette, fitKMeans, rowToArray } from '../engine/index.ts';
import type { DenseMatrix, KMeansResult } from '../engine/index.ts';
import { DEFAULT_CATEGORICAL_WEIGHT, encodeRows, fitFeatureSchema } from './features.ts';
import { describePersona, namePersonas, profilePersonas, slugify } from './persona-profiles.ts';
import { rankProductsByLift } from './recommendations.ts';

export interface TrainingRequest {
  name: string;
  datasetId: string;
  features?: string[] | undefined;
  k?: number | undefined;
  kRange?: [number, number] | undefined;
  seed?: number | undefined;
  nInit?: number | undefined;
  categoricalWeight?: number | undefined;
}

/** Without k or kRange, k is chosen by silhouette in this range. */
export const DEFAULT_K_RANGE: [number, number] = [2, 8];
export const DEFAULT_SEED = 42;
export const DEFAULT_N_INIT = 3;
/** Rows the silhouette is computed on; larger datasets use a seeded sample of this size. */
export const SILHOUETTE_SAMPLE_SIZE = 5_000;

export interface TrainingClock {
  now(): number;
}

export class TrainingService {
  private readonly datasets: DatasetRepository;
  private readonly models: ModelRepository;
  private readonly clock: TrainingClock;

  constructor(datasets: DatasetRepository, models: ModelRepository, clock: TrainingClock = { now: () => performance.now() }) {
    this.datasets = datasets;
    this.models = models;
    this.clock = clock;
  }

  async train(request: TrainingRequest): Promise<ModelSummary> {
    const started = this.clock.now();
    const dataset = await this.datasets.findById(request.datasetId);
    if (!dataset) {
      throw new UnprocessableDataError(`dataset ${request.datasetId} does not exist`, [
        { location: 'body', pointer: '/datasetId', code: 'unknown_dataset', message: 'no dataset has this id' },
      ]);
    }
    const featureNames = request.features ?? dataset.columns.filter((column) => column.isUsable).map((column) => column.name);
    if (featureNames.length === 0) {
      throw new UnprocessableDataError(`dataset ${dataset.name} has no usable column`, [
        { location: 'body', pointer: '/datasetId', code: 'no_usable_columns', message: dataset.columns.map((c) => `${c.name}: ${c.reason ?? c.kind}`).join('; ') },
      ]);
    }
    const customers = await this.datasets.loadCustomers(dataset.id);
    const parameters: ModelParameters = {
      algorithm: 'kmeans',
      k: request.k ?? null,
      kRange: request.k === undefined ? (request.kRange ?? DEFAULT_K_RANGE) : null,
      seed: request.seed ?? DEFAULT_SEED,
      nInit: request.nInit ?? DEFAULT_N_INIT,
      features: featureNames,
      categoricalWeight: request.categoricalWeight ?? DEFAULT_CATEGORICAL_WEIGHT,
    };
    const candidateKs = parameters.k !== null ? [parameters.k] : range(parameters.kRange![0], parameters.kRange![1]);
    checkEnoughCustomers(customers.externalIds.length, candidateKs, parameters.k !== null ? '/k' : '/kRange');

    const featureSchema = fitFeatureSchema(dataset.columns, customers.attributes, featureNames, parameters.categoricalWeight);
    const x = encodeRows(featureSchema, customers.attributes);
    const { fit, silhouette, kSelection } = selectK(x, candidateKs, parameters, dataset.name);
    const k = fit.centers.rows;

    const profiles = profilePersonas(featureSchema, customers.attributes, fit.labels, k);
    const names = namePersonas(profiles);
    const purchases = await this.datasets.loadPurchases(dataset.id);
    const recommendations = rankProductsByLift(customers.externalIds, fit.labels, k, purchases);
    const metrics: ModelMetrics = {
      k,
      customers: x.rows,
      inertia: fit.inertia,
      silhouette: silhouette.score,
      silhouetteSampleSize: silhouette.sampleSize,
      calinskiHarabasz: computeCalinskiHarabasz(x, fit.labels, k),
      daviesBouldin: computeDaviesBouldin(x, fit.labels, k),
      sizes: Array.from(fit.clusterSizes),
      iterations: fit.iterations,
      converged: fit.converged,
      kSelection,
      trainingMs: Math.round(this.clock.now() - started),
      warnings: fit.warnings,
    };
    const model: NewModel = {
      name: request.name,
      algorithm: 'kmeans',
      parameters,
      featureSchema,
      centroids: fit.centers,
      metrics,
      datasetId: dataset.id,
      personas: profiles.map((profile) => ({
        index: profile.index,
        key: slugify(names[profile.index]!),
        name: names[profile.index]!,
        description: describePersona(profile, x.rows),
        traits: profile.traits,
        size: profile.size,
        share: profile.share,
        centroid: rowToArray(fit.centers, profile.index),
        recommendations: recommendations[profile.index]!,
      })),
    };
    return this.models.create(model);
  }
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

interface Selection {
  fit: KMeansResult;
  silhouette: ReturnType<typeof computeSilhouette>;
  kSelection: ModelMetrics['kSelection'];
}

/** Fits each candidate k and keeps the one with the highest silhouette (ties: the smaller k). */
function selectK(x: DenseMatrix, ks: readonly number[], parameters: ModelParameters, datasetName: string): Selection {
  let best: Selection | null = null;
  const kSelection: ModelMetrics['kSelection'] = [];
  for (const k of ks) {
    const fit = fitKMeans(x, { k, seed: parameters.seed, nInit: parameters.nInit });
    // Scores need two groups; rows that are all identical on the features cannot be segmented.
    if (fit.clusterSizes.filter((size) => size > 0).length < 2) {
      throw new UnprocessableDataError(`the customers of ${datasetName} are identical on the chosen features; no segmentation is possible`);
    }
    const silhouette = computeSilhouette(x, fit.labels, k, { sampleSize: SILHOUETTE_SAMPLE_SIZE, seed: parameters.seed });
    kSelection.push({ k, inertia: fit.inertia, silhouette: silhouette.score });
    if (!best || silhouette.score > best.silhouette.score) best = { fit, silhouette, kSelection };
  }
  if (!best) throw new ValidationError('no k to try', [{ location: 'body', pointer: jsonPointer('kRange'), code: 'empty_range', message: 'kRange is empty' }]);
  return { ...best, kSelection: ks.length > 1 ? kSelection : [] };
}
