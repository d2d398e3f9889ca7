import { z } from 'zod';
import { ProtectedOverride } from './fairness.ts';

export const ModelStatus = z.enum(['candidate', 'active', 'inactive']);
export type ModelStatus = z.infer<typeof ModelStatus>;

/** Clustering algorithms a model can be trained with. */
export const Algorithm = z.enum(['kmeans', 'kprototypes', 'gmm']);
export type Algorithm = z.infer<typeof Algorithm>;

/** What a training request may ask for: an algorithm, or `auto` to let the data decide. */
export const RequestedAlgorithm = z.enum(['kmeans', 'kprototypes', 'gmm', 'auto']);
export type RequestedAlgorithm = z.infer<typeof RequestedAlgorithm>;

export const NumericTransform = z.enum(['none', 'log1p']);
export type NumericTransform = z.infer<typeof NumericTransform>;

export const NumericScaling = z.enum(['standard', 'robust']);
export type NumericScaling = z.infer<typeof NumericScaling>;

/**
 * Fitted preprocessing of one numeric feature: missing → training median; optional log1p; clipping to
 * the training bounds; then (value − center) / scale (mean and standard deviation, or median and IQR).
 */
export const NumericFeature = z.object({
  name: z.string(),
  kind: z.literal('numeric'),
  /** Column of the feature in the encoded matrix. */
  column: z.number().int().nonnegative(),
  transform: NumericTransform,
  scaling: NumericScaling,
  /** Bounds in transformed units; values outside are clipped before scaling (null: no clipping). */
  clip: z.object({ lower: z.number(), upper: z.number() }).nullable(),
  center: z.number(),
  scale: z.number().positive(),
  /** Imputation value, in the original units. */
  median: z.number(),
  /** Population mean and standard deviation in the original units (for profiles and explanations). */
  mean: z.number(),
  std: z.number().nonnegative(),
  missingRate: z.number().min(0).max(1),
});
export type NumericFeature = z.infer<typeof NumericFeature>;

/** Fitted preprocessing of one categorical feature: weighted one-hot (or codes for k-prototypes) over the training categories. */
export const CategoricalFeature = z.object({
  name: z.string(),
  kind: z.literal('categorical'),
  /** First column of the feature's one-hot block in the encoded matrix. */
  column: z.number().int().nonnegative(),
  /** Categories seen at training, most frequent first; a value's code is its index here. */
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
  /** Width of the dense encoding (numeric columns plus one-hot blocks). */
  encodedColumns: z.number().int().positive(),
  /** Dataset columns that are not features; /v1/assign accepts and ignores them. */
  ignoredColumns: z.array(z.string()),
});
export type FeatureSchema = z.infer<typeof FeatureSchema>;

/** Scores of one candidate k (absent where they do not apply to the algorithm). */
export const KSelectionEntry = z.object({
  k: z.number().int(),
  inertia: z.number().describe('Sum of squared distances to the nearest centre in the encoded space'),
  silhouette: z.number(),
  calinskiHarabasz: z.number(),
  daviesBouldin: z.number(),
  bic: z.number().optional().describe('Bayesian information criterion (Gaussian mixtures; lower is better)'),
  cost: z.number().optional().describe('k-prototypes cost: squared distance plus gamma × category mismatches'),
});
export type KSelectionEntry = z.infer<typeof KSelectionEntry>;

const PersonaReference = z.object({ key: z.string(), name: z.string() });

export const PersonaContinuity = z
  .object({
    previousModelId: z.uuid().optional(),
    previousVersion: z.number().int().optional(),
    matched: z.array(z.object({ from: PersonaReference, to: PersonaReference, distance: z.number() })).describe('Matched pairs: the later persona inherits the key and human edits'),
    new: z.array(PersonaReference).describe('Personas of the later version without a counterpart'),
    vanished: z.array(PersonaReference).describe('Personas of the earlier version without a counterpart'),
    sharedFeatures: z.array(z.string()).describe('Features the comparison used'),
  })
  .meta({ id: 'PersonaContinuity' });

/**
 * Calibration of /v1/assign's confidence, measured at training: held-out customers with a random subset
 * of their features (1 to all) are placed as /v1/assign would place them, and "correct" means the
 * persona they get with every feature.
 */
