/**
 * The numeric half of training: encoded customers in, a fitted partition with its scores out.
 * Chooses k (silhouette for k-means and k-prototypes, BIC for mixtures), and for `auto` the
 * algorithm; measures every candidate the same way in the dense encoded space, so scores compare
 * across algorithms. Pure: no I/O; progress goes to a callback.
 */
import { UnprocessableDataError } from '../domain/errors.ts';
import type { Algorithm, KSelectionEntry, ModelArtifacts, ModelMetrics, RequestedAlgorithm } from '../domain/model.ts';
import type { PersonaQuality } from '../domain/persona.ts';
import {
  assessClusterStability,
  computeCalinskiHarabasz,
  computeDaviesBouldin,
  computeOutlierThresholds,
  computeSilhouette,
  createRandom,
  fitGaussianMixture,
  fitKMeans,
  fitKPrototypes,
  fitPca,
  predictKPrototypes,
  projectRows,
} from '../engine/index.ts';
import type { DenseMatrix, GaussianMixtureInit, InitialPrototypes, KMeansOptions, KMeansResult } from '../engine/index.ts';
import type { EncodedRows } from './features.ts';

/** Rows the silhouette is computed on; larger datasets use a seeded sample of this size. */
export const SILHOUETTE_SAMPLE_SIZE = 5_000;
/** Bootstrap stability re-fits a seeded sample of at most this many customers, bounding its cost. */
export const STABILITY_SAMPLE_SIZE = 20_000;
/** Customers projected on the 2-D map stored with the model. */
export const MAP_SAMPLE_SIZE = 500;
/** The PCA behind the map is fitted on at most this many customers. */
const MAP_FIT_SAMPLE_SIZE = 20_000;

export interface SegmentationRequest {
  algorithm: RequestedAlgorithm;
  ks: readonly number[];
  seed: number;
  nInit: number;
  covarianceType: 'diag' | 'full';
  gamma: number | null;
  stabilityResamples: number;
  /** Start the fit from these parameters instead of seeding (a merge of a fitted model's personas); needs one k. */
  warmStart?: WarmStart | undefined;
}

/** Initial parameters of one fit, in the algorithm's own terms. */
export type WarmStart =
  | { algorithm: 'kmeans'; centers: DenseMatrix }
  | { algorithm: 'kprototypes'; prototypes: InitialPrototypes; gamma: number }
  | { algorithm: 'gmm'; init: GaussianMixtureInit };

/** A k-means fit: the engine's, or a parallel one over worker threads (src/compute) in the service. */
export type KMeansFitter = (x: DenseMatrix, options: KMeansOptions) => Promise<KMeansResult>;

export const fitKMeansInThread: KMeansFitter = async (x, options) => fitKMeans(x, options);

export interface SegmentationProgress {
  phase: 'fitting' | 'scoring' | 'stability' | 'map';
  algorithm?: Algorithm;
  k?: number;
  iteration?: number;
}

export interface Segmentation {
  algorithm: Algorithm;
  k: number;
  labels: Int32Array;
  /** Distance of each customer to its persona's centre, in the algorithm's own metric. */
  distances: Float64Array;
  /** k × d centres in the dense encoded space (the mean of each persona's encoded rows). */
  denseCenters: DenseMatrix;
  /** Per persona, the root-mean-square distance of its members to its dense centre. */
  denseSpread: Float64Array;
  /** Centres the algorithm serves with: dense centres (k-means), numeric prototypes (k-prototypes), means (mixtures). */
  servingCenters: DenseMatrix;
  metrics: Omit<ModelMetrics, 'customers' | 'trainingMs' | 'continuity' | 'drivers' | 'calibration'>;
  artifacts: ModelArtifacts;
  quality: PersonaQuality[];
}

interface Candidate {
  algorithm: Algorithm;
  k: number;
  labels: Int32Array;
  distances: Float64Array;
  servingCenters: DenseMatrix;
  scores: KSelectionEntry;
  iterations: number;
  converged: boolean;
  warnings: string[];
  extra: Partial<Pick<ModelMetrics, 'bic' | 'aic' | 'logLikelihood' | 'cost' | 'gamma'>>;
  artifacts: Pick<ModelArtifacts, 'kprototypes' | 'gmm'>;
}

