/**
 * The numeric half of training: encoded customers in, a fitted partition with its scores out.
 * Chooses k (silhouette for k-means and k-prototypes, BIC for mixtures), and for `auto` the
 * algorithm; measures every candidate the same way in the dense encoded space, so scores compare
 * across algorithms. Pure: no I/O; progress goes to a callback.
 */
import { UnprocessableDataError } from '../domain/errors.ts';
import type { Algorithm, KSelectionEntry, ModelArtifacts, ModelMetrics, RequestedAlgorithm } from '../domain/model.ts';
import type { PersonaQuality } from '../domain/persona.ts';
import { computeCalinskiHarabasz, computeDaviesBouldin, computeSilhouette, fitKMeans } from '../engine/index.ts';
import type { DenseMatrix } from '../engine/index.ts';
import type { EncodedRows } from './features.ts';

/** Rows the silhouette is computed on; larger datasets use a seeded sample of this size. */
export const SILHOUETTE_SAMPLE_SIZE = 5_000;

export interface SegmentationRequest {
  algorithm: RequestedAlgorithm;
  ks: readonly number[];
  seed: number;
  nInit: number;
  covarianceType: 'diag' | 'full';
  gamma: number | null;
  stabilityResamples: number;
}

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
  /** Centres the algorithm serves with: dense centres (k-means), numeric prototypes (k-prototypes), means (mixtures). */
  servingCenters: DenseMatrix;
  metrics: Omit<ModelMetrics, 'customers' | 'trainingMs'>;
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
export function chooseAlgorithm(requested: RequestedAlgorithm, encoded: EncodedRows): { algorithm: Algorithm; reason: string } {
  if (requested !== 'auto') return { algorithm: requested, reason: `algorithm ${requested} as requested` };
  return encoded.codes.cols > 0
    ? { algorithm: 'kprototypes', reason: 'algorithm auto chose k-prototypes: the features include categorical columns, which it handles natively' }
    : { algorithm: 'kmeans', reason: 'algorithm auto chose k-means: every feature is numeric' };
}

export function computeSegmentation(
  encoded: EncodedRows,
  request: SegmentationRequest,
  onProgress: (progress: SegmentationProgress) => void = () => {},
): Segmentation {
  const { algorithm, reason: algorithmReason } = chooseAlgorithm(request.algorithm, encoded);
  const candidates: Candidate[] = request.ks.map((k) => {
    onProgress({ phase: 'fitting', algorithm, k });
    const candidate = fitCandidate(algorithm, encoded, k, request, onProgress);
    const present = new Set(candidate.labels).size;
    // Scores need two groups; customers identical on the chosen features cannot be segmented.
    if (present < 2) throw new UnprocessableDataError('the customers are identical on the chosen features; no segmentation is possible');
    return candidate;
  });
  const criterion = request.ks.length === 1 ? 'fixed' : algorithm === 'gmm' ? 'bic' : 'silhouette';
  const best = candidates.reduce((a, b) => (isBetter(b, a, criterion) ? b : a));
  const selectionReason =
    criterion === 'fixed'
      ? `k = ${best.k} as requested`
      : criterion === 'bic'
        ? `k = ${best.k} has the lowest BIC (${best.scores.bic!.toFixed(1)}) of k = ${request.ks[0]}…${request.ks.at(-1)}`
        : `k = ${best.k} has the highest silhouette (${best.scores.silhouette.toFixed(3)}) of k = ${request.ks[0]}…${request.ks.at(-1)}`;
  const denseCenters = clusterMeans(encoded.dense, best.labels, best.k);

  return {
    algorithm,
    k: best.k,
    labels: best.labels,
    distances: best.distances,
    denseCenters,
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
      stability: null,
      warnings: best.warnings,
    },
    artifacts: { ...best.artifacts, distanceThresholds: [], map: null },
    quality: Array.from({ length: best.k }, () => ({ stability: null, isStable: null, isDataQuality: false, reasons: [], distanceThreshold: null })),
  };
}

function isBetter(candidate: Candidate, incumbent: Candidate, criterion: 'fixed' | 'silhouette' | 'bic'): boolean {
  // Ties keep the smaller k (the incumbent: candidates come in increasing k).
  if (criterion === 'bic') return candidate.scores.bic! < incumbent.scores.bic!;
  return candidate.scores.silhouette > incumbent.scores.silhouette;
}

function fitCandidate(
  algorithm: Algorithm,
  encoded: EncodedRows,
  k: number,
  request: SegmentationRequest,
  onProgress: (progress: SegmentationProgress) => void,
): Candidate {
  switch (algorithm) {
    case 'kmeans': {
      const fit = fitKMeans(encoded.dense, {
        k,
        seed: request.seed,
        nInit: request.nInit,
        onIteration: ({ iteration }) => onProgress({ phase: 'fitting', algorithm, k, iteration }),
      });
      const distances = squaredDistancesToCenters(encoded.dense, fit.labels, fit.centers).map(Math.sqrt);
      onProgress({ phase: 'scoring', algorithm, k });
      return {
        algorithm,
        k,
        labels: fit.labels,
        distances,
        servingCenters: fit.centers,
        scores: scoresInDenseSpace(encoded.dense, fit.labels, k, request.seed),
        iterations: fit.iterations,
        converged: fit.converged,
        warnings: fit.warnings,
        extra: {},
        artifacts: {},
      };
    }
    case 'kprototypes':
    case 'gmm':
      throw new UnprocessableDataError(`algorithm ${algorithm} is not available yet`);
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
