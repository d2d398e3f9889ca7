/**
 * Human-readable rules for one persona: short conjunctions of threshold conditions on raw feature values
 * ("column 3 above 82,000 and column 7 above 14") that pick out the persona's members.
 *
 * Maximises the F1 score of the rule as a detector of membership, F1 = 2 TP / (matched + P), the harmonic
 * mean of precision TP / matched (share of the rows the rule matches that belong to the persona) and
 * coverage TP / P (share of the persona's P members the rule matches).
 *
 * Conditions: x_j > t or x_j ≤ t on a numeric column (NaN is a missing value and matches neither), and
 * code = v on a categorical column. Candidate thresholds are the 1/(B+1) … B/(B+1) quantiles (order
 * statistics) of the column over all rows and over the persona's members (B = candidateThresholds,
 * default 32), each rounded to `significantDigits` (default 2) significant digits *before* evaluation, so
 * the reported thresholds are readable and their precision and coverage are exact for them (the final
 * counts are recomputed on the raw values). The quantiles come from a systematic sample (every s-th
 * value) of at most 32,768 values per column and per persona: sorting is the costliest step, and the
 * sample places 1/33-spaced quantiles to well within their spacing; every count uses every row.
 *
 * Search: every value is binned once against its column's candidate thresholds (a binary search), so a
 * condition is a range of bins and the counts of all conditions of a column come from one histogram.
 * 1. One histogram pass over all rows scores every single condition.
 * 2. Beam: the best single condition of each (column, direction) — each code for a categorical column —
 *    ranked by F1, the top beamWidth (default 10) are extended: one histogram pass over the rows they
 *    match scores every second condition on another column, or the opposite direction on the same
 *    numeric column (an interval). A conjunction is kept only if it beats its first condition's F1 by at
 *    least 0.01 (a second condition must pay for the extra words).
 * 3. Selection: the best rule; then up to maxRules − 1 alternatives (default 3 rules in all), each on
 *    columns no earlier rule uses and with at least half the best rule's F1, best first. Every rule must
 *    beat the trivial rule "every row" (F1 = 2P / (n + P)) by 0.01, so a persona that no condition
 *    separates (typically a large "everyone else" persona) gets no rule and a warning.
 * 4. Each selected two-condition rule is refined by coordinate ascent (two rounds): each condition's
 *    threshold (or code) is re-chosen on the rows matching the other one.
 * 5. Polish: each numeric threshold may move to any readable value (same significant digits) between its
 *    neighbouring candidates, by exact F1 on the rows matching the other condition; the quantile grid is
 *    ~3 % of the rows wide, and this finds e.g. 82,000 between the candidates 81,000 and 83,000.
 * Greedy beam search is not exhaustive: a pair whose first condition is weak alone can be missed.
 *
 * Notation: n rows, p numeric and q categorical columns, m = p + q, B candidate thresholds, P members.
 * Complexity: O(p n) plus O(p S log S) for the quantile samples (S ≤ 32,768), O(n m log B) to bin,
 * O(beamWidth · n m) for the beam, O(n) per refinement and polish pass;
 * memory O(n m) for the 16-bit bin codes.
 * References: rule induction by greedy beam search as in CN2 (Clark & Niblett, "The CN2 induction
 * algorithm", Machine Learning 3, 1989), scored by F1 (van Rijsbergen, Information Retrieval, 1979).
 */
import { EngineInputError } from '../errors.ts';
import type { CategoricalMatrix } from '../kprototypes/mixed.ts';
import { assertValidCategorical } from '../kprototypes/mixed.ts';
import type { DenseMatrix } from '../matrix.ts';
import { assertIntegerOption, assertLabels } from '../validate.ts';

/** Options of findPersonaRules; all optional. */
export interface RuleSearchOptions {
  /** Categorical columns as integer codes (n × q, same rows as the numeric matrix); each cardinality ≤ 65,535. */
  readonly categorical?: CategoricalMatrix;
  /** Most rules returned, ≥ 1. Default 3. */
  readonly maxRules?: number;
  /** Quantiles per column (over all rows, and again over the members) tried as thresholds, in [1, 1000]. Default 32. */
  readonly candidateThresholds?: number;
  /** Significant digits of every threshold, in [1, 15]. Default 2. */
  readonly significantDigits?: number;
  /** Single conditions extended to two-condition rules, ≥ 0 (0: single conditions only). Default 10. */
  readonly beamWidth?: number;
}

