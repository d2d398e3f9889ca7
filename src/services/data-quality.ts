/**
 * The data-quality report of uploaded customers (domain/data-quality.ts): per column the type, missing
 * share, distinct and top values, range, quantiles, outlier share, flags and a verdict; for the whole
 * upload, duplicated external ids and duplicated rows.
 *
 * Memory stays linear in the rows: columns are examined one at a time (one Float64Array of the
 * column's numbers), distinct values are counted up to 10,000 per column, quantiles come from at most
 * 200,000 numbers (a seeded uniform sample beyond that, reported as such), and duplicate rows are found
 * by sorting one 52-bit hash per row.
 *
 * Sentinel rule (a code such as 999 or -1 standing for "unknown" or "not applicable"). A value v of a
 * numeric column is a sentinel when all of these hold:
 *  1. v is a run of nines (99, 999, … 999999) or a negative code (-1, -9, -99, … -99999);
 *  2. v is repeated (at least 2 rows) and is not the column's only value;
 *  3. v is the column's extreme: its maximum for nines, its minimum for negative codes (once sentinels
 *     already found at that end are set aside, so 999 and 9999 together are both found);
 *  4. v is set apart from the other values: the gap to the nearest other value is more than
 *     3 × their interquartile range (their range / 4 when the IQR is 0); a negative code is also set
 *     apart when every other value is positive (pdays = -1 below 1…871 days in bank marketing).
 * Rule 4 is what keeps a 1–99 score whose maximum legitimately is 99 clean: 99 sits next to 98.
 */
import type { ColumnFlag, ColumnQuality, ColumnVerdict, DataQualityReport, DatasetFlag } from '../domain/data-quality.ts';
import type { ColumnProfile, CustomerAttributes } from '../domain/dataset.ts';
import { binOf, createRandom, sortedQuantile } from '../engine/index.ts';
import { DISTINCT_COUNT_CAP, MAX_CATEGORIES, MIN_ROWS_FOR_IDENTIFIER, profileColumns } from './columns.ts';
import { isMissingValue } from './tabular.ts';

/** A column with more missing values than this share is excluded: imputing most of it would invent the feature. */
export const MOSTLY_MISSING_SHARE = 0.5;
/** Quantiles are computed from at most this many numbers per column (sorting 200k doubles takes ~20 ms). */
export const QUANTILE_SAMPLE_SIZE = 200_000;
/** Seed of the quantile sample, so a report is reproducible. */
const SAMPLE_SEED = 0;
const TOP_VALUES = 5;
/** Tukey's inner fences (Tukey 1977, Exploratory Data Analysis). */
const TUKEY_K = 1.5;
/** A sentinel must stand this many interquartile ranges away from the other values. */
const SENTINEL_GAP_IQRS = 3;
const HIGH_CODES = new Set([99, 999, 9999, 99999, 999999]);
/** A text value of a mixed column is quoted in its reason only when this many rows share it (a code, not a customer's own value). */
const MIN_REPEATS_TO_QUOTE = 2;
const LOW_CODES = new Set([-1, -9, -99, -999, -9999, -99999]);
/** A numeric column whose values are all different whole numbers is an identifier when its name says so. */
const ID_NAME = /(^|[^a-z])(id|no|nr|num|number|key|ref|index)$|[a-z]I[dD]$|^unnamed:?\s*0$|^(row|rownum|rowid|index)$/i;

export interface QualityContext {
  /** Customer rows in the upload, before dropping repeated ids. */
  rowsReceived: number;
  /** Rows whose external id repeats an earlier row, and how many distinct ids repeat. */
  duplicateIdRows: number;
  duplicateIds: number;
  missingValueCodes: readonly string[];
  computedAt: Date;
}

export interface QualityAssessment {
  report: DataQualityReport;
  /** The column profiles with isUsable and reason following the verdicts (excluded ⇔ not usable). */
  profiles: ColumnProfile[];
}

/**
 * Profiles every column of the stored rows and decides a verdict per column.
 *
 * @param columns the attribute columns (the id column left out), in upload order
 * @param rows the customers as stored (after dropping repeated ids and applying missing-value codes)
 * Complexity: O(rows × columns) time, O(rows) extra memory (one column and one hash per row at a time).
 */
