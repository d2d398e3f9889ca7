import { z } from 'zod';
import { Algorithm, FeatureRequest, ModelMetrics, ModelParameters, ModelStatus, NumericScaling, PersonaContinuity, RequestedAlgorithm } from '../domain/model.ts';
import { PersonaQuality } from '../domain/persona.ts';
import { FairnessAudit, FairnessThresholds, FairnessVerdict } from '../domain/fairness.ts';
import { Timestamp } from './common.ts';

const MAX_K = 50;

export const TrainModelRequest = z
  .object({
    name: z.string().min(1).max(100).regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'letters, digits, ".", "_" and "-" only, starting with a letter or digit').describe('Model name; each training adds a version under it'),
    datasetId: z.uuid().describe('Dataset to train on'),
    algorithm: RequestedAlgorithm.optional().describe(
      'kmeans (default); kprototypes for mixed numeric and categorical data (Huang); gmm for soft membership (Gaussian mixture); auto: k-prototypes when a feature is categorical, k-means otherwise',
    ),
    features: z
      .array(z.union([z.string().min(1), FeatureRequest]))
      .min(1)
      .max(200)
      .optional()
      .describe('Columns to cluster on, by name or with per-feature choices (default: every usable column not excluded)'),
    exclude: z.array(z.string().min(1)).max(200).optional().describe('Columns kept out of the default features: ids, targets such as churn'),
    protectedAttributes: z
      .array(z.string().min(1))
      .max(200)
      .optional()
      .describe("Protected columns (gender, age band, marital status, region…) besides those declared on the dataset: kept out of the features and audited (GET /v1/models/{id}/fairness). Naming one in `features` is refused (422) without `includeProtected`"),
    includeProtected: z
      .object({
        columns: z.array(z.string().min(1)).min(1).max(200).describe('Protected columns allowed as features'),
        reason: z.string().trim().min(3).max(1000).describe('Why; stored with the model beside the API key that asked'),
      })
      .strict()
      .optional()
      .describe('Override: lets protected columns be features (default features then include them); recorded in parameters.includeProtected'),
    preprocessing: z
      .object({
        scaling: NumericScaling.optional().describe('standard (default): z-scores; robust: (x − median) / IQR'),
        transform: z.enum(['none', 'log1p', 'auto']).optional().describe('auto (default): log1p for non-negative columns with skewness above 1'),
        clip: z.boolean().optional().describe('Clip values beyond 5 standard deviations (default true)'),
      })
      .strict()
      .optional()
      .describe('Defaults for every numeric feature (a feature object overrides them)'),
    k: z.number().int().min(2).max(MAX_K).optional().describe('Number of personas'),
    kRange: z
      .tuple([z.number().int().min(2).max(MAX_K), z.number().int().min(2).max(MAX_K)])
      .refine(([from, to]) => from <= to, 'the range must not be reversed')
      .optional()
      .describe('Choose k in this inclusive range by silhouette (default [2, 8] when k is absent)'),
    seed: z.number().int().min(0).max(2 ** 32 - 1).optional().describe('Random seed; the same data, options and seed give the same model (default 42)'),
    nInit: z.number().int().min(1).max(20).optional().describe('k-means++ restarts, keeping the lowest inertia (default 3)'),
    categoricalWeight: z.number().positive().max(10).optional().describe('One-hot value of a categorical feature (default 1/√2: a category mismatch costs as much as 1 sd on a numeric feature)'),
    covarianceType: z.enum(['diag', 'full']).optional().describe('Gaussian mixtures: per-feature variances (diag, default) or full covariance matrices'),
    gamma: z.number().positive().max(100).optional().describe('k-prototypes: cost of one category mismatch (default: half the mean standard deviation of the numeric features, 0.5)'),
    stabilityResamples: z.number().int().min(0).max(100).optional().describe('Bootstrap re-fits for persona stability (default 10; 0 skips it)'),
  })
  .strict()
  .refine((request) => request.k === undefined || request.kRange === undefined, { message: 'give k or kRange, not both', path: ['kRange'] })
  .meta({
    examples: [{ name: 'mall', datasetId: '3f1e2a4b-5c6d-4e7f-8a9b-0c1d2e3f4a5b', features: ['Annual Income (k$)', 'Spending Score (1-100)'], k: 5, seed: 42 }],
  });

