import { z } from 'zod';
import { Trait } from '../domain/persona.ts';

export const Persona = z
  .object({
    id: z.uuid(),
    modelId: z.uuid(),
    index: z.number().int(),
    key: z.string().describe('Slug of the name, unique within the model'),
    name: z.string(),
    description: z.string(),
    size: z.number().int().describe('Customers in the persona at training'),
    share: z.number().describe('Share of all customers'),
    traits: z.array(Trait).describe('Per feature: persona vs population'),
  })
  .meta({ id: 'Persona' });

export const PersonaListQuery = z
  .object({ model: z.string().min(1).optional().describe('Model id, name (its active version) or name@version; default: the served model') })
  .strict();

export const PersonaList = z.object({
  model: z.object({ id: z.uuid(), name: z.string(), version: z.number().int() }),
  items: z.array(Persona),
});

export const Recommendation = z
  .object({
    rank: z.number().int(),
    product: z.object({ id: z.string(), name: z.string(), category: z.string().nullable(), price: z.number().nullable() }),
    lift: z.number().describe('personaRate / overallRate'),
    personaRate: z.number().describe('Share of the persona who bought the product (confidence)'),
    overallRate: z.number().describe('Share of all customers who bought it'),
    support: z.number().int().describe('Persona members who bought it'),
    buyers: z.number().int().describe('Customers overall who bought it (popularity)'),
  })
  .meta({ id: 'Recommendation' });

export const RecommendationQuery = z
  .object({
    minSupport: z.coerce.number().int().min(1).default(5).describe('Only products bought by at least this many persona members (default 5)'),
    limit: z.coerce.number().int().min(1).max(200).default(10),
    offset: z.coerce.number().int().min(0).default(0),
  })
  .strict();
