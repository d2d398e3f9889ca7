/**
 * From a fitted partition to personas: per-persona traits (numeric means as z-scores against the
 * population, category shares with lifts), deterministic names from the most distinguishing traits,
 * and a short description.
 */
import type { CategoricalTableColumn, CustomerTable, NumericTableColumn } from '../domain/customer-table.ts';
import type { FeatureSchema } from '../domain/model.ts';
import {
  AGE_FEATURE,
  CATEGORY_VOCABULARY,
  DEFAULT_NOUN,
  DEFAULT_SLOT,
  MAINSTREAM_NAME,
  NUMERIC_VOCABULARY,
  type Word,
} from '../domain/naming-vocabulary.ts';
import type { CategoricalTrait, NumericTrait, Trait } from '../domain/persona.ts';

export interface PersonaProfile {
  index: number;
  size: number;
  share: number;
  traits: Trait[];
}

/** Traits of each of the k personas of `labels` (one label per customer of `table`). */
export function profilePersonas(schema: FeatureSchema, table: CustomerTable, labels: Int32Array, k: number): PersonaProfile[] {
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
  return traitsByPersona.map((traits, index) => ({ index, size: sizes[index]!, share: sizes[index]! / table.size, traits }));
}

function numericTraits(feature: string, column: NumericTableColumn, labels: Int32Array, k: number): NumericTrait[] {
  const sums = new Float64Array(k);
  const counts = new Float64Array(k);
  let total = 0;
  let count = 0;
  column.values.forEach((value, i) => {
    if (Number.isNaN(value)) return;
    sums[labels[i]!]! += value;
    counts[labels[i]!]!++;
    total += value;
    count++;
  });
  const populationMean = total / count;
  let squares = 0;
  for (const value of column.values) if (!Number.isNaN(value)) squares += (value - populationMean) ** 2;
  const populationStd = Math.sqrt(squares / count);
  return Array.from({ length: k }, (_, persona) => {
    const personaMean = counts[persona]! > 0 ? sums[persona]! / counts[persona]! : populationMean;
    return {
      feature,
      kind: 'numeric',
      populationMean,
      populationStd,
      personaMean,
      zScore: populationStd > 0 ? (personaMean - populationMean) / populationStd : 0,
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

/** A trait that sets a persona apart, with a strength comparable across numeric and categorical features. */
export interface DistinguishingTrait {
  feature: string;
  /** Standardized difference from the population: the z-score, or for a category the difference in shares over the share's binomial standard deviation. */
  strength: number;
  word: Word;
  phrase: string;
}

/** Traits weaker than this (half a standard deviation) do not name a persona. */
const MIN_NAMING_STRENGTH = 0.5;
/** A category names a persona only when at least this share of its members have it. */
const MIN_CATEGORY_SHARE = 0.5;

export function distinguishingTraits(traits: readonly Trait[]): DistinguishingTrait[] {
  const found: DistinguishingTrait[] = [];
  for (const trait of traits) {
    if (trait.kind === 'numeric') {
      if (Math.abs(trait.zScore) < MIN_NAMING_STRENGTH) continue;
      const isHigh = trait.zScore > 0;
      const entry = NUMERIC_VOCABULARY.find((candidate) => candidate.feature.test(trait.feature));
      const word: Word = entry ? (isHigh ? entry.high : entry.low) : { text: `${isHigh ? 'High' : 'Low'} ${readableFeature(trait.feature)}`, role: 'adjective', slot: DEFAULT_SLOT };
      found.push({
        feature: trait.feature,
        strength: Math.abs(trait.zScore),
        word,
        phrase: `${readableFeature(trait.feature)} averages ${formatNumber(trait.personaMean)} against ${formatNumber(trait.populationMean)} overall (${Math.abs(trait.zScore).toFixed(1)} sd ${isHigh ? 'higher' : 'lower'})`,
      });
    } else {
      let best: DistinguishingTrait | null = null;
      for (const category of trait.categories) {
        const p = category.populationShare;
        if (category.personaShare < MIN_CATEGORY_SHARE || p <= 0 || p >= 1) continue;
        const strength = (category.personaShare - p) / Math.sqrt(p * (1 - p));
        if (strength < MIN_NAMING_STRENGTH || (best && strength <= best.strength)) continue;
        const entry = CATEGORY_VOCABULARY.find((candidate) => candidate.feature.test(trait.feature));
        const word: Word = entry?.values.find((candidate) => candidate.value.test(category.value))?.word ?? { text: titleCase(category.value), role: 'adjective', slot: DEFAULT_SLOT };
        best = {
          feature: trait.feature,
          strength,
          word,
          phrase: `${readableFeature(trait.feature)} is ${category.value} for ${percent(category.personaShare)} (${percent(p)} overall)`,
        };
      }
      if (best) found.push(best);
    }
  }
  return found.sort((a, b) => b.strength - a.strength || (a.feature < b.feature ? -1 : 1));
}

/** Traits considered for a name: the strongest few. */
const NAMING_POOL = 5;
/** Traits at least this strong (one standard deviation) all earn a word, up to MAX_ADJECTIVES. */
const STRONG_TRAIT = 1;
const MAX_ADJECTIVES = 3;
/** An age trait this high in the ranking always earns a word. */
const AGE_RANK_FOR_NAME = 4;

/**
 * Candidate names from least to most specific. The first takes every strong adjective (at least
 * two, at most three) and the strongest noun; an age trait among the top four always takes a place,
 * since people picture a persona's age first. Further candidates add one adjective at a time.
 * Words stand in slot order: "Young Urban Renters".
 */
function candidateNames(traits: readonly DistinguishingTrait[]): string[] {
  const pool = traits.slice(0, NAMING_POOL);
  const nounTrait = pool.find((trait) => trait.word.role === 'noun');
  // One noun per name: the strongest; other noun traits ("Homebuyers" beside "Families") stay out.
  const adjectives = pool.filter((trait) => trait.word.role === 'adjective');
  const noun = nounTrait?.word.text ?? DEFAULT_NOUN;
  if (adjectives.length === 0) return nounTrait ? [noun] : [MAINSTREAM_NAME];

  const strong = adjectives.filter((trait) => trait.strength >= STRONG_TRAIT).length;
  let chosen = adjectives.slice(0, Math.min(MAX_ADJECTIVES, Math.max(2, strong)));
  const age = adjectives.find((trait) => AGE_FEATURE.test(trait.feature));
  if (age && !chosen.includes(age) && traits.indexOf(age) < AGE_RANK_FOR_NAME) {
    chosen = [...chosen.slice(0, MAX_ADJECTIVES - 1), age];
  }
  const rest = adjectives.filter((trait) => !chosen.includes(trait));
  const names: string[] = [];
  for (let extra = 0; extra <= rest.length; extra++) {
    const words = [...chosen, ...rest.slice(0, extra)].map((trait) => trait.word).sort((a, b) => a.slot - b.slot);
    names.push([...words.map((word) => word.text), noun].join(' '));
  }
  return names;
}

/**
 * Deterministic, unique names: personas are named largest first, each taking its first candidate
 * not yet used; a persona left without one gets its simplest name with a number.
 */
export function namePersonas(profiles: readonly PersonaProfile[]): string[] {
  const names: string[] = new Array(profiles.length);
  const taken = new Set<string>();
  const order = [...profiles].sort((a, b) => b.size - a.size || a.index - b.index);
  for (const profile of order) {
    const candidates = candidateNames(distinguishingTraits(profile.traits));
    let name = candidates.find((candidate) => !taken.has(candidate));
    for (let suffix = 2; name === undefined; suffix++) {
      const numbered = `${candidates[0]} ${suffix}`;
      if (!taken.has(numbered)) name = numbered;
    }
    taken.add(name);
    names[profile.index] = name;
  }
  return names;
}

export function describePersona(profile: PersonaProfile, totalCustomers: number): string {
  const traits = distinguishingTraits(profile.traits).slice(0, 3);
  const size = `${percent(profile.share)} of customers (${profile.size.toLocaleString('en-US')} of ${totalCustomers.toLocaleString('en-US')})`;
  if (traits.length === 0) return `${size}, close to the average on every feature.`;
  return `${size}. ${traits.map((trait) => capitalize(trait.phrase)).join('; ')}.`;
}

export function slugify(name: string): string {
  return name
    .toLowerCase()
    .normalize('NFKD')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
}

/** "Annual Income (k$)" → "Annual Income"; "web_visits_month" → "Web Visits Month". */
export function readableFeature(feature: string): string {
  const cleaned = feature.replace(/\(.*?\)/g, ' ').replace(/[_\s]+/g, ' ').trim();
  return titleCase(cleaned === '' ? feature : cleaned);
}

function titleCase(text: string): string {
  return text
    .split(/\s+/)
    .map((word) => (word === word.toUpperCase() ? word : word.charAt(0).toUpperCase() + word.slice(1)))
    .join(' ');
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

function percent(share: number): string {
  return `${Math.round(share * 100)}%`;
}

function formatNumber(value: number): string {
  const magnitude = Math.abs(value);
  const digits = magnitude >= 100 ? 0 : magnitude >= 10 ? 1 : 2;
  return value.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: 0 });
}
