/** GET /v1/models/:id/export: the persona of every customer of a dataset, as CSV or NDJSON. */
import { z } from 'zod';

export const EXPORT_FORMATS = ['csv', 'ndjson'] as const;

export const ExportQuery = z
  .object({
    format: z.enum(EXPORT_FORMATS).default('csv').describe('csv: RFC 4180 with a header row; ndjson: one JSON object per line'),
    datasetId: z.uuid().optional().describe("Dataset whose customers are placed (default: the model's training dataset)"),
  })
  .strict();

export const ExportCsv = z
  .string()
  .describe(
    'RFC 4180 CSV (CRLF line ends, fields with a comma, quote or line break in double quotes), header row `external_id,persona_id,persona_key,persona_name,confidence,unclassified,distance,error`, then one row per customer in upload order. A customer that cannot be placed has empty persona fields and the reason in `error`.',
  )
  .meta({ example: 'external_id,persona_id,persona_key,persona_name,confidence,unclassified,distance,error\r\nC-0001,0d5f6c1e-8f0a-4b0e-9d67-2f4c1b9e7a11,young-digital-renters,Young Digital Renters,0.93,false,0.82,\r\n' });

export const ExportNdjson = z
  .string()
  .describe(
    'NDJSON: one line per customer in upload order, `{"customerId", "persona": {"id", "key", "name"}, "confidence", "distance", "unclassified"}` as /v1/assign answers, or `{"customerId", "error": Problem}` for a customer that cannot be placed.',
  );
