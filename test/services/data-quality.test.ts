import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DataQualityReport } from '../../src/domain/data-quality.ts';
import type { ColumnQuality } from '../../src/domain/data-quality.ts';
import type { CustomerAttributes } from '../../src/domain/dataset.ts';
import { assessDataQuality, countDuplicateRows, MOSTLY_MISSING_SHARE, QUANTILE_SAMPLE_SIZE } from '../../src/services/data-quality.ts';
import { parseCsv } from '../../src/services/tabular.ts';
import { readShared } from '../helpers/shared-data.ts';

const CONTEXT = { duplicateIdRows: 0, duplicateIds: 0, missingValueCodes: [], computedAt: new Date('2026-11-26T10:00:00Z') };

/** The report of a CSV's rows, the id column left out as an upload does. */
function assessCsv(text: string, idColumn: string | null) {
  const table = parseCsv(text);
  const columns = table.columns.filter((column) => column !== idColumn);
  const rows = table.rows.map((row) => Object.fromEntries(columns.map((column) => [column, row[column] ?? null])));
  return assessDataQuality(columns, rows, { ...CONTEXT, rowsReceived: rows.length });
}

const fixture = (name: string) => readFileSync(new URL(`../fixtures/data/${name}`, import.meta.url), 'utf8');
const byName = (columns: readonly ColumnQuality[]) => Object.fromEntries(columns.map((column) => [column.name, column]));
const column = (values: ReadonlyArray<number | string | null>, name = 'x'): ColumnQuality => {
  const rows = values.map((value) => ({ [name]: value }));
  return assessDataQuality([name], rows, { ...CONTEXT, rowsReceived: rows.length }).report.columns[0]!;
};

