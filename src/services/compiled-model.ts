/**
 * A model compiled for serving: centroids, encoders and algorithm parameters in typed arrays and
 * maps, built once at start-up or activation, so /v1/assign encodes a customer and compares it with
 * k personas without touching the database or allocating per persona.
 */
import type { Algorithm, DriftBaseline, FeatureSchema, ModelArtifacts, NumericFeature, StoredModel } from '../domain/model.ts';
import type { DenseMatrix, GaussianMixtureModel, KPrototypesModel } from '../engine/index.ts';

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
  /** Training categories, in code order. */
  categories: readonly string[];
  categoryIndex: ReadonlyMap<string, number>;
}

export type CompiledFeature = CompiledNumericFeature | CompiledCategoricalFeature;

/** What placing a customer needs: the encodings, centres and algorithm parameters (no identity). */
export interface ScoringModel {
  readonly algorithm: Algorithm;
  readonly k: number;
  /** Columns of `centers`: the dense encoding (k-means, mixtures) or the numeric features (k-prototypes). */
  readonly d: number;
  /** k × d, row-major: centroids, mixture means, or the numeric prototypes of k-prototypes. */
  readonly centers: Float64Array;
  readonly features: readonly CompiledFeature[];
  readonly featureByName: ReadonlyMap<string, CompiledFeature>;
  readonly numericCount: number;
  readonly categoricalCount: number;
  readonly kprototypes: KPrototypesModel | null;
  /** Gaussian mixtures: the fitted mixture (its means are `centers`). */
  readonly mixture: GaussianMixtureModel | null;
  /** Softmax temperature of the confidence of hard clusterings (calibrated at training). */
  readonly temperature: number;
  /** Per persona and feature, the members' spread: numeric sd (k × numericCount) and, per categorical slot, category shares (k × width). */
  readonly personaSpread: PersonaSpread;
}

export interface PersonaSpread {
  numericSd: Float64Array;
  categoryShares: readonly Float64Array[];
}

export interface CompiledModel extends ScoringModel {
  readonly id: string;
  readonly name: string;
  readonly version: number;
  readonly activatedAt: Date | null;
  /** Dataset columns that are not features: accepted by /v1/assign and ignored. */
  readonly ignoredColumns: ReadonlySet<string>;
  readonly personas: ReadonlyArray<{ id: string; key: string; name: string }>;
  /** Per persona, the distance beyond which a customer is unclassified (empty: no thresholds). */
  readonly distanceThresholds: Float64Array;
  /** Training distributions that serving traffic is compared with (null: trained before drift existed). */
  readonly driftBaseline: DriftBaseline | null;
}

export function compileModel(stored: StoredModel): CompiledModel {
  const personas = [...stored.personas].sort((a, b) => a.index - b.index).map(({ id, key, name }) => ({ id, key, name }));
  return {
    ...compileScoring(stored.featureSchema, stored.algorithm, stored.centroids, stored.artifacts),
    id: stored.id,
    name: stored.name,
    version: stored.version,
    activatedAt: stored.activatedAt,
    ignoredColumns: new Set(stored.featureSchema.ignoredColumns),
    personas,
    distanceThresholds: Float64Array.from(stored.artifacts.distanceThresholds),
    driftBaseline: stored.artifacts.drift ?? null,
  };
}

/** The scoring half of a model, also built at training to calibrate the confidence before the model is stored. */
export function compileScoring(schema: FeatureSchema, algorithm: Algorithm, centroids: DenseMatrix, artifacts: ModelArtifacts): ScoringModel {
  let numericCount = 0;
  let categoricalCount = 0;
  const features: CompiledFeature[] = schema.features.map((feature) =>
    feature.kind === 'numeric'
      ? { kind: 'numeric', name: feature.name, column: feature.column, slot: numericCount++, spec: feature }
      : {
          kind: 'categorical',
          name: feature.name,
          column: feature.column,
          slot: categoricalCount++,
          width: feature.categories.length,
          weight: feature.weight,
          categories: feature.categories,
          categoryIndex: new Map(feature.categories.map((label, index) => [label, index])),
        },
  );
  const k = centroids.rows;
  const { kprototypes, gmm } = artifacts;
  return {
    algorithm,
    k,
    d: centroids.cols,
    centers: centroids.data,
    features,
    featureByName: new Map(features.map((feature) => [feature.name, feature])),
    numericCount,
    categoricalCount,
    kprototypes: kprototypes ? { numericCentroids: centroids, modes: Int32Array.from(kprototypes.modes.flat()), gamma: kprototypes.gamma } : null,
    mixture: gmm
      ? {
          covarianceType: gmm.covarianceType,
          weights: Float64Array.from(gmm.weights),
          means: centroids,
          covariances: Float64Array.from(gmm.covariances),
          precisionsCholesky: Float64Array.from(gmm.precisionsCholesky),
        }
      : null,
    temperature: artifacts.temperature ?? 1,
    personaSpread: compileSpread(artifacts.personaSpread, features, k),
  };
}

/** Models stored before spreads existed get unit standard deviations and even category shares. */
function compileSpread(stored: ModelArtifacts['personaSpread'], features: readonly CompiledFeature[], k: number): PersonaSpread {
  const numeric = features.filter((feature) => feature.kind === 'numeric');
  const categorical = features.filter((feature) => feature.kind === 'categorical');
  if (!stored) {
    return {
      numericSd: new Float64Array(k * numeric.length).fill(1),
      categoryShares: categorical.map((feature) => new Float64Array(k * feature.width).fill(1 / feature.width)),
    };
  }
  return {
    numericSd: Float64Array.from(stored.numericSd.flat()),
    categoryShares: categorical.map((_feature, slot) => Float64Array.from(stored.categoryShares.flatMap((persona) => persona[slot]!))),
  };
}