export const ConfidenceCalibration = z
  .object({
    method: z
      .enum(['temperature', 'posterior'])
      .describe('temperature: softmax of negative costs with a fitted temperature (k-means, k-prototypes); posterior: the mixture’s own membership probabilities'),
    temperature: z.number().nullable().describe('The fitted softmax temperature (null for mixtures)'),
    calibrationRows: z.number().int().describe('Customers the temperature was fitted on'),
    heldOutRows: z.number().int().describe('Other customers the calibration error was measured on'),
    expectedCalibrationError: z.number().describe('Mean gap between confidence and accuracy over 10 confidence bins, weighted by rows (0 is perfect)'),
    accuracy: z.number().describe('Share of held-out partial customers placed in their full-data persona'),
    meanConfidence: z.number(),
    byFeaturesGiven: z
      .array(z.object({ features: z.number().int(), rows: z.number().int(), accuracy: z.number(), meanConfidence: z.number() }))
      .describe('The same, by how many features the customer gave'),
  })
  .meta({ id: 'ConfidenceCalibration' });
export type ConfidenceCalibration = z.infer<typeof ConfidenceCalibration>;

export const ModelMetrics = z
  .object({
    k: z.number().int().positive(),
    customers: z.number().int().positive().describe('Customers the model was trained on'),
    inertia: z.number().describe('Sum of squared distances to the nearest centroid, in the standardized (encoded) space'),
    silhouette: z.number().describe('Mean silhouette coefficient in the encoded space (−1…1; higher is better separated)'),
    silhouetteSampleSize: z.number().int().describe('Rows the silhouette was computed on (all rows up to 5,000, else a seeded sample)'),
    silhouetteSeed: z.number().int().describe('Seed of the silhouette sample'),
    calinskiHarabasz: z.number(),
    daviesBouldin: z.number(),
    bic: z.number().optional().describe('Gaussian mixtures: Bayesian information criterion'),
    aic: z.number().optional(),
    logLikelihood: z.number().optional().describe('Gaussian mixtures: mean log-likelihood per customer'),
    cost: z.number().optional().describe('k-prototypes: squared distance plus gamma × category mismatches'),
    gamma: z.number().optional().describe('k-prototypes: weight of one category mismatch'),
    sizes: z.array(z.number().int()).describe('Customers per persona, by persona index'),
    iterations: z.number().int(),
    converged: z.boolean(),
    kSelection: z.array(KSelectionEntry).describe('Scores of every k tried when kRange was given'),
    selection: z
      .object({
        criterion: z.enum(['fixed', 'silhouette', 'bic']),
        reason: z.string().describe('Why this algorithm and k were chosen, in words'),
      })
      .describe('How k (and, for algorithm "auto", the algorithm) was chosen'),
    stability: z
      .object({
        resamples: z.number().int(),
        seed: z.number().int(),
        meanAdjustedRandIndex: z.number().describe('Mean agreement of bootstrap re-fits with the full-data partition'),
        unstablePersonas: z.number().int(),
      })
      .nullable()
      .describe('Bootstrap stability (Hennig 2007); null when not computed'),
    drivers: z
      .object({
        model: z.string().describe('The surrogate classifier that explains the personas'),
        heldOutAccuracy: z.number().nullable().describe('Share of held-out customers whose persona the surrogate predicts: the fidelity of the drivers'),
        trainAccuracy: z.number(),
        rows: z.number().int().describe('Customers the surrogate was fitted and tested on (a seeded sample above 20,000)'),
      })
      .nullable()
      .default(null),
    calibration: ConfidenceCalibration.nullable()
      .default(null)
      .describe("How well /v1/assign's confidence tracks accuracy (null for models trained before calibration existed)"),
    continuity: PersonaContinuity.nullable()
      .default(null)
      .describe('How the personas match those of the version that was active when this one was trained (null for the first version)'),
    trainingMs: z.number().int(),
    warnings: z.array(z.string()),
  })
  .meta({ id: 'ModelMetrics' });
export type ModelMetrics = z.infer<typeof ModelMetrics>;

/** Per-feature choices a training request may make. */
export const FeatureRequest = z
  .object({
    name: z.string().min(1),
    kind: z.enum(['numeric', 'categorical']).optional().describe('Force the column kind (default: as inferred at upload)'),
    transform: z.enum(['none', 'log1p', 'auto']).optional().describe('log1p for skewed money-like columns; auto: when skewness > 1 and no value is negative'),
    scaling: NumericScaling.optional().describe('standard: z-score; robust: (x − median) / IQR'),
    clip: z.boolean().optional().describe('Clip values beyond 5 standard deviations of the (transformed) training values'),
  })
  .strict();