describe('assessDataQuality', () => {
  describe('on a deliberately dirty file (test/fixtures/data/quality-dirty.csv, the repeated id dropped)', () => {
    // The upload drops the last row (its id C007 repeats); the report is of the stored rows.
    const text = fixture('quality-dirty.csv').trimEnd().split('\n').slice(0, -1).join('\n');
    const { report, profiles } = assessCsv(text, 'customer_id');
    const columns = byName(report.columns);

    it('flags the blank and "N/A" ages as missing and keeps the column with imputation', () => {
      expect(columns.age).toMatchObject({ kind: 'numeric', flags: ['missing'], missing: { count: 2 }, verdict: 'usable-with-imputation' });
      expect(columns.age!.reason).toMatch(/7% of values are missing \(2 of 30\); training fills them with the median/);
    });

    it('flags the three 999 incomes as sentinels and leaves them out of the quantiles', () => {
      expect(columns.income!.flags).toEqual(['sentinel']);
      expect(columns.income!.verdict).toBe('usable-with-imputation');
      expect(columns.income!.numeric!.sentinels).toEqual([{ value: 999, count: 3, share: 3 / 30 }]);
      expect(columns.income!.numeric!.max).toBe(999);
      expect(columns.income!.numeric!.quantiles.p99).toBeLessThan(200);
      expect(columns.income!.reason).toMatch(/missingValues=999/);
    });

    it('excludes the constant country, the id-like ref, the mixed-type visits and the mostly missing fax, each with its reason', () => {
      expect(columns.country).toMatchObject({ flags: ['constant'], verdict: 'excluded', reason: 'every value is the same' });
      expect(columns.ref).toMatchObject({ kind: 'identifier', flags: ['id-like'], verdict: 'excluded', reason: 'every value is different (an identifier)' });
      expect(columns.visits).toMatchObject({ flags: ['mixed-types'], verdict: 'excluded' });
      expect(columns.visits!.reason).toMatch(/^mixes 28 numbers with 2 text values \(e\.g\. "unknown"/);
      expect(columns.fax).toMatchObject({ flags: ['mostly-missing'], verdict: 'excluded', missing: { count: 21, share: 21 / 30 } });
      expect(columns.fax!.reason).toMatch(/70% of values are missing \(21 of 30; more than 50%/);
    });

    it('leaves the clean plan column alone', () => {
      expect(columns.plan).toMatchObject({ kind: 'categorical', flags: [], verdict: 'usable' });
    });

    it('counts the repeated customer (C030 repeats C029 under a new id and ref) as a duplicate row', () => {
      expect(report.rows.duplicateRows).toBe(1);
      expect(report.flags).toEqual(['duplicate-rows']);
    });

    it('makes the column profiles agree with the verdicts: excluded exactly when not usable, with the same reason', () => {
      for (const profile of profiles) {
        const quality = columns[profile.name]!;
        expect(profile.isUsable, profile.name).toBe(quality.verdict !== 'excluded');
        expect(profile.reason, profile.name).toBe(quality.verdict === 'excluded' ? quality.reason : undefined);
      }
      expect(report.summary).toEqual({ usable: 1, usableWithImputation: 2, excluded: 4, flaggedColumns: 6 });
    });

    it('produces a report the stored schema accepts', () => {
      expect(DataQualityReport.parse(report)).toEqual(report);
    });
  });

  it('flags nothing in a clean file, whose 1–99 satisfaction score legitimately reaches 99 three times', () => {
    const { report } = assessCsv(fixture('quality-clean.csv'), 'customer_id');
    expect(report.columns.map((c) => [c.name, c.flags, c.verdict])).toEqual([
      ['age', [], 'usable'],
      ['income', [], 'usable'],
      ['satisfaction', [], 'usable'],
      ['plan', [], 'usable'],
      ['region', [], 'usable'],
    ]);
    expect(byName(report.columns).satisfaction!.topValues[0]).toEqual({ value: 99, count: 3, share: 0.1 });
    expect(report.flags).toEqual([]);
    expect(report.summary.flaggedColumns).toBe(0);
  });

  describe('sentinel rule', () => {
    const ages = Array.from({ length: 40 }, (_, i) => 20 + i);

    it('finds -1 below a column of positive values', () => {
      expect(column([...ages, -1, -1, -1]).numeric!.sentinels).toEqual([{ value: -1, count: 3, share: 3 / 43 }]);
    });

    it('finds 999 and 9999 together at the top', () => {
      expect(column([...ages, 999, 999, 9999, 9999]).numeric!.sentinels.map((s) => s.value)).toEqual([9999, 999]);
    });

    it('ignores a code that occurs once', () => {
      expect(column([...ages, 999]).flags).toEqual([]);
    });

    it('ignores a code that is not at the edge or not set apart from the other values', () => {
      expect(column([...ages, 99, 99, 150, 160]).flags).toEqual([]);
      expect(column([...ages, 97, 98, 99, 99]).flags).toEqual([]);
      expect(column([...ages, -1, -1, 0, 0, 3]).flags).toEqual([]);
    });

    it('finds pdays = -1 ("never contacted", 81.7% of rows) in the bank marketing data (../shared/data/bank_marketing)', () => {
      const { report } = assessCsv(readShared('data/bank_marketing/bank-full.csv'), null);
      const pdays = byName(report.columns).pdays!;
      expect(pdays.flags).toEqual(['sentinel']);
      expect(pdays.numeric!.sentinels).toEqual([{ value: -1, count: 36_954, share: 36_954 / 45_211 }]);
      expect(pdays.verdict).toBe('usable-with-imputation');
      expect(report.columns.filter((c) => c.name !== 'pdays' && c.flags.includes('sentinel'))).toEqual([]);
    });
  });

  it('excludes a column missing in more than half of the rows, and keeps one missing in exactly half', () => {
    expect(MOSTLY_MISSING_SHARE).toBe(0.5);
    expect(column([1, 2, null, null, null]).verdict).toBe('excluded');
    expect(column([1, 2, null, null]).verdict).toBe('usable-with-imputation');
  });

  it('calls a numeric column of distinct whole numbers an identifier only when its name says so', () => {
    const sequence = Array.from({ length: 30 }, (_, i) => 1000 + i);
    expect(column(sequence, 'account_no')).toMatchObject({ kind: 'identifier', flags: ['id-like'], verdict: 'excluded' });
    expect(column(sequence, 'RowId')).toMatchObject({ flags: ['id-like'] });
    expect(column(sequence, 'age')).toMatchObject({ kind: 'numeric', flags: [], verdict: 'usable' });
  });

  it('reports Tukey outliers without flagging them', () => {
    const quality = column([...Array.from({ length: 20 }, (_, i) => 10 + (i % 5)), 100]);
    expect(quality.numeric!.outliers.count).toBe(1);
    expect(quality.flags).toEqual([]);
  });

  it('computes quantiles from a seeded sample of 200,000 numbers beyond that, and says so', () => {
    const n = QUANTILE_SAMPLE_SIZE + 50_000;
    const rows: CustomerAttributes[] = Array.from({ length: n }, (_, i) => ({ x: i / n }));
    const quality = assessDataQuality(['x'], rows, { ...CONTEXT, rowsReceived: n }).report.columns[0]!;
    expect(quality.numeric).toMatchObject({ isSampled: true, sampleSize: QUANTILE_SAMPLE_SIZE, min: 0 });
    expect(quality.numeric!.quantiles.p50).toBeCloseTo(0.5, 2);
    expect(quality.numeric!.quantiles.p95).toBeCloseTo(0.95, 2);
  });

  it('interpolates quantiles linearly between order statistics (type 7)', () => {
    expect(column([4, 1, 3, 2]).numeric!.quantiles).toMatchObject({ p25: 1.75, p50: 2.5, p75: 3.25 });
  });

  it('finds a numeric identifier among more rows than it counts distinct values for (10,000)', () => {
    const accounts = Array.from({ length: 10_001 }, (_, i) => 5_000_000 + i);
    expect(column(accounts, 'account_no')).toMatchObject({ kind: 'identifier', flags: ['id-like'], verdict: 'excluded', isDistinctCapped: true });
    // One repeated number among them: not an identifier.
    expect(column([...accounts, 5_000_000], 'account_no')).toMatchObject({ kind: 'numeric', flags: [] });
    expect(column(Array.from({ length: 10_000 }, (_, i) => i), 'score').isDistinctCapped).toBe(false);
  });

  it('lists no top values for identifiers and free text: those would be single customers\' own values', () => {
    const emails = Array.from({ length: 60 }, (_, i) => `person${i}@example.org`);
    expect(column(emails, 'email')).toMatchObject({ flags: ['id-like'], topValues: [] });
    const notes = Array.from({ length: 120 }, (_, i) => `note ${i % 60}`);
    expect(column(notes, 'note')).toMatchObject({ flags: ['too-many-categories'], topValues: [] });
    expect(column(['a', 'a', 'b']).topValues).toHaveLength(2);
  });

  it('quotes a text code repeated in a numeric column, never a lone text value', () => {
    const withCode = column([1, 2, 3, 'unknown', 'unknown', 'unknown', 4]);
    expect(withCode.reason).toContain('e.g. "unknown"');
    const withName = column([1, 2, 3, 'Jane Example', 4]);
    expect(withName.flags).toEqual(['mixed-types']);
    expect(withName.reason).not.toContain('Jane');
  });
});

describe('countDuplicateRows', () => {
  it('counts every repeat after the first and treats all missing markers alike', () => {
    const rows = [{ a: 1, b: 'x' }, { a: 1, b: 'x' }, { a: 1, b: 'x' }, { a: 2, b: null }, { a: 2, b: 'N/A' }, { a: 3, b: 'x' }];
    expect(countDuplicateRows(['a', 'b'], rows)).toBe(3);
  });

  it('tells a number from the same digits as text', () => {
    expect(countDuplicateRows(['a'], [{ a: 1 }, { a: '1' }])).toBe(0);
  });
});
