/**
 * A model compiled for serving: centroids, encoders and algorithm parameters in typed arrays and
 * maps, built once at start-up or activation, so /v1/assign encodes a customer and compares it with
 * k personas without touching the database or allocating per persona.
 */
import type { Algorithm, NumericFeature, StoredModel } from '../domain/model.ts';
import type { GaussianMixtureModel, KPrototypesModel } from '../engine/index.ts';

export interface CompiledNumericFeature {
  kind: 'numeric';
  name: string;
  /** Column in the dense encoding (k-means, mixtures). */
  column: number;
  /** Position among the numeric features (k-prototypes). */
  slot: number;
  /** The fitted preprocessing (transform, clipping, scaling), applied with scaleNumeric. */
  spec: NumericFeature;
}

export interface CompiledCategoricalFeature {
  kind: 'categorical';
  name: string;
  /** First column of the one-hot block in the dense encoding. */
  column: number;
  /** Position among the categorical features (k-prototypes). */
  slot: number;
  width: number;
  weight: number;
  categoryIndex: ReadonlyMap<string, number>;
}

export type CompiledFeature = CompiledNumericFeature | CompiledCategoricalFeature;

export interface CompiledModel {
  readonly id: string;
  readonly name: string;
  readonly version: number;
  readonly algorithm: Algorithm;
  readonly activatedAt: Date | null;
  readonly k: number;
  /** Columns of `centers`: the dense encoding (k-means, mixtures) or the numeric features (k-prototypes). */
  readonly d: number;
  /** k × d, row-major: centroids, mixture means, or the numeric prototypes of k-prototypes. */
  readonly centers: Float64Array;
  readonly features: readonly CompiledFeature[];
  readonly featureByName: ReadonlyMap<string, CompiledFeature>;
  readonly numericCount: number;
  readonly categoricalCount: number;
  /** Dataset columns that are not features: accepted by /v1/assign and ignored. */
  readonly ignoredColumns: ReadonlySet<string>;
  readonly personas: ReadonlyArray<{ id: string; key: string; name: string }>;
  /** Per persona, the distance beyond which a customer is unclassified (empty: no thresholds). */
  readonly distanceThresholds: Float64Array;
  readonly kprototypes: KPrototypesModel | null;
  /** Gaussian mixtures: the fitted mixture (its means are `centers`). */
  readonly mixture: GaussianMixtureModel | null;
}

export function compileModel(stored: StoredModel): CompiledModel {
  let numericCount = 0;
  let categoricalCount = 0;
  const features: CompiledFeature[] = stored.featureSchema.features.map((feature) =>
    feature.kind === 'numeric'
      ? { kind: 'numeric', name: feature.name, column: feature.column, slot: numericCount++, spec: feature }
      : {
          kind: 'categorical',
          name: feature.name,
          column: feature.column,
          slot: categoricalCount++,
          width: feature.categories.length,
          weight: feature.weight,
          categoryIndex: new Map(feature.categories.map((label, index) => [label, index])),
        },
  );
  const personas = [...stored.personas].sort((a, b) => a.index - b.index).map(({ id, key, name }) => ({ id, key, name }));
  const { kprototypes, gmm, distanceThresholds } = stored.artifacts;
  return {
    id: stored.id,
    name: stored.name,
    version: stored.version,
    algorithm: stored.algorithm,
    activatedAt: stored.activatedAt,
    k: stored.centroids.rows,
    d: stored.centroids.cols,
    centers: stored.centroids.data,
    features,
    featureByName: new Map(features.map((feature) => [feature.name, feature])),
    numericCount,
    categoricalCount,
    ignoredColumns: new Set(stored.featureSchema.ignoredColumns),
    personas,
    distanceThresholds: Float64Array.from(distanceThresholds),
    kprototypes: kprototypes
      ? { numericCentroids: stored.centroids, modes: Int32Array.from(kprototypes.modes.flat()), gamma: kprototypes.gamma }
      : null,
    mixture: gmm
      ? {
          covarianceType: gmm.covarianceType,
          weights: Float64Array.from(gmm.weights),
          means: stored.centroids,
          covariances: Float64Array.from(gmm.covariances),
          precisionsCholesky: Float64Array.from(gmm.precisionsCholesky),
        }
      : null,
  };
}
