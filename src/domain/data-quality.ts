/**
 * The data-quality report of an uploaded dataset: per column, what the values look like (type,
 * missing share, distinct values, top values, range, quantiles, outliers), what is wrong with them
 * (flags) and whether the column can be a clustering feature (verdict, with a reason in plain words).
 * Computed once at upload (services/data-quality.ts) and stored with the dataset.
 */
import { z } from 'zod';
import { ColumnKind } from './dataset.ts';

/** Defects of one column. */
export const ColumnFlag = z
  .enum(['missing', 'mostly-missing', 'empty', 'constant', 'id-like', 'mixed-types', 'too-many-categories', 'sentinel'])
  .describe(
    'missing: some values are missing; mostly-missing: more than half are; empty: all are; constant: one value only; id-like: every value differs (an identifier); mixed-types: numbers mixed with text; too-many-categories: text with more distinct values than a categorical feature may have; sentinel: a repeated code such as 999 or -1 at the edge of the distribution, set apart from the other values',
  );
export type ColumnFlag = z.infer<typeof ColumnFlag>;

/** Defects of the dataset as a whole. */
export const DatasetFlag = z
  .enum(['duplicate-ids', 'duplicate-rows'])
  .describe('duplicate-ids: some external ids repeat (later occurrences were dropped); duplicate-rows: some customers have exactly the same values in every column (the id and id-like columns aside)');
export type DatasetFlag = z.infer<typeof DatasetFlag>;

export const ColumnVerdict = z
  .enum(['usable', 'usable-with-imputation', 'excluded'])
  .describe('usable: a feature as is; usable-with-imputation: a feature once missing values are filled in, which training does with the median or mode (a sentinel code is filled in only when declared with missingValues at upload; otherwise it stays a number); excluded: cannot be a feature (training refuses it)');
export type ColumnVerdict = z.infer<typeof ColumnVerdict>;

const Share = z.number().min(0).max(1);

export const TopValue = z.object({
  value: z.union([z.string(), z.number(), z.boolean()]),
  count: z.number().int().nonnegative(),
  share: Share.describe('Of all rows'),
});

export const Sentinel = z.object({
  value: z.number(),
  count: z.number().int().nonnegative(),
  share: Share.describe('Of all rows'),
});

export const NumericQuality = z
  .object({
    min: z.number(),
    max: z.number(),
    mean: z.number().describe('Of the numbers, sentinels excluded'),
    quantiles: z
      .object({ p01: z.number(), p05: z.number(), p25: z.number(), p50: z.number(), p75: z.number(), p95: z.number(), p99: z.number() })
      .describe('Linear-interpolation quantiles (Hyndman & Fan type 7) of the numbers, sentinels excluded'),
    sampleSize: z.number().int().nonnegative().describe('Numbers examined for the quantiles (sentinels included, then set aside): all of them up to 200,000, else a seeded uniform sample of 200,000'),
    isSampled: z.boolean().describe('Whether the quantiles come from a sample (min, max, mean and counts never do)'),
    outliers: z
      .object({
        count: z.number().int().nonnegative(),
        share: Share.describe('Of the numbers, sentinels excluded'),
        lowerFence: z.number(),
        upperFence: z.number(),
      })
      .describe("Values outside Tukey's fences p25 − 1.5·IQR and p75 + 1.5·IQR; reported, not flagged (skewed columns legitimately have many)"),
    sentinels: z.array(Sentinel).describe('Repeated codes (99, 999, 9999, -1, -9, -99, -999…) at the edge of the distribution and set apart from the other values'),
  })
  .describe('Numeric columns only');

export const ColumnQuality = z
  .object({
    name: z.string(),
    kind: ColumnKind.describe('Inferred type (as in the dataset columns)'),
    missing: z.object({ count: z.number().int().nonnegative(), share: Share }).describe('Empty cells, null and missing markers (NA, N/A, null, NaN, ?), plus declared missing-value codes'),
    distinct: z.number().int().nonnegative().describe('Distinct non-missing values'),
    isDistinctCapped: z.boolean().describe('Counting stopped at 10,000 distinct values; top values then count only values first seen before the cap'),
    types: z.object({ numbers: z.number().int(), texts: z.number().int(), booleans: z.number().int() }).describe('Non-missing values by JSON type'),
    topValues: z.array(TopValue).describe('Up to 5 most frequent values, most frequent first'),
    numeric: NumericQuality.nullable(),
    flags: z.array(ColumnFlag),
    verdict: ColumnVerdict,
    reason: z.string().describe('Why the verdict, in plain words'),
  })
  .meta({ id: 'ColumnQuality' });
export type ColumnQuality = z.infer<typeof ColumnQuality>;

export const DataQualityReport = z
  .object({
    computedAt: z.iso.datetime().describe('When the report was computed (at upload, or at the first request for datasets uploaded before reports existed)'),
    rows: z
      .object({
        received: z.number().int().nonnegative().describe('Customer rows in the upload'),
        stored: z.number().int().nonnegative().describe('Rows kept (received minus dropped duplicate ids)'),
        duplicateIdRows: z.number().int().nonnegative().describe('Rows whose external id repeats an earlier row (dropped with duplicateIds=keep-first)'),
        duplicateIds: z.number().int().nonnegative().describe('Distinct external ids that occur more than once'),
        duplicateRows: z.number().int().nonnegative().describe('Stored rows equal in every column to an earlier stored row, the id and id-like columns aside (a row copied under a new row number is still a duplicate)'),
      })
      .describe('Row counts; duplicate rows are found by a 52-bit hash of each row, so a false match is possible but below one in a thousand at 2 million rows'),
    flags: z.array(DatasetFlag),
    missingValueCodes: z.array(z.string()).describe('Values declared as missing at upload (missingValues), counted as missing here and stored as null'),
    summary: z
      .object({
        usable: z.number().int().nonnegative(),
        usableWithImputation: z.number().int().nonnegative(),
        excluded: z.number().int().nonnegative(),
        flaggedColumns: z.number().int().nonnegative().describe('Columns with at least one flag'),
      })
      .describe('Columns by verdict'),
    columns: z.array(ColumnQuality).describe('Every column except the id column, in upload order'),
  })
  .meta({ id: 'DataQualityReport' });
export type DataQualityReport = z.infer<typeof DataQualityReport>;

/** What an upload response carries of the report. */
export const DataQualitySummary = DataQualityReport.pick({ rows: true, flags: true, summary: true });
export type DataQualitySummary = z.infer<typeof DataQualitySummary>;
