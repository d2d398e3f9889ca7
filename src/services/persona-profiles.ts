/**
 * What each persona of a fitted partition looks like: per numeric feature its mean and median beside
 * the population's, the z-score (effect size) and the percentile of its median; per categorical
 * feature each category's share beside the population's and the lift; value figures (share of the
 * dataset's value, and the value realised so far as a CLV-like figure) and the snake-plot series.
 */
import type { CategoricalTableColumn, CustomerTable, NumericTableColumn } from '../domain/customer-table.ts';
import type { ValueKind } from '../domain/dataset.ts';
import type { FeatureSchema } from '../domain/model.ts';
import type { CategoricalTrait, NumericTrait, PersonaProfile, Trait } from '../domain/persona.ts';

export interface ProfiledPersona {
  index: number;
  size: number;
  share: number;
  traits: Trait[];
  profile: PersonaProfile;
}

/** Columns beyond the features that the value figures read. */
export interface ValueColumns {
  value: { column: string; kind: ValueKind; values: Float64Array } | null;
  /** Tenure in years (the caller converts days or months). */
  tenure: { column: string; years: Float64Array } | null;
}

/** Traits and value figures of each of the k personas of `labels` (one label per customer of `table`). */
export function profilePersonas(
  schema: FeatureSchema,
  table: CustomerTable,
  labels: Int32Array,
  k: number,
  valueColumns: ValueColumns = { value: null, tenure: null },
): ProfiledPersona[] {
  const sizes = new Int32Array(k);
  for (const label of labels) sizes[label]!++;
  const traitsByPersona: Trait[][] = Array.from({ length: k }, () => []);
  for (const feature of schema.features) {
    const column = table.columns.get(feature.name)!;
    const traits =
      feature.kind === 'numeric'
        ? numericTraits(feature.name, column as NumericTableColumn, labels, k)
        : categoricalTraits(feature.name, feature.categories, column as CategoricalTableColumn, labels, k);
    traits.forEach((trait, persona) => traitsByPersona[persona]!.push(trait));
  }
  const values = valueFigures(valueColumns, labels, k);
  return traitsByPersona.map((traits, index) => ({
    index,
    size: sizes[index]!,
    share: sizes[index]! / table.size,
    traits,
    profile: {
      value: values[index]!.value,
      clv: values[index]!.clv,
      snake: traits.filter((trait): trait is NumericTrait => trait.kind === 'numeric').map((trait) => ({ feature: trait.feature, value: trait.zScore })),
    },
  }));
}

/** Values of each persona, sorted, in one buffer: persona c's are at offsets[c]…offsets[c + 1]. */
function sortedByPersona(values: Float64Array, labels: Int32Array, k: number): { sorted: Float64Array; offsets: Int32Array } {
  const offsets = new Int32Array(k + 1);
  for (let i = 0; i < values.length; i++) if (!Number.isNaN(values[i]!)) offsets[labels[i]! + 1]!++;
  for (let c = 0; c < k; c++) offsets[c + 1]! += offsets[c]!;
  const sorted = new Float64Array(offsets[k]!);
  const next = offsets.slice(0, k);
  for (let i = 0; i < values.length; i++) if (!Number.isNaN(values[i]!)) sorted[next[labels[i]!]!++] = values[i]!;
  for (let c = 0; c < k; c++) sorted.subarray(offsets[c]!, offsets[c + 1]!).sort();
  return { sorted, offsets };
}