export type FeatureRequest = z.infer<typeof FeatureRequest>;

export const ModelParameters = z.object({
  algorithm: Algorithm,
  requestedAlgorithm: RequestedAlgorithm,
  k: z.number().int().nullable(),
  kRange: z.tuple([z.number().int(), z.number().int()]).nullable(),
  seed: z.number().int(),
  nInit: z.number().int(),
  features: z.array(z.string()),
  exclude: z.array(z.string()),
  categoricalWeight: z.number(),
  covarianceType: z.enum(['diag', 'full']).nullable().describe('Gaussian mixtures only'),
  gamma: z.number().nullable().describe('k-prototypes only: as requested (null: the default)'),
  stabilityResamples: z.number().int(),
  mergedFrom: z
    .object({
      modelId: z.uuid(),
      version: z.number().int(),
      personas: z.array(z.object({ id: z.uuid(), key: z.string(), name: z.string() })),
    })
    .nullable()
    .default(null)
    .describe('Set on a version made by POST /v1/models/{id}/merge: the version and the personas merged'),
  protectedAttributes: z.array(z.string()).default([]).describe("Protected columns (the dataset's and the request's): not features unless overridden, audited for fairness"),
  includeProtected: ProtectedOverride.nullable().default(null).describe('The override that made protected columns features: which, why, and who asked (null: none)'),
});
export type ModelParameters = z.infer<typeof ModelParameters>;

/** Model internals that serving and the persona board need beyond the centroids. */
/**
 * Per feature the training distribution over bins (values present only; a customer who does not give
 * a feature at assignment is not counted either): numerics by their decile cut points (original
 * units), categories by the training categories plus a last bin for any other value. Also the
 * persona shares.
 */
export const DriftBaseline = z.object({
  features: z.array(
    z.discriminatedUnion('kind', [
      z.object({ name: z.string(), kind: z.literal('numeric'), cuts: z.array(z.number()), shares: z.array(z.number()) }),
      z.object({ name: z.string(), kind: z.literal('categorical'), categories: z.array(z.string()), shares: z.array(z.number()) }),
    ]),
  ),
  personaShares: z.array(z.number()),
});
export type DriftBaseline = z.infer<typeof DriftBaseline>;

export const ModelArtifacts = z.object({
  /** Per persona: the 99th percentile of its members' distances to the centre; farther customers are unclassified. */
  distanceThresholds: z.array(z.number()).default([]),
  kprototypes: z.object({ gamma: z.number(), modes: z.array(z.array(z.number().int())) }).optional(),
  gmm: z
    .object({
      covarianceType: z.enum(['diag', 'full']),
      weights: z.array(z.number()),
      /** k × d (diag) or k × d × d (full), flattened row-major. */
      covariances: z.array(z.number()),
      /** Cholesky factors of the precisions, same layout (what the densities are evaluated with). */
      precisionsCholesky: z.array(z.number()),
    })
    .optional(),
  /** Softmax temperature of /v1/assign's confidence for k-means and k-prototypes (absent: models trained before calibration; 1 is used). */
  temperature: z.number().positive().optional(),
  /**
   * Per persona, how each feature is spread among its members (in the scaled space): numeric standard
   * deviations (k × numeric features, schema order) and category shares (k × categorical features ×
   * categories). The next-question suggestion draws plausible answers from them.
   */
  personaSpread: z.object({ numericSd: z.array(z.array(z.number())), categoryShares: z.array(z.array(z.array(z.number()))) }).optional(),
  /** The training distributions drift is measured against (absent: models trained before drift existed). */
  drift: DriftBaseline.optional(),
  /** 2-D map: PCA of the encoded space, with the centroids and a sample of customers projected. */
  map: z
    .object({
      explainedVarianceRatio: z.array(z.number()),
      mean: z.array(z.number()),
      components: z.array(z.array(z.number())),
      centroids: z.array(z.tuple([z.number(), z.number()])),
      sample: z.array(z.tuple([z.number(), z.number(), z.number().int()])).describe('x, y, persona index'),
    })
    .nullable()
    .default(null),
});
export type ModelArtifacts = z.infer<typeof ModelArtifacts>;

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
  artifacts: ModelArtifacts;
  centroids: { data: Float64Array; rows: number; cols: number };
  personas: Array<{ id: string; index: number; key: string; name: string }>;
}
