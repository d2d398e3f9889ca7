import { z } from 'zod';

export const NumericTrait = z.object({
  feature: z.string(),
  kind: z.literal('numeric'),
  populationMean: z.number(),
  populationStd: z.number(),
  personaMean: z.number(),
  zScore: z.number().describe('(persona mean − population mean) / population standard deviation'),
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
  })
  .meta({ id: 'PersonaQuality' });
export type PersonaQuality = z.infer<typeof PersonaQuality>;

export interface NewPersona {
  index: number;
  key: string;
  name: string;
  description: string;
  traits: Trait[];
  size: number;
  share: number;
  centroid: number[];
  quality: PersonaQuality;
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

export interface Recommendation extends Omit<NewRecommendation, 'productId'> {
  product: { id: string; name: string; category: string | null; price: number | null };
}
