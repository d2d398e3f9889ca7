import { z } from 'zod';
import { ColumnProfile, TenureUnit, ValueKind } from '../domain/dataset.ts';
import { DataQualityReport, DataQualitySummary } from '../domain/data-quality.ts';
import { AttributeValue, Timestamp } from './common.ts';

export const CustomerRecord = z.record(z.string().min(1), AttributeValue).describe('One customer: column name → value');

export const ProductRecord = z
  .object({
    id: z.string().min(1).describe('Product id, unique within the dataset'),
    name: z.string().optional(),
    category: z.string().nullable().optional().describe('Product line, e.g. "life" or "motor"'),
    price: z.number().nonnegative().nullable().optional(),
    attributes: z.record(z.string(), AttributeValue).optional().describe('Any other product attributes'),
  })
  .strict();

export const InteractionRecord = z
  .object({
    customerId: z.string().min(1).describe("The customer's external id"),
    productId: z.string().min(1),
    quantity: z.number().positive().optional().describe('Default 1'),
    amount: z.number().nullable().optional(),
    occurredAt: z.string().nullable().optional().describe('ISO 8601 date or date-time'),
  })
  .strict();

export const DatasetUpload = z
  .object({
    name: z.string().min(1).max(200).optional(),
    idColumn: z.string().min(1).nullable().optional().describe('Column with the external ids; null for row numbers; omitted: detected by name (id, customer_id, CustomerID…)'),
    valueColumn: z.string().min(1).optional(),
    valueKind: ValueKind.optional(),
    tenureColumn: z.string().min(1).optional(),
    tenureUnit: TenureUnit.optional(),
    protectedAttributes: z
      .array(z.string().min(1))
      .optional()
      .describe('Columns that are protected attributes (gender, age, marital status, region…): left out of default features, kept for the fairness audit'),
    customers: z.array(CustomerRecord).min(1),
    products: z.array(ProductRecord).optional(),
    interactions: z.array(InteractionRecord).optional(),
  })
  .strict();

export const DatasetUploadBody = z
  .union([z.array(CustomerRecord), DatasetUpload])
  .describe('Customers as a JSON array, or an object with customers, products and interactions. Also accepted: text/csv and application/x-ndjson bodies of customers.')
  .meta({
    examples: [
      {
        name: 'mall customers',
        idColumn: 'CustomerID',
        customers: [
          { CustomerID: 1, Gender: 'Male', Age: 19, 'Annual Income (k$)': 15, 'Spending Score (1-100)': 39 },
          { CustomerID: 2, Gender: 'Male', Age: 21, 'Annual Income (k$)': 15, 'Spending Score (1-100)': 81 },
        ],
      },
    ],
  });

export const DatasetUploadQuery = z
  .object({
    name: z.string().min(1).max(200).optional().describe('Dataset name (for CSV/NDJSON bodies; a JSON object body may carry its own)'),
    idColumn: z.string().min(1).optional().describe('Column with the external ids (default: detected by name, else row numbers)'),
    valueColumn: z.string().min(1).optional().describe("Numeric column of each customer's value (default: detected by name: premium, spend, monetary, balance…)"),
    valueKind: ValueKind.optional().describe(
      'What the value column measures: annual, monthly, lifetime or balance (default: from its name — month → monthly; total, monetary, lifetime → lifetime; balance, savings → balance; else annual)',
    ),
    tenureColumn: z.string().min(1).optional().describe("Numeric column of each customer's tenure (default: detected by name)"),
    tenureUnit: TenureUnit.optional().describe('Unit of the tenure column (default: days or months when its name says so, else years)'),
    duplicateIds: z
      .enum(['reject', 'keep-first'])
      .optional()
      .describe('A repeated external id: reject (default: 400 duplicate_id, as assignment history needs unique ids) or keep-first (store the first row with each id, drop the later ones and count them in the data-quality report)'),
    missingValues: z
      .string()
      .optional()
      .transform((value) => (value ?? '').split(',').map((code) => code.trim()).filter((code) => code !== ''))
      .describe('Comma-separated codes stored as missing in every column but the id, e.g. `999,-1,unknown` (compared with each value as trimmed text, numbers in their shortest form, so `999` matches the cells 999 and 999.0)'),
    protectedAttributes: z
      .string()
      .optional()
      .transform((value) => (value ?? '').split(',').map((name) => name.trim()).filter((name) => name !== ''))
      .describe('Comma-separated protected columns, e.g. `gender,age`: left out of default features, kept for the fairness audit (GET /v1/models/{id}/fairness)'),
  })
  .strict();