/** x_j > threshold ('above') or x_j ≤ threshold ('atMost') on numeric column j (raw units). */
export interface NumericCondition {
  readonly kind: 'numeric';
  /** Column of the numeric matrix. */
  readonly column: number;
  readonly direction: 'above' | 'atMost';
  readonly threshold: number;
}

/** code = value on categorical column j. */
export interface CategoricalCondition {
  readonly kind: 'categorical';
  /** Column of the categorical matrix. */
  readonly column: number;
  readonly code: number;
}

export type RuleCondition = NumericCondition | CategoricalCondition;

/** A conjunction of one or two conditions and how well it picks out the persona. */
export interface PersonaRule {
  /** All must hold. Two conditions on one numeric column form an interval. */
  readonly conditions: RuleCondition[];
  /** matchedMembers / matchedRows: share of the rows the rule matches that belong to the persona. */
  readonly precision: number;
  /** matchedMembers / personaSize: share of the persona's members the rule matches. */
  readonly coverage: number;
  /** Harmonic mean of precision and coverage. */
  readonly f1: number;
  /** Rows the rule matches. */
  readonly matchedRows: number;
  /** Persona members the rule matches. */
  readonly matchedMembers: number;
}

/** Outcome of findPersonaRules. */
export interface PersonaRules {
  readonly persona: number;
  /** Members P. */
  readonly personaSize: number;
  /** P / n: the precision of a rule that matches every row. */
  readonly baseRate: number;
  /** Up to maxRules rules, best F1 first, on pairwise disjoint columns; empty when none separates the persona. */
  readonly rules: PersonaRule[];
  readonly warnings: string[];
}

const DEFAULT_OPTIONS = {
  maxRules: 3,
  // 32 quantiles space candidates about 3 % of the rows apart: finer steps rarely change a readable rule.
  candidateThresholds: 32,
  significantDigits: 2,
  beamWidth: 10,
} as const satisfies Required<Omit<RuleSearchOptions, 'categorical'>>;

/** F1 a second condition must add to be worth reading. */
const MIN_CONJUNCTION_GAIN = 0.01;
/** An alternative rule needs this share of the best rule's F1. */
const MIN_ALTERNATIVE_SHARE = 0.5;
const REFINE_ROUNDS = 2;
/** Values per column (and per persona) sorted for the candidate quantiles. */
const QUANTILE_SAMPLE = 32_768;
const MAX_BIN_CODE = 65_535;
/** Equal-width cells per numeric column that narrow the threshold search while binning. */
const GRID_CELLS = 256;

/**
 * Finds up to maxRules short rules that describe one persona's members.
 *
 * @param numeric - n × p raw numeric values, row-major; NaN marks a missing value, ±Infinity is rejected.
 *   May have 0 columns when options.categorical is given.
 * @param labels - n persona labels in [0, k).
 * @param k - number of personas, ≥ 1.
 * @param persona - the target persona in [0, k).
 * @param options - see RuleSearchOptions; defaults: no categorical columns, maxRules 3,
 *   candidateThresholds 32, significantDigits 2, beamWidth 10.
 * @returns the persona's size and base rate and its rules with precision, coverage and F1.
 * @throws EngineInputError `shape_mismatch`, `too_few_rows`, `no_columns`, `non_finite_value`
 *   (±Infinity), `invalid_k`, `invalid_label` (labels or persona), `invalid_category`, `invalid_option`.
 */
