import { z } from 'zod';
import { AttributeValue } from './common.ts';
import { RankBy, Recommendation, RECOMMENDATION_EXAMPLE } from './personas.ts';

const ExternalId = z.string().min(1).max(200);

export const CustomerRecommendationQuery = z
  .object({ model: z.string().min(1).optional().describe('Model id, name (its active version), name@version or name@alias; default: the served model') })
  .strict();

export const CustomerRecommendationRequest = z
  .object({
    attributes: z
      .record(z.string().min(1), AttributeValue)
      .describe("The customer's attributes by feature name, as for /v1/assign: any subset of the model's features, null meaning unknown"),
    customerId: ExternalId.optional().describe("The customer's id in the model's dataset: the purchases stored there are excluded (an id the dataset lacks is a warning)"),
    exclude: z.array(ExternalId).max(1000).default([]).describe('Ids of products the customer already holds (ids the dataset lacks are a warning)'),
    limit: z.number().int().min(1).max(50).default(5).describe('Products to return (1–50, default 5)'),
    minSupport: z.number().int().min(1).default(5).describe('Only products bought by at least this many persona members (default 5)'),
    rankBy: RankBy.default('confidence').describe(
      'confidence (default): what the persona buys most, which predicted held-out purchases best in our offline evaluation; lift: what sets the persona apart',
    ),
    diversity: z
      .union([z.boolean(), z.object({ maxPerCategory: z.number().int().min(1).max(50) }).strict()])
      .default(false)
      .describe('At most maxPerCategory products of one category (true: one), picked greedily in ranking order; the list may then be shorter than limit. Products without a category are not limited'),
  })
  .strict()
  .meta({
    examples: [{ customerId: 'C-1042', attributes: { age: 27, region: 'urban', home_ownership: 'rent' }, exclude: ['MOTOR'], limit: 3, diversity: { maxPerCategory: 1 } }],
  });

export const CustomerRecommendations = z
  .object({
    persona: z.object({ id: z.uuid(), key: z.string(), name: z.string() }),
    model: z.object({ id: z.uuid(), name: z.string(), version: z.number().int() }),
    unclassified: z.boolean().describe('True when the customer is farther from the nearest persona than 99% of its members: then no products are recommended, and warnings say why'),
    items: z.array(Recommendation).describe('The persona’s products that the customer does not hold, best first; rank is the position in this list'),
    excluded: z
      .object({
        given: z.number().int().describe('Distinct product ids in exclude'),
        purchased: z.number().int().describe("Products the customer bought according to the model's dataset (with customerId)"),
        total: z.number().int().describe('Distinct products excluded'),
      })
      .describe('Products left out because the customer holds them'),
    warnings: z.array(z.string()).describe('For example an unknown customer or product id, or why the list is empty or short'),
  })
  .meta({
    id: 'CustomerRecommendations',
    examples: [
      {
        persona: { id: '0d5f6c1e-8f0a-4b0e-9d67-2f4c1b9e7a11', key: 'young-digital-renters', name: 'Young Digital Renters' },
        model: { id: '7b2d9e4a-1c3f-4a5b-8e6d-9f0a1b2c3d4e', name: 'insurance-demo', version: 3 },
        unclassified: false,
        items: [RECOMMENDATION_EXAMPLE],
        excluded: { given: 1, purchased: 0, total: 1 },
        warnings: [],
      },
    ],
  });