/** `auto`: k-prototypes handles categorical features natively; purely numeric data goes to k-means. */
export function chooseAlgorithm(requested: RequestedAlgorithm, hasCategorical: boolean): { algorithm: Algorithm; reason: string } {
  if (requested !== 'auto') return { algorithm: requested, reason: `algorithm ${requested} as requested` };
  return hasCategorical
    ? { algorithm: 'kprototypes', reason: 'algorithm auto chose k-prototypes: the features include categorical columns, which it handles natively' }
    : { algorithm: 'kmeans', reason: 'algorithm auto chose k-means: every feature is numeric' };
}

export async function computeSegmentation(
  encoded: EncodedRows,
  request: SegmentationRequest,
  onProgress: (progress: SegmentationProgress) => void = () => {},
  kmeans: KMeansFitter = fitKMeansInThread,
): Promise<Segmentation> {
  const { algorithm, reason: algorithmReason } = chooseAlgorithm(request.algorithm, encoded.categoricalFeatures > 0);
  const candidates: Candidate[] = [];
  for (const k of request.ks) {
    onProgress({ phase: 'fitting', algorithm, k });
    const fitted = algorithm === 'kmeans' ? await kmeans(encoded.dense, kmeansOptions(k, request, onProgress)) : null;
    const candidate = fitCandidate(algorithm, encoded, k, request, onProgress, { isScored: true, kmeansFit: fitted });
    // Scores need two groups; customers identical on the chosen features cannot be segmented.
    if (new Set(candidate.labels).size < 2) throw new UnprocessableDataError('the customers are identical on the chosen features; no segmentation is possible');
    candidates.push(candidate);
  }
  const criterion = request.ks.length === 1 ? 'fixed' : algorithm === 'gmm' ? 'bic' : 'silhouette';
  const best = candidates.reduce((a, b) => (isBetter(b, a, criterion) ? b : a));
  const selectionReason =
    criterion === 'fixed'
      ? `k = ${best.k} as requested`
      : criterion === 'bic'
        ? `k = ${best.k} has the lowest BIC (${best.scores.bic!.toFixed(1)}) of k = ${request.ks[0]}…${request.ks.at(-1)}`
        : `k = ${best.k} has the highest silhouette (${best.scores.silhouette.toFixed(3)}) of k = ${request.ks[0]}…${request.ks.at(-1)}`;
  const denseCenters = clusterMeans(encoded.dense, best.labels, best.k);
  const denseSpread = rootMeanSquare(squaredDistancesToCenters(encoded.dense, best.labels, denseCenters), best.labels, best.k);
  const outliers = computeOutlierThresholds(best.distances, best.labels, best.k, { imputedFractions: encoded.imputedFraction });
  let stability: ReturnType<typeof assessClusterStability> | null = null;
  // A bootstrap resample holds about 63% of the customers once each: with k above half of them a
  // re-fit could not even place one customer per persona.
  const canAssessStability = best.k * 2 <= encoded.dense.rows;
  if (request.stabilityResamples > 0 && canAssessStability) {
    onProgress({ phase: 'stability', algorithm, k: best.k });
    stability = assessStability(encoded, best, request);
  }
  onProgress({ phase: 'map', algorithm, k: best.k });
  const warnings = [...best.warnings, ...outliers.warnings, ...(stability?.warnings ?? [])];
  if (request.stabilityResamples > 0 && !canAssessStability) {
    warnings.push(`stability was not assessed: k = ${best.k} is more than half of the ${encoded.dense.rows} customers, too many for bootstrap re-fits`);
  }

  return {
    algorithm,
    k: best.k,
    labels: best.labels,
    distances: best.distances,
    denseCenters,
    denseSpread,
    servingCenters: best.servingCenters,
    metrics: {
      k: best.k,
      inertia: best.scores.inertia,
      silhouette: best.scores.silhouette,
      silhouetteSampleSize: Math.min(SILHOUETTE_SAMPLE_SIZE, encoded.dense.rows),
      silhouetteSeed: request.seed,
      calinskiHarabasz: best.scores.calinskiHarabasz,
      daviesBouldin: best.scores.daviesBouldin,
      ...best.extra,
      sizes: Array.from(countLabels(best.labels, best.k)),
      iterations: best.iterations,
      converged: best.converged,
      kSelection: candidates.length > 1 ? candidates.map((candidate) => candidate.scores) : [],
      selection: { criterion, reason: `${algorithmReason}; ${selectionReason}` },
      stability: stability && {
        resamples: stability.resamples,
        seed: request.seed,
        meanAdjustedRandIndex: stability.meanAdjustedRandIndex,
        unstablePersonas: stability.clusters.filter((cluster) => !cluster.isStable).length,
      },
      warnings,
    },
    artifacts: {
      ...best.artifacts,
      // An empty persona (possible when k exceeds the distinct customers) classifies no one.
      distanceThresholds: outliers.clusters.map((cluster) => cluster.distanceThreshold ?? 0),
      map: computeMap(encoded, best.labels, denseCenters, request.seed),
    },
    quality: outliers.clusters.map((cluster, index) => {
      const clusterStability = stability?.clusters[index];
      const reasons = cluster.reasons.map((reason) => reason.message);
      if (clusterStability && !clusterStability.isStable) {
        reasons.push(`unstable: it matched its bootstrap re-fits with a mean Jaccard similarity of ${clusterStability.meanJaccard.toFixed(2)} (below 0.75)`);
      }
      return {
        stability: clusterStability?.meanJaccard ?? null,
        isStable: clusterStability?.isStable ?? null,
        isDataQuality: cluster.isDataQualityCluster,
        reasons,
        distanceThreshold: cluster.distanceThreshold,
        nearDuplicateOf: null,
      };
    }),
  };
}