export function findPersonaRules(
  numeric: DenseMatrix,
  labels: Int32Array,
  k: number,
  persona: number,
  options: RuleSearchOptions = {},
): PersonaRules {
  const n = numeric.rows;
  const p = numeric.cols;
  if (!Number.isInteger(n) || !Number.isInteger(p) || n < 0 || p < 0 || numeric.data.length !== n * p) {
    throw new EngineInputError('shape_mismatch', `numeric stores ${numeric.data.length} values, expected ${n} × ${p}`);
  }
  if (n < 1) throw new EngineInputError('too_few_rows', 'numeric has no rows');
  for (let index = 0; index < numeric.data.length; index++) {
    const value = numeric.data[index]!;
    if (value === Number.POSITIVE_INFINITY || value === Number.NEGATIVE_INFINITY) {
      throw new EngineInputError('non_finite_value', `numeric has ${value} at row ${Math.floor(index / p)}, column ${index % p}`);
    }
  }
  const categorical = options.categorical;
  const q = categorical?.cols ?? 0;
  if (categorical !== undefined) {
    assertValidCategorical(categorical, 'categorical');
    if (categorical.rows !== n) {
      throw new EngineInputError('shape_mismatch', `categorical has ${categorical.rows} rows, numeric has ${n}`);
    }
    for (let j = 0; j < q; j++) {
      if (categorical.cardinalities[j]! > MAX_BIN_CODE) {
        throw new EngineInputError('invalid_category', `categorical column ${j} has cardinality ${categorical.cardinalities[j]}, at most ${MAX_BIN_CODE} supported`);
      }
    }
  }
  if (p + q === 0) throw new EngineInputError('no_columns', 'no numeric and no categorical columns');
  if (!Number.isInteger(k) || k < 1) throw new EngineInputError('invalid_k', `k = ${k} must be an integer ≥ 1`);
  assertLabels(labels, n, k);
  if (!Number.isInteger(persona) || persona < 0 || persona >= k) {
    throw new EngineInputError('invalid_label', `persona ${persona} is outside [0, ${k})`);
  }
  const maxRules = options.maxRules ?? DEFAULT_OPTIONS.maxRules;
  const candidateThresholds = options.candidateThresholds ?? DEFAULT_OPTIONS.candidateThresholds;
  const significantDigits = options.significantDigits ?? DEFAULT_OPTIONS.significantDigits;
  const beamWidth = options.beamWidth ?? DEFAULT_OPTIONS.beamWidth;
  assertIntegerOption('maxRules', maxRules, 1);
  assertIntegerOption('candidateThresholds', candidateThresholds, 1);
  if (candidateThresholds > 1000) throw new EngineInputError('invalid_option', `candidateThresholds = ${candidateThresholds} must be ≤ 1000`);
  assertIntegerOption('significantDigits', significantDigits, 1);
  if (significantDigits > 15) throw new EngineInputError('invalid_option', `significantDigits = ${significantDigits} must be ≤ 15`);
  assertIntegerOption('beamWidth', beamWidth, 0);

  const isMember = new Uint8Array(n);
  let personaSize = 0;
  for (let i = 0; i < n; i++) {
    if (labels[i] === persona) {
      isMember[i] = 1;
      personaSize++;
    }
  }
  const warnings: string[] = [];
  const result = (rules: PersonaRule[]): PersonaRules => ({ persona, personaSize, baseRate: personaSize / n, rules, warnings });
  if (personaSize === 0) {
    warnings.push(`persona ${persona} has no members: no rule`);
    return result([]);
  }
  if (personaSize === n) {
    warnings.push(`persona ${persona} holds every row: no condition separates it`);
    return result([]);
  }

  const table = buildBinTable(numeric, categorical, isMember, personaSize, candidateThresholds, significantDigits);
  const search = new RuleSearch(table, isMember, personaSize);
  const candidates = search.run(beamWidth);
  // Matching every row already scores 2P / (n + P); a rule must say more than that.
  const trivialF1 = f1Score(n, personaSize, personaSize);
  const chosen = selectRules(candidates, maxRules, trivialF1 + MIN_CONJUNCTION_GAIN);
  const rules = chosen.map((rule) => {
    const refined = rule.conditions.length === 2 ? search.refine(rule) : rule;
    const conditions = refined.conditions.map((condition) => toPublicCondition(table, condition));
    const polished = polishThresholds(conditions, table, numeric, categorical, isMember, personaSize, significantDigits);
    return countRule(polished, numeric, categorical, isMember, personaSize);
  });
  rules.sort((a, b) => b.f1 - a.f1);
  if (rules.length === 0) {
    warnings.push(`no rule beats matching every row (F1 ${trivialF1.toFixed(3)}) by ${MIN_CONJUNCTION_GAIN} for persona ${persona}`);
  }
  return result(rules);
}

/** A condition as an inclusive range of bin codes of one column (u < p numeric, else categorical u − p). */
interface BinCondition {
  readonly column: number;
  readonly low: number;
  readonly high: number;
}

interface Candidate {
  readonly conditions: BinCondition[];
  readonly f1: number;
}