export function assessDataQuality(columns: readonly string[], rows: readonly CustomerAttributes[], context: QualityContext): QualityAssessment {
  const baseProfiles = profileColumns(columns, rows);
  const qualities = baseProfiles.map((profile) => assessColumn(profile, rows));
  const profiles = baseProfiles.map((profile, j) => followVerdict(profile, qualities[j]!));
  // A row copied under a new surrogate key (row number, reference) is still a duplicate customer.
  const duplicateRows = countDuplicateRows(columns.filter((_, j) => !qualities[j]!.flags.includes('id-like')), rows);
  const flags: DatasetFlag[] = [];
  if (context.duplicateIdRows > 0) flags.push('duplicate-ids');
  if (duplicateRows > 0) flags.push('duplicate-rows');
  const count = (verdict: ColumnVerdict) => qualities.filter((quality) => quality.verdict === verdict).length;
  return {
    profiles,
    report: {
      computedAt: context.computedAt.toISOString(),
      rows: { received: context.rowsReceived, stored: rows.length, duplicateIdRows: context.duplicateIdRows, duplicateIds: context.duplicateIds, duplicateRows },
      flags,
      missingValueCodes: [...context.missingValueCodes],
      summary: {
        usable: count('usable'),
        usableWithImputation: count('usable-with-imputation'),
        excluded: count('excluded'),
        flaggedColumns: qualities.filter((quality) => quality.flags.length > 0).length,
      },
      columns: qualities,
    },
  };
}

/** Flags that exclude a column whatever kind a training request declares for it. */
const EXCLUDED_FOR_VALUES = new Set<ColumnFlag>(['empty', 'constant', 'id-like', 'mostly-missing']);

/** The stored column profile, made to agree with the verdict (the verdict's reason when excluded). */
function followVerdict(profile: ColumnProfile, quality: ColumnQuality): ColumnProfile {
  const kind = quality.flags.includes('id-like') ? 'identifier' : profile.kind;
  const { reason: _reason, ...rest } = profile;
  if (quality.verdict !== 'excluded') return { ...rest, kind, isUsable: true };
  const isExcludedForItsData = quality.flags.some((flag) => EXCLUDED_FOR_VALUES.has(flag));
  return { ...rest, kind, isUsable: false, reason: quality.reason, ...(isExcludedForItsData ? { isExcludedForItsData } : {}) };
}

interface Counter {
  value: string | number | boolean;
  count: number;
}

