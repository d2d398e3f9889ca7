import { z } from 'zod';
import { AttributeValue } from './common.ts';

export const AssignRequest = z
  .object({
    customerId: z.string().min(1).max(200).optional().describe("The customer's id in your system (echoed back)"),
    attributes: z
      .record(z.string().min(1), AttributeValue)
      .describe("The customer's attributes by feature name; any subset of the model's features (cold start), null meaning unknown"),
  })
  .strict()
  .meta({ examples: [{ customerId: 'C-1042', attributes: { age: 27, region: 'urban', home_ownership: 'rent' } }] });

export const AssignQuery = z
  .object({ model: z.string().min(1).optional().describe('Model id, name (its active version) or name@version; default: the served model') })
  .strict();

export const AssignResponse = z
  .object({
    customerId: z.string().optional(),
    persona: z.object({ id: z.uuid(), key: z.string(), name: z.string() }),
    distance: z.number().describe('Distance to the persona over the features given, in standard deviations (k-prototypes: the root of squared distance plus gamma × category mismatches)'),
    unclassified: z.boolean().describe('True when the customer is farther from the nearest persona than 99% of its members were at training'),
    unclassifiedReason: z.string().optional().describe('Why the customer is unclassified'),
    probabilities: z
      .array(z.object({ persona: z.object({ id: z.uuid(), key: z.string(), name: z.string() }), probability: z.number() }))
      .optional()
      .describe('Gaussian-mixture models: membership probability of every persona, most likely first'),
    model: z.object({ id: z.uuid(), name: z.string(), version: z.number().int() }),
    featuresUsed: z.array(z.string()),
    featuresMissing: z.array(z.string()).describe('Model features the request did not give'),
    warnings: z.array(z.string()).describe('For example a category not seen in training'),
  })
  .meta({
    id: 'Assignment',
    examples: [
      {
        customerId: 'C-1042',
        persona: { id: '0d5f6c1e-8f0a-4b0e-9d67-2f4c1b9e7a11', key: 'young-digital-renters', name: 'Young Digital Renters' },
        distance: 0.84,
        unclassified: false,
        model: { id: '7b2d9e4a-1c3f-4a5b-8e6d-9f0a1b2c3d4e', name: 'insurance-demo', version: 3 },
        featuresUsed: ['age', 'region', 'home_ownership'],
        featuresMissing: ['income', 'marital_status', 'dependents'],
        warnings: [],
      },
    ],
  });