/**
 * Per-row bin codes of every column, row-major n × m. A numeric column with thresholds T_0 < … < T_{B−1}
 * has bins 0 … B (bin = number of thresholds below the value, so x ≤ T_b ⇔ bin ≤ b) and bin B + 1 for a
 * missing value; a categorical column's bin is its code.
 */
interface BinTable {
  readonly bins: Uint16Array;
  readonly rows: number;
  readonly columns: number;
  readonly numericColumns: number;
  /** Start of each column's slots in a histogram (m + 1 entries). */
  readonly offsets: Int32Array;
  /** Candidate thresholds of each numeric column (empty for a categorical column). */
  readonly thresholds: Float64Array[];
  /** Smallest and largest non-missing value of each numeric column (p entries each). */
  readonly mins: Float64Array;
  readonly maxs: Float64Array;
}

function buildBinTable(
  numeric: DenseMatrix,
  categorical: CategoricalMatrix | undefined,
  isMember: Uint8Array,
  personaSize: number,
  candidateThresholds: number,
  significantDigits: number,
): BinTable {
  const n = numeric.rows;
  const p = numeric.cols;
  const q = categorical?.cols ?? 0;
  const m = p + q;
  const bins = new Uint16Array(n * m);
  const offsets = new Int32Array(m + 1);
  const thresholds: Float64Array[] = [];
  // Systematic samples (every stride-th row, every stride-th member) for the quantiles: sorting a whole
  // 200,000-row column costs ~20 ms, and 32,768 values place 1/33-spaced quantiles well within their
  // spacing. Samples are stored per column (column j at j · capacity) and filled in one row-major pass.
  const allStride = Math.ceil(n / QUANTILE_SAMPLE);
  const memberStride = Math.ceil(personaSize / QUANTILE_SAMPLE);
  const allCapacity = Math.ceil(n / allStride);
  const memberCapacity = Math.ceil(personaSize / memberStride);
  const allSample = new Float64Array(p * allCapacity);
  const memberSample = new Float64Array(p * memberCapacity);
  const allCounts = new Int32Array(p);
  const memberCounts = new Int32Array(p);
  const mins = new Float64Array(p).fill(Number.POSITIVE_INFINITY);
  const maxs = new Float64Array(p).fill(Number.NEGATIVE_INFINITY);
  const data = numeric.data;
  for (let i = 0, memberIndex = 0; i < n; i++) {
    const isAllPick = i % allStride === 0;
    const isMemberPick = isMember[i] === 1 && memberIndex++ % memberStride === 0;
    const offset = i * p;
    for (let j = 0; j < p; j++) {
      const value = data[offset + j]!;
      if (Number.isNaN(value)) continue;
      if (value < mins[j]!) mins[j] = value;
      if (value > maxs[j]!) maxs[j] = value;
      if (isAllPick) allSample[j * allCapacity + allCounts[j]!++] = value;
      if (isMemberPick) memberSample[j * memberCapacity + memberCounts[j]!++] = value;
    }
  }
  for (let j = 0; j < p; j++) {
    const sortedAll = allSample.subarray(j * allCapacity, j * allCapacity + allCounts[j]!).sort();
    const sortedMembers = memberSample.subarray(j * memberCapacity, j * memberCapacity + memberCounts[j]!).sort();
    const column = candidateThresholdsOf(sortedAll, sortedMembers, mins[j]!, maxs[j]!, candidateThresholds, significantDigits);
    thresholds.push(column);
    offsets[j + 1] = offsets[j]! + column.length + 2;
  }
  // Binning by a binary search per value costs ~50 ns (mispredicted branches); an equal-width grid of
  // GRID_CELLS cells over [min, max] first narrows each search to the thresholds of the value's cell,
  // usually none or one (4–5 times faster). The bounds are widened when rounding put the value in a
  // neighbouring cell, so the bin is exact whatever the column's distribution.
  const cellStarts = new Int32Array(p * (GRID_CELLS + 1));
  const scales = new Float64Array(p);
  for (let j = 0; j < p; j++) {
    const span = maxs[j]! - mins[j]!;
    scales[j] = span > 0 ? GRID_CELLS / span : 0;
    for (let g = 0; g <= GRID_CELLS; g++) {
      cellStarts[j * (GRID_CELLS + 1) + g] = scales[j]! > 0 ? countBelow(thresholds[j]!, mins[j]! + g / scales[j]!) : 0;
    }
  }
  for (let i = 0; i < n; i++) {
    const offset = i * p;
    const binOffset = i * m;
    for (let j = 0; j < p; j++) {
      const value = data[offset + j]!;
      const column = thresholds[j]!;
      const count = column.length;
      if (Number.isNaN(value)) {
        bins[binOffset + j] = count + 1;
        continue;
      }
      const cell = Math.min(GRID_CELLS - 1, Math.floor((value - mins[j]!) * scales[j]!));
      let low = cellStarts[j * (GRID_CELLS + 1) + cell]!;
      let high = cellStarts[j * (GRID_CELLS + 1) + cell + 1]!;
      while (low > 0 && column[low - 1]! >= value) low--;
      while (high < count && column[high]! < value) high++;
      while (low < high) {
        const middle = (low + high) >>> 1;
        if (column[middle]! < value) low = middle + 1;
        else high = middle;
      }
      bins[binOffset + j] = low;
    }
  }
  for (let j = 0; j < q; j++) {
    const codes = categorical!.codes;
    for (let i = 0; i < n; i++) bins[i * m + p + j] = codes[i * q + j]!;
    thresholds.push(new Float64Array(0));
    offsets[p + j + 1] = offsets[p + j]! + categorical!.cardinalities[j]!;
  }
  return { bins, rows: n, columns: m, numericColumns: p, offsets, thresholds, mins, maxs };
}