function assessColumn(profile: ColumnProfile, rows: readonly CustomerAttributes[]): ColumnQuality {
  const name = profile.name;
  const total = rows.length;
  let numbers = 0;
  let texts = 0;
  let booleans = 0;
  let firstText: string | null = null;
  let isDistinctCapped = false;
  // Keyed by the value itself: a Map tells 1 from "1" and true from "true" without building keys.
  const counters = new Map<string | number | boolean, Counter>();
  // One column's numbers at a time (16 MB at 2 million rows), allocated only for columns that have any.
  let values: Float64Array | null = null;
  for (const row of rows) {
    const value = row[name];
    if (isMissingValue(value)) continue;
    if (typeof value === 'number') {
      values ??= new Float64Array(total);
      values[numbers++] = value;
    } else if (typeof value === 'boolean') {
      booleans++;
    } else {
      texts++;
      firstText ??= String(value);
    }
    const counter = counters.get(value!);
    if (counter) counter.count++;
    else if (counters.size < DISTINCT_COUNT_CAP) counters.set(value!, { value: value!, count: 1 });
    else isDistinctCapped = true;
  }
  const present = numbers + texts + booleans;
  const missing = total - present;
  const isNumericOnly = numbers > 0 && texts === 0 && booleans === 0;
  const numbersOnly = isNumericOnly && values ? values.subarray(0, numbers) : null;
  const numeric = numbersOnly ? numericQuality(numbersOnly, total) : null;
  const isIdLike = profile.kind === 'identifier' || (numbersOnly !== null && profile.kind === 'numeric' && isNumericIdentifier(name, numbersOnly));

  const flags: ColumnFlag[] = [];
  const missingShare = total === 0 ? 0 : missing / total;
  if (profile.kind === 'empty') flags.push('empty');
  else if (missingShare > MOSTLY_MISSING_SHARE) flags.push('mostly-missing');
  else if (missing > 0) flags.push('missing');
  if (profile.kind === 'constant') flags.push('constant');
  if (isIdLike) flags.push('id-like');
  const isMixed = numbers > 0 && texts + booleans > 0;
  if (isMixed) flags.push('mixed-types');
  else if (profile.kind === 'text') flags.push('too-many-categories');
  if (numeric && numeric.sentinels.length > 0) flags.push('sentinel');

  // A text code repeated in several rows ("unknown", "n/a") is named in the reason; a lone value may be a customer's own.
  const textCode = firstText !== null && (counters.get(firstText)?.count ?? 0) >= MIN_REPEATS_TO_QUOTE ? firstText.slice(0, 40) : null;
  const { verdict, reason } = verdictOf(profile, { flags, missing, total, numbers, texts: texts + booleans, textCode, numeric, isIdLike });
  // Identifiers and free text have one customer per value: their values would be customers' own data.
  const isPersonal = flags.includes('id-like') || flags.includes('too-many-categories');
  const topValues = isPersonal ? [] : [...counters.values()]
    .sort((a, b) => b.count - a.count)
    .slice(0, TOP_VALUES)
    .map((counter) => ({ value: counter.value, count: counter.count, share: counter.count / total }));
  return {
    name,
    kind: isIdLike ? 'identifier' : profile.kind,
    missing: { count: missing, share: missingShare },
    distinct: counters.size,
    isDistinctCapped,
    types: { numbers, texts, booleans },
    topValues,
    numeric,
    flags,
    verdict,
    reason,
  };
}

/** All different whole numbers in a column whose name says it is an identifier (checked on every value, not the capped distinct count). */
function isNumericIdentifier(name: string, values: Float64Array): boolean {
  if (values.length < MIN_ROWS_FOR_IDENTIFIER || !ID_NAME.test(name.trim())) return false;
  for (let i = 0; i < values.length; i++) if (!Number.isInteger(values[i])) return false;
  const sorted = Float64Array.from(values).sort();
  for (let i = 1; i < sorted.length; i++) if (sorted[i] === sorted[i - 1]) return false;
  return true;
}

const percent = (share: number): string => {
  const value = share * 100;
  return `${value < 1 && value > 0 ? value.toFixed(1) : Math.round(value)}%`;
};

interface VerdictFacts {
  flags: readonly ColumnFlag[];
  missing: number;
  total: number;
  numbers: number;
  texts: number;
  /** A repeated text value of a mixed column, safe to quote (null: none repeats enough). */
  textCode: string | null;
  numeric: ColumnQuality['numeric'];
  isIdLike: boolean;
}

/** The verdict and its reason: every exclusion reason when excluded, else what imputation would fill in. */
function verdictOf(profile: ColumnProfile, facts: VerdictFacts): { verdict: ColumnVerdict; reason: string } {
  const exclusions: string[] = [];
  const has = (flag: ColumnFlag) => facts.flags.includes(flag);
  if (has('empty')) exclusions.push('every value is missing');
  if (has('constant')) exclusions.push('every value is the same');
  if (has('mixed-types')) {
    exclusions.push(`mixes ${facts.numbers} numbers with ${facts.texts} text values${facts.textCode === null ? ' (declare text codes for "unknown" with missingValues)' : ` (e.g. "${facts.textCode}"; declare such codes with missingValues)`}`);
  }
  if (has('id-like')) exclusions.push(profile.kind === 'identifier' ? 'every value is different (an identifier)' : 'every value is a different whole number and the name says it is an identifier');
  if (has('too-many-categories')) exclusions.push(`${profile.distinct >= DISTINCT_COUNT_CAP ? 'over ' : ''}${profile.distinct} distinct values (at most ${MAX_CATEGORIES} categories)`);
  if (has('mostly-missing')) {
    exclusions.push(`${percent(facts.missing / facts.total)} of values are missing (${facts.missing} of ${facts.total}; more than ${percent(MOSTLY_MISSING_SHARE)} cannot be imputed credibly)`);
  }
  if (exclusions.length > 0) return { verdict: 'excluded', reason: exclusions.join('; ') };

  const fill = profile.kind === 'numeric' ? 'median' : 'most frequent value';
  const notes: string[] = [];
  if (has('missing')) notes.push(`${percent(facts.missing / facts.total)} of values are missing (${facts.missing} of ${facts.total}); training fills them with the ${fill}`);
  for (const sentinel of facts.numeric?.sentinels ?? []) {
    notes.push(
      `${sentinel.value} occurs in ${sentinel.count} rows (${percent(sentinel.share)}) at the ${sentinel.value < 0 ? 'bottom' : 'top'} of the range, set apart from the other values: probably a code for "unknown"; upload with missingValues=${sentinel.value} to treat it as missing`,
    );
  }
  if (notes.length > 0) return { verdict: 'usable-with-imputation', reason: notes.join('; ') };
  return { verdict: 'usable', reason: profile.kind === 'numeric' ? 'numeric, no missing values' : `categorical with ${profile.distinct} categories, no missing values` };
}