export const Dataset = z
  .object({
    id: z.uuid(),
    name: z.string(),
    idColumn: z.string().nullable(),
    valueColumn: z.string().nullable().describe("Each customer's value (premium, spend, balance): personas report their share of it"),
    valueKind: ValueKind.nullable().describe('What the value column measures; decides the value realised so far (profile.clv)'),
    tenure: z.object({ column: z.string(), unit: TenureUnit }).nullable().describe("Each customer's tenure: with the value, personas get a CLV-like figure"),
    createdAt: Timestamp,
    counts: z.object({ customers: z.number().int(), products: z.number().int(), interactions: z.number().int() }),
    columns: z.array(ColumnProfile).describe('Inferred type of every column (except the id column)'),
    protectedAttributes: z.array(z.string()).describe('Columns declared protected: left out of default features, audited for fairness'),
  })
  .meta({
    id: 'Dataset',
    examples: [
      {
        id: '3f1e2a4b-5c6d-4e7f-8a9b-0c1d2e3f4a5b',
        name: 'mall',
        idColumn: 'CustomerID',
        valueColumn: null,
        tenure: null,
        createdAt: '2026-11-24T09:30:00.000Z',
        counts: { customers: 200, products: 0, interactions: 0 },
        protectedAttributes: ['Genre'],
        columns: [
          { name: 'Genre', kind: 'categorical', missing: 0, distinct: 2, isUsable: true },
          { name: 'Age', kind: 'numeric', missing: 0, distinct: 51, isUsable: true },
          { name: 'Annual Income (k$)', kind: 'numeric', missing: 0, distinct: 64, isUsable: true },
          { name: 'Spending Score (1-100)', kind: 'numeric', missing: 0, distinct: 84, isUsable: true },
        ],
      },
    ],
  });

export const ProductsBody = z
  .array(ProductRecord)
  .describe('Products as a JSON array; also accepted as text/csv (id, name, category, price; other columns become attributes)')
  .meta({ examples: [[{ id: 'LIFE-TERM', name: 'Term life', category: 'life', price: 420, attributes: { highCost: false } }]] });
export const InteractionsBody = z
  .array(InteractionRecord)
  .describe('Purchases as a JSON array; also accepted as text/csv (customer_id, product_id, quantity, amount, occurred_at)')
  .meta({ examples: [[{ customerId: 'C000123', productId: 'LIFE-TERM', quantity: 1, amount: 420, occurredAt: '2026-03-14T10:00:00Z' }]] });

export const TransactionsQuery = z
  .object({
    name: z.string().min(1).max(200).optional(),
    customerColumn: z.string().min(1).optional().describe('Default: detected (CustomerID, customer_id, customer…)'),
    dateColumn: z.string().min(1).optional().describe('Default: detected (InvoiceDate, date, order_date…)'),
    invoiceColumn: z.string().min(1).optional().describe('Frequency counts distinct invoices (default: detected; without one, distinct purchase days); invoices starting with "C" are cancellations'),
    quantityColumn: z.string().min(1).optional(),
    priceColumn: z.string().min(1).optional(),
    amountColumn: z.string().min(1).optional().describe('Line value; without it, quantity × price'),
    productColumn: z.string().min(1).optional().describe('With a product column (StockCode, sku…), products and purchases are stored too'),
    productNameColumn: z.string().min(1).optional(),
    referenceDate: z.iso.date().optional().describe('Recency is measured to this day (default: the day after the latest purchase)'),
    dateOrder: z.enum(['auto', 'ymd', 'mdy', 'dmy']).optional().describe('How to read dates with slashes (default auto: day-first only when a first part exceeds 12)'),
  })
  .strict();

export const TransactionLines = z
  .array(z.record(z.string().min(1), AttributeValue).describe('One transaction line: column name → value'))
  .min(1)
  .meta({
    examples: [
      [
        { InvoiceNo: '536365', InvoiceDate: '2010-12-01 08:26', CustomerID: '17850', StockCode: '85123A', Description: 'WHITE HANGING HEART T-LIGHT HOLDER', Quantity: 6, UnitPrice: 2.55 },
        { InvoiceNo: '536366', InvoiceDate: '2010-12-01 08:28', CustomerID: '17850', StockCode: '22633', Description: 'HAND WARMER UNION JACK', Quantity: 6, UnitPrice: 1.85 },
      ],
    ],
  });

export const DatasetFromTransactions = Dataset.extend({
  transactions: z.object({
    lines: z.number().int(),
    kept: z.number().int(),
    dropped: z.object({
      noCustomer: z.number().int(),
      cancelled: z.number().int(),
      nonPositive: z.number().int().describe('Quantity, price or amount not above zero'),
      unreadableDate: z.number().int(),
    }),
    referenceDate: z.iso.date(),
  }),
});

export const DatasetUploaded = Dataset.extend({
  quality: DataQualitySummary.describe('Short form of the data-quality report (rows, dataset flags, columns by verdict); the full report is at GET /v1/datasets/{id}/profile'),
}).meta({ id: 'DatasetUploaded' });

/** The upload's own query, so an upload URL can be tried as a dry run; only idColumn and missingValues change the report. */
export const DatasetProfileQuery = DatasetUploadQuery;

export { DataQualityReport };