function medianOfSorted(sorted: Float64Array): number {
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/** Share of `sorted` strictly below `value` plus half the ties: the mid-rank percentile, 0–100. */
function percentileOf(sorted: Float64Array, value: number): number {
  let below = 0;
  let high = sorted.length;
  while (below < high) {
    const middle = (below + high) >>> 1;
    if (sorted[middle]! < value) below = middle + 1;
    else high = middle;
  }
  let equalEnd = below;
  high = sorted.length;
  while (equalEnd < high) {
    const middle = (equalEnd + high) >>> 1;
    if (sorted[middle]! <= value) equalEnd = middle + 1;
    else high = middle;
  }
  return (100 * (below + (equalEnd - below) / 2)) / sorted.length;
}

function numericTraits(feature: string, column: NumericTableColumn, labels: Int32Array, k: number): NumericTrait[] {
  const { sorted: byPersona, offsets } = sortedByPersona(column.values, labels, k);
  const population = byPersona.slice().sort();
  let total = 0;
  for (const value of population) total += value;
  const populationMean = total / population.length;
  let squares = 0;
  for (const value of population) squares += (value - populationMean) ** 2;
  const populationStd = Math.sqrt(squares / population.length);
  const populationMedian = medianOfSorted(population);
  return Array.from({ length: k }, (_, persona) => {
    const members = byPersona.subarray(offsets[persona]!, offsets[persona + 1]!);
    let sum = 0;
    for (const value of members) sum += value;
    const personaMean = members.length > 0 ? sum / members.length : populationMean;
    const personaMedian = members.length > 0 ? medianOfSorted(members) : populationMedian;
    return {
      feature,
      kind: 'numeric',
      populationMean,
      populationMedian,
      populationStd,
      personaMean,
      personaMedian,
      zScore: populationStd > 0 ? (personaMean - populationMean) / populationStd : 0,
      percentile: percentileOf(population, personaMedian),
    };
  });
}

/**
 * The value realised so far by one customer, by what the value column measures: an annual value times
 * the tenure in years, a monthly one times 12 × years, a lifetime value itself; a balance (a stock,
 * not a flow) realises nothing. NaN where it cannot be known.
 */
function realisedValue(kind: ValueKind, amount: number, years: number): number {
  switch (kind) {
    case 'annual':
      return amount * years;
    case 'monthly':
      return amount * 12 * years;
    case 'lifetime':
      return amount;
    case 'balance':
      return Number.NaN;
  }
}

function clvFormula(value: NonNullable<ValueColumns['value']>, tenure: ValueColumns['tenure']): string | null {
  switch (value.kind) {
    case 'annual':
      return tenure ? `${value.column} × ${tenure.column} in years` : null;
    case 'monthly':
      return tenure ? `${value.column} × 12 × ${tenure.column} in years` : null;
    case 'lifetime':
      return `${value.column} (a lifetime value)`;
    case 'balance':
      return null;
  }
}

function valueFigures({ value, tenure }: ValueColumns, labels: Int32Array, k: number): Array<Pick<PersonaProfile, 'value' | 'clv'>> {
  const totals = new Float64Array(k);
  const counts = new Float64Array(k);
  const realised = new Float64Array(k);
  const realisedCounts = new Float64Array(k);
  let grandTotal = 0;
  const sizes = new Float64Array(k);
  for (let i = 0; i < labels.length; i++) {
    const persona = labels[i]!;
    sizes[persona]!++;
    const amount = value ? value.values[i]! : Number.NaN;
    if (!value || Number.isNaN(amount)) continue;
    totals[persona]! += amount;
    counts[persona]!++;
    grandTotal += amount;
    const lifetime = realisedValue(value.kind, amount, tenure ? tenure.years[i]! : Number.NaN);
    if (!Number.isNaN(lifetime)) {
      realised[persona]! += lifetime;
      realisedCounts[persona]!++;
    }
  }
  const formula = value ? clvFormula(value, tenure) : null;
  return Array.from({ length: k }, (_, persona) => {
    if (!value || counts[persona] === 0 || grandTotal === 0) return { value: null, clv: null };
    const share = totals[persona]! / grandTotal;
    return {
      value: { column: value.column, mean: totals[persona]! / counts[persona]!, share, index: share / (sizes[persona]! / labels.length) },
      clv:
        formula && realisedCounts[persona]! > 0
          ? { mean: realised[persona]! / realisedCounts[persona]!, formula, tenureColumn: value.kind === 'lifetime' ? null : (tenure?.column ?? null) }
          : null,
    };
  });
}

function categoricalTraits(
  feature: string,
  categories: readonly string[],
  column: CategoricalTableColumn,
  labels: Int32Array,
  k: number,
): CategoricalTrait[] {
  const position = new Map(categories.map((label, index) => [label, index]));
  const toPosition = column.labels.map((label) => position.get(label));
  const c = categories.length;
  const counts = new Float64Array(k * c);
  const personaTotals = new Float64Array(k);
  const populationCounts = new Float64Array(c);
  let populationTotal = 0;
  column.codes.forEach((code, i) => {
    if (code < 0) return;
    const j = toPosition[code];
    if (j === undefined) return;
    counts[labels[i]! * c + j]!++;
    personaTotals[labels[i]!]!++;
    populationCounts[j]!++;
    populationTotal++;
  });
  return Array.from({ length: k }, (_, persona) => ({
    feature,
    kind: 'categorical',
    categories: categories.map((value, j) => {
      const personaShare = personaTotals[persona]! > 0 ? counts[persona * c + j]! / personaTotals[persona]! : 0;
      const populationShare = populationCounts[j]! / populationTotal;
      return { value, personaShare, populationShare, lift: populationShare > 0 ? personaShare / populationShare : 0 };
    }),
  }));
}