/**
 * Range, mean, quantiles, outlier share and sentinels of a column's numbers.
 * @param values the non-missing numbers (read only; the quantiles sort a copy or a sample)
 * @param total rows of the column, missing included (shares of sentinels are of all rows)
 */
function numericQuality(values: Float64Array, total: number): NonNullable<ColumnQuality['numeric']> {
  const n = values.length;
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < n; i++) {
    const x = values[i]!;
    if (x < min) min = x;
    if (x > max) max = x;
  }
  const isSampled = n > QUANTILE_SAMPLE_SIZE;
  const sample = isSampled ? sampleOf(values, QUANTILE_SAMPLE_SIZE) : Float64Array.from(values);
  sample.sort();

  // Sentinels are peeled off the sorted sample's ends; their counts come from the full column.
  const sentinelValues: number[] = [];
  let low = 0;
  let high = sample.length; // the rest is sample[low, high)
  for (;;) {
    const v = sample[high - 1]!;
    if (!HIGH_CODES.has(v)) break;
    const start = lowerBound(sample, v, low, high);
    if (start === low || !isSetApart(sample, low, start, v - sample[start - 1]!, false) || countEqual(values, v) < 2) break;
    sentinelValues.push(v);
    high = start;
  }
  for (;;) {
    const v = sample[low]!;
    if (!LOW_CODES.has(v)) break;
    // First index in sample[low, high) whose value is above v.
    const end = low + binOf(sample.subarray(low, high), v);
    if (end === high || !isSetApart(sample, end, high, sample[end]! - v, sample[end]! > 0) || countEqual(values, v) < 2) break;
    sentinelValues.push(v);
    low = end;
  }
  const rest = sample.subarray(low, high);
  const sentinels = sentinelValues.map((value) => {
    const count = countEqual(values, value);
    return { value, count, share: count / total };
  });

  const isSentinel = (x: number) => sentinelValues.includes(x);
  const q = (p: number) => quantileOf(rest, p);
  const p25 = q(0.25);
  const p75 = q(0.75);
  const iqr = p75 - p25;
  const lowerFence = p25 - TUKEY_K * iqr;
  const upperFence = p75 + TUKEY_K * iqr;
  let sum = 0;
  let counted = 0;
  let outliers = 0;
  for (let i = 0; i < n; i++) {
    const x = values[i]!;
    if (sentinelValues.length > 0 && isSentinel(x)) continue;
    sum += x;
    counted++;
    if (x < lowerFence || x > upperFence) outliers++;
  }
  return {
    min,
    max,
    mean: counted > 0 ? sum / counted : 0,
    quantiles: { p01: q(0.01), p05: q(0.05), p25, p50: q(0.5), p75, p95: q(0.95), p99: q(0.99) },
    sampleSize: sample.length,
    isSampled,
    outliers: { count: outliers, share: counted > 0 ? outliers / counted : 0, lowerFence, upperFence },
    sentinels,
  };
}

/**
 * Whether a candidate sentinel stands apart from the other values sorted[from, to): its gap to them
 * exceeds SENTINEL_GAP_IQRS interquartile ranges of theirs (a quarter of their range when the IQR is 0).
 */
