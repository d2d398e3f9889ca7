/**
 * A model compiled for serving: centroids and feature encoders in typed arrays and maps, built once
 * at start-up or activation, so /v1/assign encodes a customer and scans k centroids without touching
 * the database or allocating per centroid.
 */
import type { NumericFeature, StoredModel } from '../domain/model.ts';

export interface CompiledNumericFeature {
  kind: 'numeric';
  name: string;
  column: number;
  /** The fitted preprocessing (transform, clipping, scaling), applied with scaleNumeric. */
  spec: NumericFeature;
}

export interface CompiledCategoricalFeature {
  kind: 'categorical';
  name: string;
  column: number;
  width: number;
  weight: number;
  categoryIndex: ReadonlyMap<string, number>;
}

export type CompiledFeature = CompiledNumericFeature | CompiledCategoricalFeature;

export interface CompiledModel {
  readonly id: string;
  readonly name: string;
  readonly version: number;
  readonly activatedAt: Date | null;
  readonly k: number;
  /** Encoded dimensions. */
  readonly d: number;
  /** k × d, row-major, standardized space. */
  readonly centers: Float64Array;
  readonly features: readonly CompiledFeature[];
  readonly featureByName: ReadonlyMap<string, CompiledFeature>;
  /** Dataset columns that are not features: accepted by /v1/assign and ignored. */
  readonly ignoredColumns: ReadonlySet<string>;
  readonly personas: ReadonlyArray<{ id: string; key: string; name: string }>;
}

export function compileModel(stored: StoredModel): CompiledModel {
  const features: CompiledFeature[] = stored.featureSchema.features.map((feature) =>
    feature.kind === 'numeric'
      ? { kind: 'numeric', name: feature.name, column: feature.column, spec: feature }
      : {
          kind: 'categorical',
          name: feature.name,
          column: feature.column,
          width: feature.categories.length,
          weight: feature.weight,
          categoryIndex: new Map(feature.categories.map((label, index) => [label, index])),
        },
  );
  const personas = [...stored.personas].sort((a, b) => a.index - b.index).map(({ id, key, name }) => ({ id, key, name }));
  return {
    id: stored.id,
    name: stored.name,
    version: stored.version,
    activatedAt: stored.activatedAt,
    k: stored.centroids.rows,
    d: stored.centroids.cols,
    centers: stored.centroids.data,
    features,
    featureByName: new Map(features.map((feature) => [feature.name, feature])),
    ignoredColumns: new Set(stored.featureSchema.ignoredColumns),
    personas,
  };
}
