import { z } from 'zod';

export const NumericTrait = z.object({
  feature: z.string(),
  kind: z.literal('numeric'),
  populationMean: z.number(),
  populationMedian: z.number().optional(),
  populationStd: z.number(),
  personaMean: z.number(),
  personaMedian: z.number().optional(),
  zScore: z.number().describe('(persona mean − population mean) / population standard deviation: the effect size'),
  percentile: z.number().optional().describe("Where the persona's median falls among all customers, 0–100"),
});

export const CategoryShare = z.object({
  value: z.string(),
  personaShare: z.number().describe('Share of the persona with this value'),
  populationShare: z.number().describe('Share of all customers with this value'),
  lift: z.number().describe('personaShare / populationShare'),
});

export const CategoricalTrait = z.object({
  feature: z.string(),
  kind: z.literal('categorical'),
  categories: z.array(CategoryShare),
});

export const Trait = z.discriminatedUnion('kind', [NumericTrait, CategoricalTrait]).meta({ id: 'PersonaTrait' });
export type Trait = z.infer<typeof Trait>;
export type NumericTrait = z.infer<typeof NumericTrait>;
export type CategoricalTrait = z.infer<typeof CategoricalTrait>;

/** Quality of a persona as a segment: bootstrap stability and data-quality flags. */
export const PersonaQuality = z
  .object({
    stability: z.number().nullable().default(null).describe('Mean Jaccard similarity to its best match over bootstrap re-fits (Hennig 2007); null when not computed'),
    isStable: z.boolean().nullable().default(null).describe('stability ≥ 0.75'),
    isDataQuality: z.boolean().default(false).describe('A tiny cluster, or one dominated by imputed values: a data-quality group rather than a persona'),
    reasons: z.array(z.string()).default([]).describe('Why a flag is set, in words'),
    distanceThreshold: z.number().nullable().default(null).describe('Customers farther from the centre than this are unclassified (null: no threshold)'),
    nearDuplicateOf: z
      .object({ key: z.string(), name: z.string(), distance: z.number(), reason: z.string() })
      .nullable()
      .default(null)
      .describe('Another persona this one can hardly be told apart from: a merge candidate (POST /v1/models/{id}/merge)'),
  })
  .meta({ id: 'PersonaQuality' });
export type PersonaQuality = z.infer<typeof PersonaQuality>;

/** Value figures and the snake-plot series of a persona. */
export const PersonaProfile = z
  .object({
    value: z
      .object({
        column: z.string().describe("The dataset's value column (premium, spend, balance…)"),
        mean: z.number().describe('Mean value per member'),
        share: z.number().describe('Share of the total value of all customers held by the persona'),
        index: z.number().describe('share of value ÷ share of customers: above 1, the persona is worth more than its size'),
      })
      .nullable()
      .default(null),
    clv: z
      .object({
        mean: z.number().describe('Mean value realised so far per member'),
        formula: z.string().default('').describe('How it is computed, e.g. "MonthlyCharges × 12 × tenure in years"'),
        tenureColumn: z.string().nullable(),
      })
      .nullable()
      .default(null)
      .describe(
        "A CLV-like figure: the value realised so far, by the dataset's value kind (annual × tenure years, monthly × 12 × years, lifetime as is); none for balances or without tenure",
      ),
    snake: z
      .array(z.object({ feature: z.string(), value: z.number() }))
      .default([])
      .describe('Standardized mean of every numeric feature (the z-scores), ready to chart as a snake plot'),
  })
  .meta({ id: 'PersonaProfile' });
export type PersonaProfile = z.infer<typeof PersonaProfile>;

export const RuleCondition = z.object({
  feature: z.string(),
  operator: z.enum(['>', '<=', '=']),
  value: z.union([z.number(), z.string()]),
});

/** What sets a persona apart, from a surrogate model trained to recognise the personas. */
export const PersonaDrivers = z
  .object({
    attributions: z
      .array(z.object({ feature: z.string(), attribution: z.number() }))
      .default([])
      .describe("Mean SHAP-style contribution of each feature to the persona's score in the surrogate model, largest first"),
    rules: z
      .array(
        z.object({
          text: z.string().describe('e.g. "income above 82,000 and web visits month above 14"'),
          conditions: z.array(RuleCondition),
          precision: z.number().describe('Share of customers matching the rule who belong to the persona'),
          coverage: z.number().describe('Share of the persona matching the rule'),
        }),
      )
      .default([]),
  })
  .meta({ id: 'PersonaDrivers' });
export type PersonaDrivers = z.infer<typeof PersonaDrivers>;

export const Strategy = z
  .object({
    id: z.string().describe('Rule that proposed it (or "custom")'),
    title: z.string(),
    description: z.string(),
    trigger: z.string().describe('The trait that triggered it, in words'),
  })
  .meta({ id: 'Strategy' });
export type Strategy = z.infer<typeof Strategy>;

const Edit = z.object({ by: z.string(), at: z.string() });
/** Fields people edited; they are kept when a retrained version inherits the persona. */
export const PersonaEdits = z
  .object({ name: Edit.optional(), description: Edit.optional(), strategies: Edit.optional() })
  .meta({ id: 'PersonaEdits' });
export type PersonaEdits = z.infer<typeof PersonaEdits>;

export interface NewPersona {
  index: number;
  key: string;
  name: string;
  tagline: string;
  description: string;
  traits: Trait[];
  size: number;
  share: number;
  centroid: number[];
  quality: PersonaQuality;
  profile: PersonaProfile;
  drivers: PersonaDrivers;
  strategies: Strategy[];
  edits: PersonaEdits;
}

export interface Persona extends NewPersona {
  id: string;
  modelId: string;
}

export interface NewRecommendation {
  productId: bigint;
  rank: number;
  support: number;
  personaRate: number;
  overallRate: number;
  lift: number;
  buyers: number;
}

/**
 * How a persona's products are ordered: `lift` (persona rate over overall rate: what sets the
 * persona apart) or `confidence` (persona rate: what the persona buys most).
 */
export const RANKING_RULES = ['lift', 'confidence'] as const;
export type RankingRule = (typeof RANKING_RULES)[number];

export interface Recommendation extends Omit<NewRecommendation, 'productId'> {
  product: { id: string; name: string; category: string | null; price: number | null };
}
