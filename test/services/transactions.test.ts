import { describe, expect, it } from 'vitest';
import type { ValidationError } from '../../src/domain/errors.ts';
import { parseCsv } from '../../src/services/tabular.ts';
import { detectTransactionColumns, summarizeTransactions } from '../../src/services/transactions.ts';
import type { TransactionSummary } from '../../src/services/transactions.ts';
import { readShared } from '../helpers/shared-data.ts';

/** pandas' default quantile: linear interpolation between closest ranks. */
function quantile(values: number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  const position = (sorted.length - 1) * q;
  const lower = Math.floor(position);
  return sorted[lower]! + (sorted[Math.min(lower + 1, sorted.length - 1)]! - sorted[lower]!) * (position - lower);
}

function summarize(relative: string): TransactionSummary {
  const table = parseCsv(readShared(relative));
  return summarizeTransactions(table.rows, { columns: detectTransactionColumns(table.columns, {}) });
}

const rfm = (summary: TransactionSummary, id: string) => {
  const customer = summary.customers.find((c) => c.customer_id === id)!;
  return [customer.recency_days, customer.frequency, customer.monetary];
};

describe('summarizeTransactions on the UCI Online Retail invoices (reference figures of SOURCE.md)', () => {
  const summary = summarize('data/online_retail_invoices/OnlineRetail_invoice_level.csv');
  const column = (name: string) => summary.customers.map((c) => c[name] as number);

  it('keeps 18,562 lines and 4,338 customers after the cleaning recipe, measuring recency to 2011-12-10', () => {
    expect(summary.report).toMatchObject({ kept: 18_562, referenceDate: '2011-12-10' });
    expect(summary.customers).toHaveLength(4_338);
  });

  it('counts 18,532 invoices and 13,626,554.66 of monetary value in all', () => {
    expect(column('frequency').reduce((a, b) => a + b)).toBe(18_532);
    expect(column('monetary').reduce((a, b) => a + b)).toBeCloseTo(13_626_554.66, 2);
  });

  it('reproduces the quartiles of recency, frequency and monetary value', () => {
    expect([0.25, 0.5, 0.75].map((q) => quantile(column('recency_days'), q))).toEqual([18, 51, 142.75]);
    expect([0.25, 0.5, 0.75].map((q) => quantile(column('frequency'), q))).toEqual([1, 2, 5]);
    // SOURCE.md prints the monetary quartiles to 4 decimals.
    [465.9515, 1076.0854, 2650.9961].forEach((expected, i) => expect(quantile(column('monetary'), [0.25, 0.5, 0.75][i]!)).toBeCloseTo(expected, 3));
  });

  it('matches the spot checks, including the single 74,215-item order', () => {
    expect(rfm(summary, '12346')).toEqual([326, 1, 77183.6]);
    const [r, f, m] = rfm(summary, '12347');
    expect([r, f]).toEqual([3, 7]);
    expect(m).toBeCloseTo(6386.5749, 6);
    expect(rfm(summary, '14646')[2]).toBeCloseTo(471728.213, 6);
    expect(rfm(summary, '18102').slice(0, 2)).toEqual([1, 60]);
  });
});

describe('summarizeTransactions on the UCI Online Retail line sample', () => {
  const summary = summarize('data/online_retail_sample/online_retail_40k_sample.csv');

  it('keeps 29,292 lines, 3,591 customers, and the 2,871 products with 27,681 customer × product pairs', () => {
    expect(summary.report.kept).toBe(29_292);
    expect(summary.customers).toHaveLength(3_591);
    expect(summary.products).toHaveLength(2_871);
    expect(summary.interactions).toHaveLength(27_681);
  });

  it('matches the spot checks and totals of SOURCE.md', () => {
    expect(rfm(summary, '17841')).toEqual([2, 113, expect.closeTo(3074.2, 6)]);
    expect(summary.customers.reduce((a, c) => a + (c.frequency as number), 0)).toBe(11_514);
    expect(summary.customers.reduce((a, c) => a + (c.monetary as number), 0)).toBeCloseTo(602_976.58, 2);
    expect(summary.products.find((p) => p.id === '85123A')?.name).toBe('WHITE HANGING HEART T-LIGHT HOLDER');
  });
});

describe('summarizeTransactions rules', () => {
  const lines = [
    { invoice: '1', customer: 'a', date: '2024-01-01 10:00', amount: 10 },
    { invoice: '2', customer: 'a', date: '2024-01-05', amount: 5 },
    { invoice: 'C3', customer: 'a', date: '2024-01-06', amount: 5 },
    { invoice: '4', customer: null, date: '2024-01-06', amount: 5 },
    { invoice: '5', customer: 'b', date: '2024-01-03', amount: -2 },
    { invoice: '6', customer: 'b', date: 'yesterday', amount: 2 },
    { invoice: '7', customer: 'b', date: '2024-01-02', amount: 2 },
  ];

  it('drops cancellations, lines without a customer, non-positive values and unreadable dates, and counts each', () => {
    const summary = summarizeTransactions(lines, { columns: detectTransactionColumns(Object.keys(lines[0]!), {}) });
    expect(summary.report).toEqual({ lines: 7, kept: 3, dropped: { noCustomer: 1, cancelled: 1, nonPositive: 1, unreadableDate: 1 }, referenceDate: '2024-01-06' });
    expect(summary.customers).toEqual([
      { customer_id: 'a', recency_days: 1, frequency: 2, monetary: 15, tenure_days: 5 },
      { customer_id: 'b', recency_days: 4, frequency: 1, monetary: 2, tenure_days: 4 },
    ]);
  });

  it('measures recency to a given reference date', () => {
    const summary = summarizeTransactions(lines, { columns: detectTransactionColumns(Object.keys(lines[0]!), {}), referenceDate: '2024-02-01' });
    expect(summary.customers[0]).toMatchObject({ recency_days: 27 });
  });

  it('reads slash dates day-first when a first part exceeds 12', () => {
    const rows = [
      { customer: 'a', date: '25/01/2024', amount: 1 },
      { customer: 'a', date: '02/01/2024', amount: 1 },
    ];
    const summary = summarizeTransactions(rows, { columns: detectTransactionColumns(['customer', 'date', 'amount'], {}) });
    expect(summary.report.referenceDate).toBe('2024-01-26');
    expect(summary.customers[0]).toMatchObject({ tenure_days: 24 });
  });

  it('names the missing columns when it cannot find a customer, a date or a value', () => {
    let error: unknown;
    try {
      detectTransactionColumns(['who', 'when'], {});
    } catch (caught) {
      error = caught;
    }
    expect((error as ValidationError).errors!.map((e) => e.pointer)).toEqual(['/customerColumn', '/dateColumn', '/amountColumn']);
  });
});
