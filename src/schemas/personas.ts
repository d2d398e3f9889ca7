import { z } from 'zod';
import { PersonaDrivers, PersonaEdits, PersonaProfile, PersonaQuality, RANKING_RULES, Strategy, Trait } from '../domain/persona.ts';

export const Persona = z
  .object({
    id: z.uuid(),
    modelId: z.uuid(),
    index: z.number().int(),
    key: z.string().describe('Slug of the name, unique within the model'),
    name: z.string(),
    tagline: z.string(),
    description: z.string(),
    size: z.number().int().describe('Customers in the persona at training'),
    share: z.number().describe('Share of all customers'),
    traits: z.array(Trait).describe('Per feature: persona vs population'),
    profile: PersonaProfile,
    drivers: PersonaDrivers,
    strategies: z.array(Strategy),
    quality: PersonaQuality,
    edits: PersonaEdits,
  })
  .meta({
    id: 'Persona',
    examples: [
      {
        id: '0d5f6c1e-8f0a-4b0e-9d67-2f4c1b9e7a11',
        modelId: '7b2d9e4a-1c3f-4a5b-8e6d-9f0a1b2c3d4e',
        index: 0,
        key: 'young-digital-renters',
        name: 'Young Digital Renters',
        description: '22% of customers (1,100 of 5,000). Home Ownership is rent for 86% (24% overall); Age averages 27.9 against 45.2 overall (1.3 sd lower).',
        size: 1100,
        share: 0.22,
        traits: [
          { feature: 'age', kind: 'numeric', populationMean: 45.2, populationStd: 13.4, personaMean: 27.9, zScore: -1.29 },
          {
            feature: 'home_ownership',
            kind: 'categorical',
            categories: [
              { value: 'rent', personaShare: 0.86, populationShare: 0.24, lift: 3.58 },
              { value: 'own', personaShare: 0.05, populationShare: 0.45, lift: 0.11 },
            ],
          },
        ],
      },
    ],
  });

export const PersonaListQuery = z
  .object({ model: z.string().min(1).optional().describe('Model id, name (its active version), name@version or name@alias; default: the served model') })
  .strict();

export const PersonaList = z.object({
  model: z.object({ id: z.uuid(), name: z.string(), version: z.number().int() }),
  items: z.array(Persona),
});

export const RankBy = z
  .enum(RANKING_RULES)
  .describe('lift: personaRate / overallRate (ties: more support), what sets the persona apart; confidence: personaRate (ties: more buyers overall), what the persona buys most');

/** One recommended product, as the examples of every recommendation response show it. */
export const RECOMMENDATION_EXAMPLE = {
  rank: 1,
  product: { id: 'HOME-RENTERS', name: 'Renters cover', category: 'home', price: 180 },
  lift: 3.2,
  personaRate: 0.62,
  overallRate: 0.19,
  support: 682,
  buyers: 950,
  reason: 'bought by 62% of Young Digital Renters vs 19% overall',
};

export const Recommendation = z
  .object({
    rank: z.number().int().describe('Position in the ranking asked for, from 1 (after the minSupport filter, counting earlier pages)'),
    product: z.object({ id: z.string(), name: z.string(), category: z.string().nullable(), price: z.number().nullable() }),
    lift: z.number().describe('personaRate / overallRate: how much more likely a persona member is to buy it than any customer'),
    personaRate: z.number().describe("Share of the persona's members who bought the product: the confidence of the rule persona → product"),
    overallRate: z.number().describe('Share of all customers who bought it'),
    support: z.number().int().describe('Persona members who bought it'),
    buyers: z.number().int().describe('Customers overall who bought it (popularity)'),
    reason: z.string().describe('The figures in words, e.g. "bought by 34% of New Families vs 9% overall"'),
  })
  .meta({
    id: 'Recommendation',
    examples: [RECOMMENDATION_EXAMPLE],
  });

export const RecommendationQuery = z
  .object({
    minSupport: z.coerce.number().int().min(1).default(5).describe('Only products bought by at least this many persona members (default 5)'),
    rankBy: RankBy.default('lift'),
    limit: z.coerce.number().int().min(1).max(200).default(10),
    offset: z.coerce.number().int().min(0).default(0),
  })
  .strict();

export const PersonaPatch = z
  .object({
    name: z.string().trim().min(1).max(80).optional(),
    description: z.string().trim().min(1).max(2000).optional(),
    strategies: z
      .array(
        z
          .object({
            id: z.string().min(1).max(80).default('custom'),
            title: z.string().trim().min(1).max(120),
            description: z.string().trim().min(1).max(1000),
            trigger: z.string().max(300).default('set by hand'),
          })
          .strict(),
      )
      .max(20)
      .optional(),
  })
  .strict()
  .refine((patch) => Object.keys(patch).length > 0, 'give at least one of name, description, strategies')
  .meta({ examples: [{ name: 'City Starters', description: 'Young renters in the city who do everything on their phone.' }] });