function isSetApart(sorted: Float64Array, from: number, to: number, gap: number, isBelowPositives: boolean): boolean {
  if (isBelowPositives) return true;
  const rest = sorted.subarray(from, to);
  const iqr = quantileOf(rest, 0.75) - quantileOf(rest, 0.25);
  const spread = iqr > 0 ? iqr : (rest[rest.length - 1]! - rest[0]!) / 4;
  return gap > SENTINEL_GAP_IQRS * spread;
}

/** Type-7 quantile (Hyndman & Fan 1996; numpy's default) of sorted values; NaN when there are none. */
const quantileOf = (sorted: Float64Array, p: number): number => (sorted.length === 0 ? Number.NaN : sortedQuantile(sorted, p));

/** A seeded uniform sample without replacement of `size` values. */
function sampleOf(values: Float64Array, size: number): Float64Array {
  const indices = createRandom(SAMPLE_SEED).sampleIndices(values.length, size);
  const sample = new Float64Array(size);
  for (let i = 0; i < size; i++) sample[i] = values[indices[i]!]!;
  return sample;
}

function countEqual(values: Float64Array, value: number): number {
  let count = 0;
  for (let i = 0; i < values.length; i++) if (values[i] === value) count++;
  return count;
}

/** First index in sorted[from, to) whose value is ≥ v. */
function lowerBound(sorted: Float64Array, v: number, from: number, to: number): number {
  let lo = from;
  let hi = to;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid]! < v) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * Rows equal in every column to an earlier row (missing markers all count as the same missing value).
 * Each row is hashed to 52 bits (two FNV-1a passes), the hashes sorted and equal neighbours counted:
 * 16 bytes per row, and a false match has probability about rows² / 2⁵³ (under 0.001 at 2 million rows).
 */
export function countDuplicateRows(columns: readonly string[], rows: readonly CustomerAttributes[]): number {
  if (columns.length === 0) return 0;
  const hashes = new Float64Array(rows.length);
  rows.forEach((row, i) => {
    const hash = new RowHash();
    for (let j = 0; j < columns.length; j++) hash.add(row[columns[j]!]);
    hashes[i] = hash.value();
  });
  hashes.sort();
  let duplicates = 0;
  for (let i = 1; i < hashes.length; i++) if (hashes[i] === hashes[i - 1]) duplicates++;
  return duplicates;
}

const FLOAT = new Float64Array(1);
const FLOAT_WORDS = new Uint32Array(FLOAT.buffer);

/**
 * FNV-1a (Fowler, Noll, Vo) over a row's cells, twice with different bases and primes: 32 + 20 bits.
 * Each cell adds a type tag (missing, number, text, boolean), then its float64 words or UTF-16 code
 * units and, for text, its length, so cells cannot run into each other.
 */
class RowHash {
  private a = 0x811c9dc5;
  private b = 0x01000193 ^ 0x5bd1e995;

  private word(input: number): void {
    // MurmurHash3's finalizer first: multiplication carries bits only upwards, so without it the
    // low bits of the state would never see the high bits of a word.
    let c = input ^ (input >>> 16);
    c = Math.imul(c, 0x85ebca6b);
    c ^= c >>> 13;
    c = Math.imul(c, 0xc2b2ae35);
    c ^= c >>> 16;
    this.a = Math.imul(this.a ^ c, 0x01000193);
    // A second multiplier (MurmurHash2's), so the two halves do not collide together.
    this.b = Math.imul(this.b ^ c, 0x5bd1e995);
  }

  add(value: unknown): void {
    if (isMissingValue(value)) {
      this.word(1);
    } else if (typeof value === 'number') {
      FLOAT[0] = value;
      this.word(2);
      this.word(FLOAT_WORDS[0]!);
      this.word(FLOAT_WORDS[1]!);
    } else if (typeof value === 'boolean') {
      this.word(value ? 4 : 5);
    } else {
      const text = String(value);
      this.word(3);
      for (let i = 0; i < text.length; i++) this.word(text.charCodeAt(i));
      this.word(text.length);
    }
  }

  value(): number {
    return (this.b >>> 12) * 0x1_0000_0000 + (this.a >>> 0);
  }
}
