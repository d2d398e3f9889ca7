import { z } from 'zod';

export const ModelStatus = z.enum(['candidate', 'active', 'inactive']);
export type ModelStatus = z.infer<typeof ModelStatus>;

export const Algorithm = z.enum(['kmeans']);
export type Algorithm = z.infer<typeof Algorithm>;

/** Fitted preprocessing of one numeric feature: z-score with median imputation. */
export const NumericFeature = z.object({
  name: z.string(),
  kind: z.literal('numeric'),
  /** First column of the feature in the encoded matrix. */
  column: z.number().int().nonnegative(),
  mean: z.number(),
  std: z.number().positive(),
  median: z.number(),
  missingRate: z.number().min(0).max(1),
});
export type NumericFeature = z.infer<typeof NumericFeature>;

/** Fitted preprocessing of one categorical feature: weighted one-hot over the categories seen at training. */
export const CategoricalFeature = z.object({
  name: z.string(),
  kind: z.literal('categorical'),
  column: z.number().int().nonnegative(),
  categories: z.array(z.string()).min(1),
  mode: z.string(),
  /** Value of the active one-hot cell, so that a category mismatch costs weight² × 2 in squared distance. */
  weight: z.number().positive(),
  missingRate: z.number().min(0).max(1),
});
export type CategoricalFeature = z.infer<typeof CategoricalFeature>;

export const FeatureSpec = z.discriminatedUnion('kind', [NumericFeature, CategoricalFeature]);
export type FeatureSpec = z.infer<typeof FeatureSpec>;

export const FeatureSchema = z.object({
  features: z.array(FeatureSpec).min(1),
  encodedColumns: z.number().int().positive(),
  /** Dataset columns that are not features; /v1/assign accepts and ignores them. */
  ignoredColumns: z.array(z.string()),
});
export type FeatureSchema = z.infer<typeof FeatureSchema>;

export const KSelectionEntry = z.object({
  k: z.number().int(),
  inertia: z.number(),
  silhouette: z.number(),
});

export const ModelMetrics = z
  .object({
    k: z.number().int().positive(),
    customers: z.number().int().positive().describe('Customers the model was trained on'),
    inertia: z.number().describe('Sum of squared distances to the nearest centroid, in the standardized space'),
    silhouette: z.number().describe('Mean silhouette coefficient (−1…1; higher is better separated)'),
    silhouetteSampleSize: z.number().int().describe('Rows the silhouette was computed on (all rows up to 5,000, else a seeded sample)'),
    calinskiHarabasz: z.number(),
    daviesBouldin: z.number(),
    sizes: z.array(z.number().int()).describe('Customers per persona, by persona index'),
    iterations: z.number().int(),
    converged: z.boolean(),
    kSelection: z.array(KSelectionEntry).describe('Scores of every k tried when kRange was given'),
    trainingMs: z.number().int(),
    warnings: z.array(z.string()),
  })
  .meta({ id: 'ModelMetrics' });
export type ModelMetrics = z.infer<typeof ModelMetrics>;

export const ModelParameters = z.object({
  algorithm: Algorithm,
  k: z.number().int().nullable(),
  kRange: z.tuple([z.number().int(), z.number().int()]).nullable(),
  seed: z.number().int(),
  nInit: z.number().int(),
  features: z.array(z.string()),
  categoricalWeight: z.number(),
});
export type ModelParameters = z.infer<typeof ModelParameters>;

export interface ModelSummary {
  id: string;
  name: string;
  version: number;
  status: ModelStatus;
  algorithm: Algorithm;
  parameters: ModelParameters;
  metrics: ModelMetrics;
  datasetId: string | null;
  createdAt: Date;
  activatedAt: Date | null;
}

/** A model with everything /v1/assign needs, as stored. */
export interface StoredModel extends ModelSummary {
  featureSchema: FeatureSchema;
  centroids: { data: Float64Array; rows: number; cols: number };
  personas: Array<{ id: string; index: number; key: string; name: string }>;
}
