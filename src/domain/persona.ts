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

export interface NewPersona {
  index: number;
  key: string;
  name: string;
  description: string;
  traits: Trait[];
  size: number;
  share: number;
  centroid: number[];
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