/**
 * Rounded quantiles of the (sampled, sorted) column over all rows and over the members, sorted and
 * distinct, keeping only thresholds that split the column (min ≤ t < max over every row): others match
 * every row or none.
 */
function candidateThresholdsOf(
  sortedAll: Float64Array,
  sortedMembers: Float64Array,
  min: number,
  max: number,
  count: number,
  digits: number,
): Float64Array {
  const values: number[] = [];
  for (const sorted of [sortedAll, sortedMembers]) {
    if (sorted.length === 0) continue;
    for (let step = 1; step <= count; step++) {
      const position = Math.min(sorted.length - 1, Math.floor((step * sorted.length) / (count + 1)));
      const rounded = Number(sorted[position]!.toPrecision(digits));
      if (rounded >= min && rounded < max) values.push(rounded);
    }
  }
  const unique = Float64Array.from(values).sort();
  let distinct = 0;
  for (let index = 0; index < unique.length; index++) {
    if (index === 0 || unique[index] !== unique[distinct - 1]) unique[distinct++] = unique[index]!;
  }
  return unique.slice(0, distinct);
}

/** Number of thresholds strictly below value (binary search). */
function countBelow(thresholds: Float64Array, value: number): number {
  let low = 0;
  let high = thresholds.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (thresholds[middle]! < value) low = middle + 1;
    else high = middle;
  }
  return low;
}

function f1Score(matched: number, truePositives: number, personaSize: number): number {
  return (2 * truePositives) / (matched + personaSize);
}

/** The histogram passes of the search, sharing two count buffers. */
class RuleSearch {
  private readonly table: BinTable;
  private readonly isMember: Uint8Array;
  private readonly personaSize: number;
  private readonly allCounts: Int32Array;
  private readonly memberCounts: Int32Array;

  constructor(table: BinTable, isMember: Uint8Array, personaSize: number) {
    this.table = table;
    this.isMember = isMember;
    this.personaSize = personaSize;
    const slots = table.offsets[table.columns]!;
    this.allCounts = new Int32Array(slots);
    this.memberCounts = new Int32Array(slots);
  }

  /** Candidate rules, at most one per set of columns (the best), singles and beam conjunctions. */
  run(beamWidth: number): Candidate[] {
    const { columns } = this.table;
    const best = new Map<string, Candidate>();
    const offer = (candidate: Candidate): void => {
      const key = candidate.conditions.map((condition) => condition.column).sort((a, b) => a - b).join(',');
      const held = best.get(key);
      if (held === undefined || candidate.f1 > held.f1) best.set(key, candidate);
    };

    this.countRows(null);
    const singles: Candidate[] = [];
    for (let u = 0; u < columns; u++) {
      this.forEachCondition(u, null, (condition, f1) => {
        singles.push({ conditions: [condition], f1 });
      });
    }
    singles.sort(compareCandidates);
    for (const single of singles) offer(single);

    for (const primary of beamOf(singles, beamWidth, this.table.numericColumns)) {
      const first = primary.conditions[0]!;
      this.countRows(first);
      for (let u = 0; u < columns; u++) {
        const isSameColumn = u === first.column;
        if (isSameColumn && u >= this.table.numericColumns) continue;
        this.forEachCondition(u, isSameColumn ? first : null, (condition, f1) => {
          if (f1 >= primary.f1 + MIN_CONJUNCTION_GAIN) offer({ conditions: [first, condition], f1 });
        });
      }
    }
    return [...best.values()].sort(compareCandidates);
  }