function rootMeanSquare(squaredDistances: Float64Array, labels: Int32Array, k: number): Float64Array {
  const sums = new Float64Array(k);
  const counts = new Float64Array(k);
  for (let i = 0; i < labels.length; i++) {
    sums[labels[i]!]! += squaredDistances[i]!;
    counts[labels[i]!]!++;
  }
  return sums.map((sum, c) => (counts[c]! > 0 ? Math.sqrt(sum / counts[c]!) : 0));
}

/**
 * Hennig's bootstrap stability of the chosen partition: the callback re-fits the same algorithm and k
 * on each resample. The rows travel as indices (a one-column matrix), so every algorithm re-fits from
 * its own encoding.
 */
function assessStability(encoded: EncodedRows, best: Candidate, request: SegmentationRequest) {
  const n = encoded.dense.rows;
  const rows = n > STABILITY_SAMPLE_SIZE ? createRandom(request.seed).sampleIndices(n, STABILITY_SAMPLE_SIZE) : Int32Array.from({ length: n }, (_, i) => i);
  const indices = { data: Float64Array.from(rows), rows: rows.length, cols: 1 };
  const labels = Int32Array.from(rows, (row) => best.labels[row]!);
  // Hennig's re-fits start afresh: a warm start would make any partition look stable.
  const single = { ...request, nInit: 1, warmStart: undefined };
  return assessClusterStability(
    indices,
    labels,
    best.k,
    (sample, seed) => fitCandidate(best.algorithm, selectRows(encoded, sample.data), best.k, { ...single, seed }, () => {}, { isScored: false }).labels,
    { resamples: request.stabilityResamples, seed: request.seed },
  );
}

/** The encoded rows at the given indices (a bootstrap resample or a sample). */
function selectRows(encoded: EncodedRows, indices: ArrayLike<number>): EncodedRows {
  const m = indices.length;
  const pick = <T extends Float64Array | Int32Array>(source: T, cols: number, make: (length: number) => T): T => {
    const out = make(m * cols);
    for (let r = 0; r < m; r++) out.set(source.subarray(indices[r]! * cols, (indices[r]! + 1) * cols), r * cols);
    return out;
  };
  const { dense, numeric, codes } = encoded;
  return {
    dense: { data: pick(dense.data, dense.cols, (l) => new Float64Array(l)), rows: m, cols: dense.cols },
    categoricalFeatures: encoded.categoricalFeatures,
    numeric: { data: pick(numeric.data, numeric.cols, (l) => new Float64Array(l)), rows: m, cols: numeric.cols },
    codes: { data: pick(codes.data, codes.cols, (l) => new Int32Array(l)), rows: m, cols: codes.cols, cardinalities: codes.cardinalities },
    imputedFraction: Float64Array.from({ length: m }, (_, r) => encoded.imputedFraction[indices[r]!]!),
  };
}

