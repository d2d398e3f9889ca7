import { describe, expect, it } from 'vitest';
import { readableFeature } from '../../src/domain/feature-names.ts';

describe('readableFeature', () => {
  it('turns column names into readable words', () => {
    expect(readableFeature('Annual Income (k$)')).toBe('Annual Income');
    expect(readableFeature('web_visits_month')).toBe('Web Visits Month');
    expect(readableFeature('MonthlyCharges')).toBe('Monthly Charges');
    expect(readableFeature('BALANCE_FREQUENCY')).toBe('Balance Frequency');
    expect(readableFeature('CASH_ADVANCE_TRX')).toBe('Cash Advance TRX');
    expect(readableFeature('MntWines')).toBe('Wines Spend');
    expect(readableFeature('NumWebVisitsMonth')).toBe('Web Visits Month');
    expect(readableFeature('CustomerID')).toBe('Customer ID');
  });
});