  /** Coordinate ascent on a two-condition rule: re-choose each condition on the rows matching the other. */
  refine(rule: Candidate): Candidate {
    let conditions = rule.conditions;
    let f1 = rule.f1;
    for (let round = 0; round < REFINE_ROUNDS; round++) {
      for (let slot = 0; slot < 2; slot++) {
        const fixed = conditions[1 - slot]!;
        const current = conditions[slot]!;
        this.countRows(fixed);
        const isSameColumn = fixed.column === current.column;
        let bestCondition = current;
        let bestF1 = f1;
        this.forEachCondition(current.column, isSameColumn ? fixed : null, (condition, score) => {
          if (isSameDirection(this.table, condition, current) && score > bestF1) {
            bestF1 = score;
            bestCondition = condition;
          }
        });
        conditions = slot === 0 ? [bestCondition, fixed] : [fixed, bestCondition];
        f1 = bestF1;
      }
    }
    return { conditions, f1 };
  }

  /** Histograms of every column over the rows matching `filter` (all rows when null). */
  private countRows(filter: BinCondition | null): void {
    const { bins, rows, columns, offsets } = this.table;
    const allCounts = this.allCounts;
    const memberCounts = this.memberCounts;
    allCounts.fill(0);
    memberCounts.fill(0);
    const filterColumn = filter?.column ?? 0;
    const low = filter?.low ?? 0;
    const high = filter?.high ?? MAX_BIN_CODE;
    for (let i = 0; i < rows; i++) {
      const offset = i * columns;
      const code = bins[offset + filterColumn]!;
      if (code < low || code > high) continue;
      if (this.isMember[i] === 1) {
        for (let u = 0; u < columns; u++) {
          const slot = offsets[u]! + bins[offset + u]!;
          allCounts[slot]!++;
          memberCounts[slot]!++;
        }
      } else {
        for (let u = 0; u < columns; u++) allCounts[offsets[u]! + bins[offset + u]!]!++;
      }
    }
  }

  /**
   * Calls `visit` with every condition on column u and its F1 over the counted rows. A numeric column
   * yields 'atMost' (bins 0…b) and 'above' (bins b+1…B) per threshold; with `sameColumn` (the counted rows
   * already satisfy a condition on u) only the opposite direction, which closes an interval.
   */
  private forEachCondition(u: number, sameColumn: BinCondition | null, visit: (condition: BinCondition, f1: number) => void): void {
    const { offsets, numericColumns, thresholds } = this.table;
    const allCounts = this.allCounts;
    const memberCounts = this.memberCounts;
    const start = offsets[u]!;
    const personaSize = this.personaSize;
    if (u >= numericColumns) {
      const cardinality = offsets[u + 1]! - start;
      for (let code = 0; code < cardinality; code++) {
        const members = memberCounts[start + code]!;
        if (members === 0) continue;
        visit({ column: u, low: code, high: code }, f1Score(allCounts[start + code]!, members, personaSize));
      }
      return;
    }
    const thresholdCount = thresholds[u]!.length;
    let allPresent = 0;
    let membersPresent = 0;
    for (let b = 0; b <= thresholdCount; b++) {
      allPresent += allCounts[start + b]!;
      membersPresent += memberCounts[start + b]!;
    }
    // With a same-column condition 'atMost b0' only 'above' conditions add anything, and vice versa.
    const allowAtMost = sameColumn === null || sameColumn.low > 0;
    const allowAbove = sameColumn === null || sameColumn.low === 0;
    let allBelow = 0;
    let membersBelow = 0;
    for (let b = 0; b < thresholdCount; b++) {
      allBelow += allCounts[start + b]!;
      membersBelow += memberCounts[start + b]!;
      if (allowAtMost && membersBelow > 0) {
        visit({ column: u, low: 0, high: b }, f1Score(allBelow, membersBelow, personaSize));
      }
      const membersAbove = membersPresent - membersBelow;
      if (allowAbove && membersAbove > 0) {
        visit({ column: u, low: b + 1, high: thresholdCount }, f1Score(allPresent - allBelow, membersAbove, personaSize));
      }
    }
  }
}