/** 2-D map of the encoded space: PCA fitted on (a sample of) the customers; centroids and a customer sample projected. */
function computeMap(encoded: EncodedRows, labels: Int32Array, denseCenters: DenseMatrix, seed: number): ModelArtifacts['map'] {
  const n = encoded.dense.rows;
  if (n < 2 || encoded.dense.cols < 2) return null;
  const random = createRandom(seed);
  const fitRows = n > MAP_FIT_SAMPLE_SIZE ? random.sampleIndices(n, MAP_FIT_SAMPLE_SIZE) : Int32Array.from({ length: n }, (_, i) => i);
  const pca = fitPca(selectRows(encoded, fitRows).dense, 2);
  const sampleRows = Int32Array.from(random.sampleIndices(n, MAP_SAMPLE_SIZE)).sort();
  const projectedSample = projectRows(pca, selectRows(encoded, sampleRows).dense);
  const projectedCenters = projectRows(pca, denseCenters);
  const point = (m: DenseMatrix, i: number): [number, number] => [m.data[i * 2]!, m.data[i * 2 + 1]!];
  return {
    explainedVarianceRatio: Array.from(pca.explainedVarianceRatio),
    mean: Array.from(pca.mean),
    components: [Array.from(pca.components.data.subarray(0, pca.components.cols)), Array.from(pca.components.data.subarray(pca.components.cols))],
    centroids: Array.from({ length: denseCenters.rows }, (_, c) => point(projectedCenters, c)),
    sample: Array.from(sampleRows, (row, i) => [...point(projectedSample, i), labels[row]!] as [number, number, number]),
  };
}

function isBetter(candidate: Candidate, incumbent: Candidate, criterion: 'fixed' | 'silhouette' | 'bic'): boolean {
  // Ties keep the smaller k (the incumbent: candidates come in increasing k).
  if (criterion === 'bic') return candidate.scores.bic! < incumbent.scores.bic!;
  return candidate.scores.silhouette > incumbent.scores.silhouette;
}

function kmeansOptions(k: number, request: Pick<SegmentationRequest, 'seed' | 'nInit' | 'warmStart'>, onProgress: (progress: SegmentationProgress) => void): KMeansOptions {
  const start = request.warmStart?.algorithm === 'kmeans' ? { initialCenters: request.warmStart.centers, nInit: 1 } : { nInit: request.nInit };
  return { k, seed: request.seed, ...start, onIteration: ({ iteration }) => onProgress({ phase: 'fitting', algorithm: 'kmeans', k, iteration }) };
}

/**
 * One fitted candidate with its scores. k-means fits may come in precomputed (`kmeansFit`, from a
 * parallel fitter); the others are fitted here.
 */
