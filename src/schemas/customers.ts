import { z } from 'zod';
import { PageQuery, Timestamp } from './common.ts';

const ModelReference = z.object({ id: z.uuid(), name: z.string(), version: z.number().int() });
const PersonaReference = z.object({ id: z.uuid(), key: z.string().describe('Identifies the persona across versions of its model'), name: z.string() });

export const CustomerParams = z.object({
  externalId: z.string().min(1).max(200).describe('The customer id your system sent as customerId to /v1/assign (URL-encoded)'),
});

export const CustomerAssignmentsQuery = PageQuery.extend({
  model: z.string().min(1).optional().describe('Only assignments by versions of this model name'),
}).strict();

export const CustomerAssignment = z.object({
  assignedAt: Timestamp,
  model: ModelReference,
  persona: PersonaReference,
  confidence: z.number().nullable().describe('Probability of the persona when it was served; null when the model gave none'),
  distance: z.number().describe('Distance to the persona over the features given, as /v1/assign answered it'),
  unclassified: z.boolean().describe('The customer was beyond the persona’s distance threshold'),
});

export const PersonaMigration = z.object({
  modelName: z.string(),
  at: Timestamp.describe('First assignment to the new persona'),
  from: z.object({ modelVersion: z.number().int(), persona: PersonaReference }),
  to: z.object({ modelVersion: z.number().int(), persona: PersonaReference }),
});

export const CustomerAssignments = z
  .object({
    externalId: z.string(),
    items: z.array(CustomerAssignment).describe('Newest first'),
    total: z.number().int().describe('Logged assignments of the customer (matching `model`), over all pages'),
    limit: z.number().int(),
    offset: z.number().int(),
    migrations: z
      .array(PersonaMigration)
      .describe(
        'Persona changes between consecutive assignments of this page by the same model name (across its versions), oldest first. A change of persona key is a migration; a retrain that keeps the key is not. Computed over the returned page only: page through the history for earlier ones.',
      ),
  })
  .meta({
    id: 'CustomerAssignments',
    examples: [
      {
        externalId: 'C-1042',
        items: [
          {
            assignedAt: '2026-11-20T09:12:03.120Z',
            model: { id: '9c4e2f10-3b1d-4e6a-8f27-5d0c9a1b2e33', name: 'insurance-demo', version: 4 },
            persona: { id: '5a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d', key: 'young-suburban-families', name: 'Young Suburban Families' },
            confidence: 0.81,
            distance: 0.92,
            unclassified: false,
          },
          {
            assignedAt: '2026-03-02T14:40:11.005Z',
            model: { id: '7b2d9e4a-1c3f-4a5b-8e6d-9f0a1b2c3d4e', name: 'insurance-demo', version: 3 },
            persona: { id: '0d5f6c1e-8f0a-4b0e-9d67-2f4c1b9e7a11', key: 'young-digital-renters', name: 'Young Digital Renters' },
            confidence: 0.74,
            distance: 0.84,
            unclassified: false,
          },
        ],
        total: 2,
        limit: 50,
        offset: 0,
        migrations: [
          {
            modelName: 'insurance-demo',
            at: '2026-11-20T09:12:03.120Z',
            from: { modelVersion: 3, persona: { id: '0d5f6c1e-8f0a-4b0e-9d67-2f4c1b9e7a11', key: 'young-digital-renters', name: 'Young Digital Renters' } },
            to: { modelVersion: 4, persona: { id: '5a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d', key: 'young-suburban-families', name: 'Young Suburban Families' } },
          },
        ],
      },
    ],
  });