/** The best single of each (column, direction) or (column, code), best first, at most beamWidth of them. */
function beamOf(singles: Candidate[], beamWidth: number, numericColumns: number): Candidate[] {
  const beam: Candidate[] = [];
  const seen = new Set<string>();
  for (const single of singles) {
    if (beam.length >= beamWidth || single.f1 === 0) break;
    const { column, low } = single.conditions[0]!;
    const key = column < numericColumns ? `${column}:${low === 0 ? 'atMost' : 'above'}` : `${column}=${low}`;
    if (seen.has(key)) continue;
    seen.add(key);
    beam.push(single);
  }
  return beam;
}

function isSameDirection(table: BinTable, a: BinCondition, b: BinCondition): boolean {
  if (a.column >= table.numericColumns) return true;
  return (a.low === 0) === (b.low === 0);
}

function compareCandidates(a: Candidate, b: Candidate): number {
  return b.f1 - a.f1 || a.conditions.length - b.conditions.length || compareConditions(a.conditions[0]!, b.conditions[0]!);
}

function compareConditions(a: BinCondition, b: BinCondition): number {
  return a.column - b.column || a.low - b.low || a.high - b.high;
}

/**
 * The best rule, then alternatives on unused columns with at least MIN_ALTERNATIVE_SHARE of its F1; every
 * rule needs an F1 of at least minF1.
 */
function selectRules(candidates: Candidate[], maxRules: number, minF1: number): Candidate[] {
  const chosen: Candidate[] = [];
  const usedColumns = new Set<number>();
  for (const candidate of candidates) {
    if (chosen.length >= maxRules) break;
    if (candidate.f1 < minF1) break;
    if (chosen.length > 0 && candidate.f1 < MIN_ALTERNATIVE_SHARE * chosen[0]!.f1) break;
    if (candidate.conditions.some((condition) => usedColumns.has(condition.column))) continue;
    chosen.push(candidate);
    for (const condition of candidate.conditions) usedColumns.add(condition.column);
  }
  return chosen;
}

function toPublicCondition(table: BinTable, condition: BinCondition): RuleCondition {
  const { column, low, high } = condition;
  if (column >= table.numericColumns) return { kind: 'categorical', column: column - table.numericColumns, code: low };
  const thresholds = table.thresholds[column]!;
  return low === 0
    ? { kind: 'numeric', column, direction: 'atMost', threshold: thresholds[high]! }
    : { kind: 'numeric', column, direction: 'above', threshold: thresholds[low - 1]! };
}

/**
 * Final threshold polish: each numeric condition in turn may move to any `digits`-significant-digit value
 * strictly between its neighbouring candidate thresholds (e.g. 82,000 between the candidates 81,000 and
 * 83,000), chosen by exact F1 on the rows that satisfy the other conditions. The quantile candidates are
 * ~3 % of the rows apart; this recovers the best readable threshold within that gap.
 */