function fitCandidate(
  algorithm: Algorithm,
  encoded: EncodedRows,
  k: number,
  request: SegmentationRequest,
  onProgress: (progress: SegmentationProgress) => void,
  options: { isScored: boolean; kmeansFit?: KMeansResult | null } = { isScored: true },
): Candidate {
  // Bootstrap re-fits only need labels; scoring them would dominate the cost.
  const score = (labels: Int32Array): KSelectionEntry =>
    options.isScored ? scoresInDenseSpace(encoded.dense, labels, k, request.seed) : { k, inertia: 0, silhouette: 0, calinskiHarabasz: 0, daviesBouldin: 0 };
  switch (algorithm) {
    case 'kmeans': {
      const fit = options.kmeansFit ?? fitKMeans(encoded.dense, kmeansOptions(k, request, onProgress));
      const distances = squaredDistancesToCenters(encoded.dense, fit.labels, fit.centers).map(Math.sqrt);
      onProgress({ phase: 'scoring', algorithm, k });
      return {
        algorithm,
        k,
        labels: fit.labels,
        distances,
        servingCenters: fit.centers,
        scores: score(fit.labels),
        iterations: fit.iterations,
        converged: fit.converged,
        warnings: fit.warnings,
        extra: {},
        artifacts: {},
      };
    }
    case 'kprototypes': {
      const mixed = {
        numeric: encoded.numeric,
        categorical: { codes: encoded.codes.data, rows: encoded.codes.rows, cols: encoded.codes.cols, cardinalities: encoded.codes.cardinalities },
      };
      // Cao's density-based initialisation (kmodes' default) with nInit restarts of the numeric part.
      const start = request.warmStart?.algorithm === 'kprototypes' ? request.warmStart : null;
      const fit = fitKPrototypes(
        mixed,
        start
          ? { k, seed: request.seed, initialPrototypes: start.prototypes, gamma: start.gamma }
          : { k, seed: request.seed, nInit: request.nInit, init: 'cao', ...(request.gamma === null ? {} : { gamma: request.gamma }) },
      );
      const prediction = predictKPrototypes(fit, mixed);
      onProgress({ phase: 'scoring', algorithm, k });
      const q = encoded.codes.cols;
      return {
        algorithm,
        k,
        labels: fit.labels,
        // Dissimilarity is squared distance plus gamma × mismatches; its root reads as a distance.
        distances: prediction.distances.map(Math.sqrt),
        servingCenters: fit.numericCentroids,
        scores: { ...score(fit.labels), cost: fit.cost },
        iterations: fit.iterations,
        converged: fit.converged,
        warnings: fit.warnings,
        extra: { cost: fit.cost, gamma: fit.gamma },
        artifacts: {
          kprototypes: { gamma: fit.gamma, modes: Array.from({ length: k }, (_, c) => Array.from(fit.modes.subarray(c * q, (c + 1) * q))) },
        },
      };
    }
    case 'gmm': {
      const fit = fitGaussianMixture(encoded.dense, {
        k,
        covarianceType: request.covarianceType,
        seed: request.seed,
        ...(request.warmStart?.algorithm === 'gmm' ? { init: request.warmStart.init } : { nInit: request.nInit }),
        onIteration: ({ iteration }) => onProgress({ phase: 'fitting', algorithm, k, iteration }),
      });
      onProgress({ phase: 'scoring', algorithm, k });
      return {
        algorithm,
        k,
        labels: fit.labels,
        distances: squaredDistancesToCenters(encoded.dense, fit.labels, fit.means).map(Math.sqrt),
        servingCenters: fit.means,
        scores: { ...score(fit.labels), bic: fit.bic },
        iterations: fit.iterations,
        converged: fit.converged,
        warnings: fit.warnings,
        extra: { bic: fit.bic, aic: fit.aic, logLikelihood: fit.meanLogLikelihood },
        artifacts: {
          gmm: {
            covarianceType: fit.covarianceType,
            weights: Array.from(fit.weights),
            covariances: Array.from(fit.covariances),
            precisionsCholesky: Array.from(fit.precisionsCholesky),
          },
        },
      };
    }
  }
}

/** Scores of a labelling, all in the dense encoded space so they compare across algorithms. */
function scoresInDenseSpace(x: DenseMatrix, labels: Int32Array, k: number, seed: number): KSelectionEntry {
  const centers = clusterMeans(x, labels, k);
  let inertia = 0;
  for (const distance of squaredDistancesToCenters(x, labels, centers)) inertia += distance;
  return {
    k,
    inertia,
    silhouette: computeSilhouette(x, labels, k, { sampleSize: SILHOUETTE_SAMPLE_SIZE, seed }).score,
    calinskiHarabasz: computeCalinskiHarabasz(x, labels, k),
    daviesBouldin: computeDaviesBouldin(x, labels, k),
  };
}

function countLabels(labels: Int32Array, k: number): Int32Array {
  const counts = new Int32Array(k);
  for (const label of labels) counts[label]!++;
  return counts;
}

/** Mean of each cluster's rows (k × d); an empty cluster's centre is the zero vector. */
export function clusterMeans(x: DenseMatrix, labels: Int32Array, k: number): DenseMatrix {
  const d = x.cols;
  const sums = new Float64Array(k * d);
  const counts = countLabels(labels, k);
  for (let i = 0; i < x.rows; i++) {
    const offset = labels[i]! * d;
    for (let j = 0; j < d; j++) sums[offset + j]! += x.data[i * d + j]!;
  }
  for (let c = 0; c < k; c++) {
    if (counts[c] === 0) continue;
    for (let j = 0; j < d; j++) sums[c * d + j]! /= counts[c]!;
  }
  return { data: sums, rows: k, cols: d };
}

function squaredDistancesToCenters(x: DenseMatrix, labels: Int32Array, centers: DenseMatrix): Float64Array {
  const d = x.cols;
  const out = new Float64Array(x.rows);
  for (let i = 0; i < x.rows; i++) {
    const offset = labels[i]! * d;
    let sum = 0;
    for (let j = 0; j < d; j++) {
      const diff = x.data[i * d + j]! - centers.data[offset + j]!;
      sum += diff * diff;
    }
    out[i] = sum;
  }
  return out;
}
