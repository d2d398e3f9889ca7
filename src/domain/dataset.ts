import { z } from 'zod';
import type { DataQualityReport } from './data-quality.ts';

/** Kinds a column of uploaded customer data can have. Only numeric and categorical columns become features. */
export const ColumnKind = z.enum(['numeric', 'categorical', 'identifier', 'constant', 'empty', 'text']);
export type ColumnKind = z.infer<typeof ColumnKind>;

export const ColumnProfile = z
  .object({
    name: z.string(),
    kind: ColumnKind,
    missing: z.number().int().nonnegative().describe('Rows where the value is null, empty or a missing marker (NA, N/A, null, ?)'),
    distinct: z.number().int().nonnegative().describe('Distinct non-missing values (counted up to 10,000)'),
    isUsable: z.boolean().describe('Whether the column can be a clustering feature'),
    reason: z.string().optional().describe('Why the column is not usable'),
    isExcludedForItsData: z
      .boolean()
      .optional()
      .describe('Excluded for its values (empty, constant, an identifier, mostly missing) rather than its inferred type: declaring a feature kind cannot bring it back'),
  })
  .meta({ id: 'ColumnProfile' });
export type ColumnProfile = z.infer<typeof ColumnProfile>;

/** A customer attribute value as stored: JSON scalars only. */
export type AttributeValue = number | string | boolean | null;
export type CustomerAttributes = Record<string, AttributeValue>;

export interface NewProduct {
  externalId: string;
  name: string;
  category: string | null;
  price: number | null;
  attributes: Record<string, AttributeValue> | null;
}

export interface NewInteraction {
  customerExternalId: string;
  productExternalId: string;
  quantity: number;
  amount: number | null;
  occurredAt: Date | null;
}

export const TenureUnit = z.enum(['years', 'months', 'days']);
export type TenureUnit = z.infer<typeof TenureUnit>;

/**
 * What a value column measures, which decides the value realised so far (the CLV-like figure):
 * annual (a premium, a yearly spend: × tenure in years), monthly (a monthly charge: × 12 × years),
 * lifetime (monetary value over the whole relationship: itself) or balance (a stock: none).
 */
export const ValueKind = z.enum(['annual', 'monthly', 'lifetime', 'balance']);
export type ValueKind = z.infer<typeof ValueKind>;

/** Columns that carry business meaning beyond being features: each customer's value and tenure. */
export interface ValueDeclaration {
  valueColumn: string | null;
  /** Null exactly when valueColumn is. */
  valueKind: ValueKind | null;
  tenure: { column: string; unit: TenureUnit } | null;
}

export interface NewDataset extends ValueDeclaration {
  name: string;
  idColumn: string | null;
  columns: ColumnProfile[];
  /** The data-quality report computed at upload (services/data-quality.ts). */
  quality: DataQualityReport;
  /** Columns declared protected (gender, age…): left out of default features, audited for fairness. */
  protectedAttributes: string[];
  customers: { externalIds: string[]; attributes: CustomerAttributes[] };
  products: NewProduct[];
  interactions: NewInteraction[];
}

export interface DatasetSummary extends ValueDeclaration {
  id: string;
  name: string;
  idColumn: string | null;
  columns: ColumnProfile[];
  /** Columns declared protected at upload. */
  protectedAttributes: string[];
  createdAt: Date;
  counts: { customers: number; products: number; interactions: number };
}