function polishThresholds(
  conditions: RuleCondition[],
  table: BinTable,
  numeric: DenseMatrix,
  categorical: CategoricalMatrix | undefined,
  isMember: Uint8Array,
  personaSize: number,
  digits: number,
): RuleCondition[] {
  const n = numeric.rows;
  const p = numeric.cols;
  const polished = [...conditions];
  for (let index = 0; index < polished.length; index++) {
    const condition = polished[index]!;
    if (condition.kind !== 'numeric') continue;
    const { column, direction, threshold } = condition;
    const candidates = table.thresholds[column]!;
    const position = countBelow(candidates, threshold);
    const low = position > 0 ? candidates[position - 1]! : table.mins[column]!;
    const high = position + 1 < candidates.length ? candidates[position + 1]! : table.maxs[column]!;
    const grid = readableGrid(low, high, threshold, digits);
    const allCounts = new Int32Array(grid.length + 1);
    const memberCounts = new Int32Array(grid.length + 1);
    const others = polished.filter((_, other) => other !== index);
    for (let i = 0; i < n; i++) {
      const value = numeric.data[i * p + column]!;
      if (Number.isNaN(value) || !matchesAll(others, numeric, categorical, i)) continue;
      const bin = countBelow(grid, value);
      allCounts[bin]!++;
      memberCounts[bin]! += isMember[i]!;
    }
    let allPresent = 0;
    let membersPresent = 0;
    for (let b = 0; b <= grid.length; b++) {
      allPresent += allCounts[b]!;
      membersPresent += memberCounts[b]!;
    }
    let best = threshold;
    let bestF1 = -1;
    let allBelow = 0;
    let membersBelow = 0;
    for (let b = 0; b < grid.length; b++) {
      allBelow += allCounts[b]!;
      membersBelow += memberCounts[b]!;
      const f1 = direction === 'atMost'
        ? f1Score(allBelow, membersBelow, personaSize)
        : f1Score(allPresent - allBelow, membersPresent - membersBelow, personaSize);
      // On a tie the threshold already chosen wins.
      if (f1 > bestF1 || (f1 === bestF1 && grid[b] === threshold)) {
        bestF1 = f1;
        best = grid[b]!;
      }
    }
    polished[index] = { kind: 'numeric', column, direction, threshold: best };
  }
  return polished;
}

/**
 * Sorted distinct values with `digits` significant digits strictly between low and high, plus `keep`:
 * steps of one unit in the last kept digit of the larger magnitude, at most GRID_CELLS of them.
 */
function readableGrid(low: number, high: number, keep: number, digits: number): Float64Array {
  const magnitude = Math.max(Math.abs(low), Math.abs(high));
  let step = magnitude > 0 ? 10 ** (Math.floor(Math.log10(magnitude)) - digits + 1) : 1;
  if ((high - low) / step > GRID_CELLS) step = (high - low) / GRID_CELLS;
  const values = [keep];
  for (let value = (Math.floor(low / step) + 1) * step; value < high; value += step) {
    const rounded = Number(value.toPrecision(digits));
    if (rounded > low && rounded < high) values.push(rounded);
  }
  const sorted = Float64Array.from(values).sort();
  let distinct = 0;
  for (let index = 0; index < sorted.length; index++) {
    if (index === 0 || sorted[index] !== sorted[distinct - 1]) sorted[distinct++] = sorted[index]!;
  }
  return sorted.slice(0, distinct);
}

function matchesAll(conditions: readonly RuleCondition[], numeric: DenseMatrix, categorical: CategoricalMatrix | undefined, i: number): boolean {
  for (const condition of conditions) {
    if (condition.kind === 'numeric') {
      const value = numeric.data[i * numeric.cols + condition.column]!;
      if (!(condition.direction === 'above' ? value > condition.threshold : value <= condition.threshold)) return false;
    } else if (categorical!.codes[i * categorical!.cols + condition.column] !== condition.code) {
      return false;
    }
  }
  return true;
}

/** Precision, coverage and F1 of a rule counted on the raw values (NaN matches no numeric condition). */
function countRule(
  conditions: RuleCondition[],
  numeric: DenseMatrix,
  categorical: CategoricalMatrix | undefined,
  isMember: Uint8Array,
  personaSize: number,
): PersonaRule {
  const n = numeric.rows;
  let matchedRows = 0;
  let matchedMembers = 0;
  for (let i = 0; i < n; i++) {
    if (!matchesAll(conditions, numeric, categorical, i)) continue;
    matchedRows++;
    matchedMembers += isMember[i]!;
  }
  const ordered = [...conditions].sort(compareOutputConditions);
  return {
    conditions: ordered,
    precision: matchedRows > 0 ? matchedMembers / matchedRows : 0,
    coverage: matchedMembers / personaSize,
    f1: matchedRows + personaSize > 0 ? f1Score(matchedRows, matchedMembers, personaSize) : 0,
    matchedRows,
    matchedMembers,
  };
}

/** Numeric before categorical, then by column; an interval reads 'above' first. */
function compareOutputConditions(a: RuleCondition, b: RuleCondition): number {
  if (a.kind !== b.kind) return a.kind === 'numeric' ? -1 : 1;
  if (a.column !== b.column) return a.column - b.column;
  if (a.kind === 'numeric' && b.kind === 'numeric') return a.direction === 'above' ? -1 : 1;
  return 0;
}