export const MergePersonasRequest = z
  .object({
    personas: z
      .array(z.uuid())
      .min(2)
      .max(MAX_K)
      .describe('Ids of two or more personas of this version (see quality.nearDuplicateOf for suggestions); they become one persona in the new version'),
  })
  .strict()
  .meta({ examples: [{ personas: ['0d3c2b1a-4e5f-4a6b-8c7d-9e0f1a2b3c4d', '5a6b7c8d-9e0f-4a1b-8c2d-3e4f5a6b7c8d'] }] });

export const PersonaSummary = z.object({
  id: z.uuid(),
  index: z.number().int(),
  key: z.string(),
  name: z.string(),
  tagline: z.string(),
  description: z.string(),
  size: z.number().int(),
  share: z.number(),
  quality: PersonaQuality,
});

export const Model = z
  .object({
    id: z.uuid(),
    name: z.string(),
    version: z.number().int(),
    status: ModelStatus,
    algorithm: Algorithm,
    parameters: ModelParameters,
    metrics: ModelMetrics,
    datasetId: z.uuid().nullable(),
    createdAt: Timestamp,
    activatedAt: Timestamp.nullable(),
  })
  .meta({ id: 'Model' });

export const ModelMap = z
  .object({
    explainedVarianceRatio: z.array(z.number()).describe('Share of the variance along each map axis'),
    mean: z.array(z.number()),
    components: z.array(z.array(z.number())).describe('The two principal axes in the encoded space'),
    centroids: z.array(z.tuple([z.number(), z.number()])).describe('Persona centres on the map, by persona index'),
    sample: z.array(z.tuple([z.number(), z.number(), z.number().int()])).describe('A sample of customers: x, y, persona index'),
  })
  .nullable()
  .describe('2-D map (PCA of the encoded customers), null for a single feature');

export const ModelDetail = Model.extend({ personas: z.array(PersonaSummary), map: ModelMap }).meta({ id: 'ModelDetail' });

export const ModelListQuery = z
  .object({
    name: z.string().min(1).optional(),
    status: ModelStatus.optional(),
    limit: z.coerce.number().int().min(1).max(500).default(50),
    offset: z.coerce.number().int().min(0).default(0),
  })
  .strict();

export const ActivationResult = z.object({
  activated: Model,
  previous: Model.nullable().describe('The version that was active before (now inactive, kept for rollback)'),
});

export const CompareParams = z.object({ id: z.uuid(), otherId: z.uuid() });

export const ModelComparison = PersonaContinuity.omit({ previousModelId: true, previousVersion: true })
  .extend({
    from: z.object({ id: z.uuid(), name: z.string(), version: z.number().int() }),
    to: z.object({ id: z.uuid(), name: z.string(), version: z.number().int() }),
  })
  .meta({ id: 'ModelComparison' });

/** GET /v1/models/{id}/fairness: the audit stored at training, or the reason there is none. */
export const FairnessReport = z
  .object({
    model: z.object({ id: z.uuid(), name: z.string(), version: z.number().int() }),
    status: z.enum(['audited', 'not_audited']).describe('not_audited: no protected attribute was declared for this version (not an error)'),
    verdict: FairnessVerdict.nullable().describe('Worst verdict of the three checks; null when not audited'),
    reason: z.string().describe('The verdict in plain language (which checks did not pass and why), or why there is no audit'),
    thresholds: FairnessThresholds.nullable().describe('Thresholds the verdicts used (those in force at training)'),
    protectedAttributes: FairnessAudit.shape.protectedAttributes,
    highCostPersonas: FairnessAudit.shape.highCostPersonas,
    checks: FairnessAudit.shape.checks.nullable().describe('composition, steering and proxies: a verdict and reason each, with the figures per protected attribute'),
    includeProtected: ModelParameters.shape.includeProtected.describe('The override that made protected columns features, if any'),
    computedAt: Timestamp.nullable(),
  })
  .meta({ id: 'FairnessReport' });

export const ActivateModelRequest = z
  .object({
    override: z
      .object({ reason: z.string().trim().min(3).max(1000).describe('Why the version may serve although its audit does not pass') })
      .strict()
      .optional()
      .describe('Strict governance mode: activates a version whose fairness audit is not `pass` (or that was not audited); the reason and the caller are recorded in the model history'),
  })
  .strict()
  .nullish()
  .describe('Optional: a request without a body activates as before')
  .meta({ examples: [{ override: { reason: 'region kept on purpose for branch staffing; reviewed by compliance (ticket GOV-12)' } }] });
