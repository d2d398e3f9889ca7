/**
 * Governance of protected attributes: which columns are protected, the override that lets one be a
 * feature anyway, and the fairness audit stored with each model (composition, steering, proxies;
 * services/fairness.ts computes it).
 */
import { z } from 'zod';

export const FairnessVerdict = z.enum(['pass', 'review', 'fail']).meta({ id: 'FairnessVerdict' });
export type FairnessVerdict = z.infer<typeof FairnessVerdict>;

/** Verdict thresholds (FAIRNESS_… settings). */
export const FairnessThresholds = z
  .object({
    compositionReviewV: z.number().describe("Bias-corrected Cramér's V between persona and group from which composition is `review`"),
    compositionFailV: z.number().describe('… and `fail`'),
    fourFifthsReview: z.number().describe('Four-fifths ratio of high-cost selection rates below which steering is `review`'),
    fourFifthsFail: z.number().describe('… and `fail` (0.8: the EEOC four-fifths rule)'),
    proxyReviewLift: z.number().describe("Cross-validated balanced accuracy above the majority baseline from which proxies are `review`"),
    proxyFailLift: z.number().describe('… and `fail`'),
    proxyFeatureV: z.number().describe("A feature whose bias-corrected Cramér's V with the attribute reaches this is named a proxy"),
    minGroupSize: z.number().int().describe('Groups smaller than this are reported but left out of the four-fifths ratio'),
  })
  .meta({ id: 'FairnessThresholds' });
export type FairnessThresholds = z.infer<typeof FairnessThresholds>;

export const DEFAULT_FAIRNESS_THRESHOLDS: FairnessThresholds = {
  compositionReviewV: 0.1,
  compositionFailV: 0.3,
  fourFifthsReview: 0.9,
  fourFifthsFail: 0.8,
  proxyReviewLift: 0.1,
  proxyFailLift: 0.2,
  proxyFeatureV: 0.2,
  minGroupSize: 30,
};

/** A protected column made a clustering feature on purpose: which, why, and who asked. */
export const ProtectedOverride = z
  .object({
    columns: z.array(z.string()).describe('Protected columns allowed as features'),
    reason: z.string().describe('Why, as given by the caller'),
    by: z.string().nullable().describe('The API key that asked (null: not known, e.g. a schedule stored before)'),
  })
  .meta({ id: 'ProtectedOverride' });
export type ProtectedOverride = z.infer<typeof ProtectedOverride>;

const PersonaRef = z.object({ index: z.number().int(), key: z.string(), name: z.string() });

export const ProtectedAttributeSummary = z.object({
  name: z.string(),
  grouping: z.enum(['categories', 'quartile-bands']).describe('Categories as uploaded, or quartile bands of a numeric column with more than 12 values'),
  groups: z.array(z.object({ group: z.string(), customers: z.number().int(), share: z.number() })).describe('Population share of each group (customers with the value missing left out)'),
  missing: z.number().int().describe('Customers without a value'),
  isFeature: z.boolean().describe('Whether the attribute is also a clustering feature (by override)'),
});

export const CompositionResult = z.object({
  attribute: z.string(),
  verdict: FairnessVerdict,
  reason: z.string(),
  chiSquare: z.object({ statistic: z.number(), degreesOfFreedom: z.number().int(), pValue: z.number() }).describe('Test of independence between persona and group (with large n nearly always significant: the verdict uses the effect size)'),
  cramersV: z.number(),
  cramersVCorrected: z.number().describe("Bergsma's bias-corrected Cramér's V (the verdict's figure)"),
  personas: z.array(
    PersonaRef.extend({
      customers: z.number().int(),
      groups: z.array(z.object({ group: z.string(), customers: z.number().int(), share: z.number(), populationShare: z.number(), ratio: z.number().nullable().describe('share / populationShare') })),
    }),
  ),
});

export const SteeringResult = z.object({
  attribute: z.string(),
  verdict: FairnessVerdict,
  reason: z.string(),
  ratio: z.number().nullable().describe('Lowest selection rate over the highest (groups of at least minGroupSize); null without high-cost personas'),
  groups: z.array(
    z.object({
      group: z.string(),
      customers: z.number().int(),
      selected: z.number().int().describe('Customers of the group in high-cost personas'),
      selectionRate: z.number(),
      counted: z.boolean().describe('Whether the group is large enough to enter the ratio'),
    }),
  ),
});

export const ProxyResult = z.object({
  attribute: z.string(),
  verdict: FairnessVerdict,
  reason: z.string(),
  classifier: z.object({
    model: z.string(),
    balancedAccuracy: z.number().describe('Cross-validated (stratified folds, seeded) balanced accuracy of predicting the group from the model’s encoded features'),
    baseline: z.number().describe('Balanced accuracy of always answering the majority group'),
    lift: z.number().describe('balancedAccuracy − baseline (the verdict’s figure)'),
    rows: z.number().int(),
    folds: z.number().int(),
  }),
  features: z
    .array(z.object({ feature: z.string(), cramersVCorrected: z.number(), normalizedMutualInformation: z.number(), isProxy: z.boolean() }))
    .describe('Each feature against the attribute (numeric features in decile bins), strongest first'),
  proxies: z.array(z.string()).describe('Features that act as proxies of the attribute'),
});

const Check = <T extends z.ZodType>(attribute: T) => z.object({ verdict: FairnessVerdict, reason: z.string(), attributes: z.array(attribute) });

/** The audit as stored with a model (segmentation_model.fairness). */
export const FairnessAudit = z.object({
  verdict: FairnessVerdict,
  reason: z.string(),
  thresholds: FairnessThresholds,
  protectedAttributes: z.array(ProtectedAttributeSummary),
  highCostPersonas: z.array(PersonaRef.extend({ because: z.array(z.string()) })).describe('Personas with a high-cost strategy or a high-cost product among their top five'),
  checks: z.object({ composition: Check(CompositionResult), steering: Check(SteeringResult), proxies: Check(ProxyResult) }),
  computedAt: z.string(),
});
export type FairnessAudit = z.infer<typeof FairnessAudit>;
export type CompositionResult = z.infer<typeof CompositionResult>;
export type SteeringResult = z.infer<typeof SteeringResult>;
export type ProxyResult = z.infer<typeof ProxyResult>;

const VERDICT_ORDER: Record<FairnessVerdict, number> = { pass: 0, review: 1, fail: 2 };

export function worstVerdict(verdicts: readonly FairnessVerdict[]): FairnessVerdict {
  return verdicts.reduce<FairnessVerdict>((worst, verdict) => (VERDICT_ORDER[verdict] > VERDICT_ORDER[worst] ? verdict : worst), 'pass');
}

/**
 * Column names that usually hold protected attributes (sex, age, family status, origin, religion,
 * disability, location at postcode level). Training warns when such a column is a feature without
 * being declared; it never excludes an undeclared column on its own.
 */
export const LIKELY_PROTECTED_NAME = /^(gender|sex|race|ethnic(ity)?|religion|marital.?status|age|age.?band|customer.?age|year.?birth|birth.?year|date.?of.?birth|dob|disab(led|ility)|nationality|citizenship|zip|zip.?code|postcode|postal.?code|senior.?citizen|pregnan(t|cy))$/i;

/** A product the steering check treats as high-cost (database id, external id and name). */
export interface HighCostProduct {
  id: bigint;
  externalId: string;
  name: string;
}
