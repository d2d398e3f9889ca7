/** GET /v1/models/:id/migration/:otherId: customers of a dataset placed under two versions. */
import { z } from 'zod';
import { PageQuery } from './common.ts';

export const MigrationParams = z.object({
  id: z.uuid().describe('The first version (rows of the matrix)'),
  otherId: z.uuid().describe('The second version (columns of the matrix)'),
});

const PersonaKey = z.string().min(1).max(200);

export const MigrationQuery = PageQuery.extend({
  datasetId: z.uuid().optional().describe("Dataset whose customers are placed (default: the first version's training dataset, else the second's)"),
  from: PersonaKey.optional().describe('Only movers from this persona key of the first version (`unclassified`: from no persona)'),
  to: PersonaKey.optional().describe('Only movers to this persona key of the second version (`unclassified`: to no persona)'),
}).strict();

const ModelReference = z.object({ id: z.uuid(), name: z.string(), version: z.number().int() });

const GroupFields = {
  key: z.string().describe('Persona key, or `unclassified` for customers beyond every persona of the version'),
  name: z.string(),
  personaId: z.uuid().nullable().describe('Null for the unclassified row or column'),
  count: z.number().int().describe('Customers in this row (first version) or column (second version)'),
};

export const MigrationColumn = z.object(GroupFields).meta({ id: 'MigrationColumn' });

export const MigrationRow = z
  .object({
    ...GroupFields,
    cells: z
      .array(
        z.object({
          to: z.string().describe('Key of the column'),
          count: z.number().int(),
          share: z.number().describe("Share of the row's customers (the row's shares sum to 1; 0 for an empty row)"),
          hasStayed: z.boolean().describe("The column is the row's counterpart (matched persona, or unclassified under both): these customers stayed"),
        }),
      )
      .describe('One cell per column, in column order'),
  })
  .meta({ id: 'MigrationRow' });

const PersonaLabel = z.object({ key: z.string(), name: z.string() });

export const Mover = z
  .object({
    externalId: z.string().describe("The customer's external id in the dataset"),
    from: PersonaLabel.describe('Persona under the first version (key `unclassified`: none)'),
    to: PersonaLabel.describe('Persona under the second version (key `unclassified`: none)'),
    confidence: z.number().nullable().describe("Probability of the second version's persona; null when the second version leaves the customer unclassified"),
  })
  .meta({ id: 'Mover' });

const FeatureCoverage = z.object({
  partial: z.number().int().describe("Customers placed without at least one of the version's features (missing in the data or unreadable): cold start from the rest"),
  withoutFeatures: z.number().int().describe('Customers with none of the features usable, counted as unclassified'),
});

export const ModelMigration = z
  .object({
    from: ModelReference,
    to: ModelReference,
    datasetId: z.uuid(),
    customers: z.number().int().describe('Customers placed: the sum of the matrix'),
    matchedBy: z
      .enum(['same-version', 'inherited-keys', 'continuity-matching'])
      .describe(
        'How personas of the two versions were paired: the same version; keys inherited when one was trained while the other was active; otherwise the matching of GET /v1/models/{id}/compare/{otherId}',
      ),
    rows: z.array(MigrationRow).describe("The first version's personas: matched ones first (their counterparts are on the diagonal), then unmatched, then unclassified"),
    columns: z.array(MigrationColumn).describe("The second version's personas: counterparts in row order, then new ones, then unclassified"),
    stayed: z.object({ count: z.number().int(), share: z.number() }).describe('Customers whose persona has a counterpart they are placed in (cells with hasStayed)'),
    coverage: z.object({ from: FeatureCoverage, to: FeatureCoverage }).describe('Customers placed from part of the features'),
    warnings: z.array(z.string()),
    movers: z
      .object({ items: z.array(Mover), total: z.number().int().describe('Movers matching the filter, over all pages'), limit: z.number().int(), offset: z.number().int() })
      .describe('Customers who did not stay, in dataset order, filtered by `from` and `to`'),
  })
  .meta({ id: 'ModelMigration' });
