/**
 * Column type inference for uploaded customers: which columns can be clustering features
 * (numeric or categorical) and why the others cannot.
 */
import type { ColumnProfile, CustomerAttributes } from '../domain/dataset.ts';
import { isMissingValue } from './tabular.ts';

/** More categories than this make one-hot encoding sparse and personas unreadable. */
export const MAX_CATEGORIES = 50;
/** Distinct values are counted up to this bound, so profiling stays linear in memory. */
export const DISTINCT_COUNT_CAP = 10_000;
/** A text column whose values are all distinct is an identifier only past this many rows. */
export const MIN_ROWS_FOR_IDENTIFIER = 20;

export function profileColumns(columns: readonly string[], rows: readonly CustomerAttributes[]): ColumnProfile[] {
  return columns.map((name) => profileColumn(name, rows));
}

function profileColumn(name: string, rows: readonly CustomerAttributes[]): ColumnProfile {
  let missing = 0;
  let numbers = 0;
  let texts = 0;
  const distinct = new Set<string>();
  for (const row of rows) {
    const value = row[name];
    if (isMissingValue(value)) {
      missing++;
      continue;
    }
    if (typeof value === 'number') numbers++;
    else texts++;
    if (distinct.size < DISTINCT_COUNT_CAP) distinct.add(typeof value === 'number' ? `n:${value}` : `s:${String(value)}`);
  }
  const present = rows.length - missing;
  const base = { name, missing, distinct: distinct.size };
  if (present === 0) return { ...base, kind: 'empty', isUsable: false, reason: 'every value is missing' };
  if (distinct.size === 1) return { ...base, kind: 'constant', isUsable: false, reason: 'every value is the same' };
  if (numbers > 0 && texts > 0) {
    return { ...base, kind: 'text', isUsable: false, reason: `mixes ${numbers} numbers with ${texts} text values` };
  }
  if (texts === 0) return { ...base, kind: 'numeric', isUsable: true };
  if (distinct.size === present && present >= MIN_ROWS_FOR_IDENTIFIER) {
    return { ...base, kind: 'identifier', isUsable: false, reason: 'every value is different (an identifier)' };
  }
  if (distinct.size > MAX_CATEGORIES) {
    return { ...base, kind: 'text', isUsable: false, reason: `${distinct.size >= DISTINCT_COUNT_CAP ? 'over ' : ''}${distinct.size} distinct values (at most ${MAX_CATEGORIES} categories)` };
  }
  return { ...base, kind: 'categorical', isUsable: true };
}
