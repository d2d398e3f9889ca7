/**
 * Persona names, taglines and descriptions: deterministic and vocabulary-driven from the traits that
 * set each persona apart (src/domain/naming-vocabulary.ts, extensible with a JSON file), unique within
 * a model; RFM features get the usual RFM segment names.
 */
import { AGE_FEATURE, DEFAULT_NOUN, DEFAULT_SLOT, DEFAULT_VOCABULARY, MAINSTREAM_NAME, RFM_FEATURES } from '../domain/naming-vocabulary.ts';
import type { NamingVocabulary, Word } from '../domain/naming-vocabulary.ts';
import { formatNumber, readableFeature, titleCase } from '../domain/feature-names.ts';
import type { NumericTrait, PersonaDrivers, Trait } from '../domain/persona.ts';
import type { ProfiledPersona } from './persona-profiles.ts';

/** A trait that sets a persona apart, with a strength comparable across numeric and categorical features. */
export interface DistinguishingTrait {
  feature: string;
  /** Standardized difference from the population: the z-score, or for a category the difference in shares over the share's binomial standard deviation. */
  strength: number;
  word: Word;
  phrase: string;
  /** A few words for taglines: "younger", "87% rent". */
  shortPhrase: string;
}

/** Traits weaker than this (half a standard deviation) do not name a persona. */
const MIN_NAMING_STRENGTH = 0.5;
/** A category names a persona only when at least this share of its members have it. */
const MIN_CATEGORY_SHARE = 0.5;

export function distinguishingTraits(traits: readonly Trait[], vocabulary: NamingVocabulary = DEFAULT_VOCABULARY): DistinguishingTrait[] {
  const found: DistinguishingTrait[] = [];
  const features = traits.map((trait) => trait.feature);
  for (const trait of traits) {
    if (trait.kind === 'numeric') {
      if (Math.abs(trait.zScore) < MIN_NAMING_STRENGTH) continue;
      const isHigh = trait.zScore > 0;
      const entry = vocabulary.numeric.find((candidate) => candidate.feature.test(trait.feature));
      const word: Word = entry ? (isHigh ? entry.high : entry.low) : { text: `${isHigh ? 'High' : 'Low'} ${readableFeature(trait.feature)}`, role: 'adjective', slot: DEFAULT_SLOT };
      found.push({
        feature: trait.feature,
        strength: Math.abs(trait.zScore),
        word,
        phrase: `${readableFeature(trait.feature).toLowerCase()} averages ${formatNumber(trait.personaMean)} against ${formatNumber(trait.populationMean)} overall (${Math.abs(trait.zScore).toFixed(1)} sd ${isHigh ? 'higher' : 'lower'})`,
        shortPhrase: `${isHigh ? 'high' : 'low'} ${readableFeature(trait.feature).toLowerCase()}`,
      });
    } else {
      let best: DistinguishingTrait | null = null;
      for (const category of trait.categories) {
        const p = category.populationShare;
        if (category.personaShare < MIN_CATEGORY_SHARE || p <= 0 || p >= 1) continue;
        const strength = (category.personaShare - p) / Math.sqrt(p * (1 - p));
        if (strength < MIN_NAMING_STRENGTH || (best && strength <= best.strength)) continue;
        if (isStructuralValue(category.value, features)) continue;
        const word: Word = categoryWord(vocabulary, trait.feature, category.value) ?? fallbackCategoryWord(trait.feature, category.value);
        best = {
          feature: trait.feature,
          strength,
          word,
          phrase: `${readableFeature(trait.feature).toLowerCase()} is ${category.value} for ${percent(category.personaShare)} (${percent(p)} overall)`,
          shortPhrase: `${percent(category.personaShare)} ${categoryPhrase(trait.feature, category.value)}`,
        };
      }
      if (best) found.push(best);
    }
  }
  return found.sort((a, b) => b.strength - a.strength || (a.feature < b.feature ? -1 : 1));
}

/** The first word for the value among every entry of the feature: an operator's entry covering some values leaves the shipped words for the rest. */
function categoryWord(vocabulary: NamingVocabulary, feature: string, value: string): Word | null {
  for (const entry of vocabulary.categorical) {
    if (!entry.feature.test(feature)) continue;
    const match = entry.values.find((candidate) => candidate.value.test(value));
    if (match) return match.word;
  }
  return null;
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
  // Two features may call for the same word (wine and meat spending both say "Big-Spending"): the strongest keeps it.
  const pool = traits.filter((trait, index) => traits.findIndex((other) => other.word.text === trait.word.text) === index).slice(0, NAMING_POOL);
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
export function namePersonas(profiles: readonly ProfiledPersona[], vocabulary: NamingVocabulary = DEFAULT_VOCABULARY): string[] {
  const names: string[] = new Array(profiles.length);
  const taken = new Set<string>();
  const order = [...profiles].sort((a, b) => b.size - a.size || a.index - b.index);
  for (const profile of order) {
    const traits = distinguishingTraits(profile.traits, vocabulary);
    const rfm = rfmSegment(profile.traits);
    const candidates = rfm ? [rfm, ...candidateNames(traits).map((name) => `${name.replace(/ Customers$/, '')} ${rfm}`)] : candidateNames(traits);
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

/**
 * The usual RFM segments (Champions, Loyal, New, At Risk, Hibernating…) when the features include
 * recency and frequency; null otherwise. Decided on the z-scores of recency, frequency and monetary
 * value (and tenure when present), in the order below.
 */
export function rfmSegment(traits: readonly Trait[]): string | null {
  const z = (pattern: RegExp) => traits.find((trait): trait is NumericTrait => trait.kind === 'numeric' && pattern.test(trait.feature))?.zScore;
  const recency = z(RFM_FEATURES.recency);
  const frequency = z(RFM_FEATURES.frequency);
  if (recency === undefined || frequency === undefined) return null;
  const monetary = z(RFM_FEATURES.monetary) ?? 0;
  const tenure = z(/tenure/i);
  if (recency < -0.3 && frequency > 0.5 && monetary > 0.3) return 'Champions';
  if (recency < 0.3 && frequency > 0.3) return 'Loyal Customers';
  if (recency < -0.3 && frequency <= 0 && (tenure === undefined || tenure < 0)) return 'New Customers';
  if (recency > 0.5 && (frequency > -0.3 || monetary > 0)) return 'At Risk';
  if (recency > 0.5) return 'Hibernating';
  if (recency < 0) return 'Potential Loyalists';
  return 'Need Attention';
}

/** One line: the strongest traits in a few words, and the persona's weight in value when known. */
export function taglineOf(profile: ProfiledPersona, vocabulary: NamingVocabulary = DEFAULT_VOCABULARY): string {
  const traits = distinguishingTraits(profile.traits, vocabulary).slice(0, 3);
  const words = traits.map((trait) => trait.shortPhrase);
  const value = profile.profile.value;
  const weight = value
    ? `${percent(profile.share)} of customers, ${percent(value.share)} of ${readableFeature(value.column).toLowerCase()}`
    : `${percent(profile.share)} of customers`;
  return words.length > 0 ? `${capitalize(words.join(', '))} — ${weight}` : `Close to the average on every feature — ${weight}`;
}

/**
 * Two or three sentences: who they are and how many, how they differ from everyone, and the rule
 * that recognises them best (from the drivers, when known).
 */
export function describePersona(
  profile: ProfiledPersona,
  totalCustomers: number,
  options: { name?: string; drivers?: PersonaDrivers; vocabulary?: NamingVocabulary } = {},
): string {
  const traits = distinguishingTraits(profile.traits, options.vocabulary).slice(0, 3);
  const who = options.name ?? 'This persona';
  const value = profile.profile.value;
  const sentences = [
    `${who} ${options.name ? 'are' : 'is'} ${percent(profile.share)} of customers (${profile.size.toLocaleString('en-US')} of ${totalCustomers.toLocaleString('en-US')})` +
      (value ? `, holding ${percent(value.share)} of ${readableFeature(value.column).toLowerCase()}.` : '.'),
    traits.length > 0 ? `Compared with everyone: ${traits.map((trait) => trait.phrase).join('; ')}.` : 'They are close to the average on every feature.',
  ];
  const rule = options.drivers?.rules[0];
  if (rule) sentences.push(`They are best recognised by ${rule.text} (${percent(rule.precision)} of such customers are in this persona, covering ${percent(rule.coverage)} of it).`);
  return sentences.join(' ');
}

export function slugify(name: string): string {
  return name
    .toLowerCase()
    .normalize('NFKD')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
}

const YES = /^(yes|y|true|1)$/i;
const NO = /^(no|n|false|0)$/i;

/**
 * A name word for a category the vocabulary does not know: yes/no values read through their column
 * ("Paperless-Billing", "No-Tech-Support"), other values as they are ("Fiber Optic").
 */
function fallbackCategoryWord(feature: string, value: string): Word {
  const hyphenated = (text: string) => text.split(/\s+/).join('-');
  const text = YES.test(value) ? hyphenated(readableFeature(feature)) : NO.test(value) ? `No-${hyphenated(readableFeature(feature))}` : titleCase(value);
  return { text, role: 'adjective', slot: DEFAULT_SLOT };
}

/** A category in a few words: "rent", "with paperless billing", "without tech support". */
function categoryPhrase(feature: string, value: string): string {
  if (YES.test(value)) return `with ${readableFeature(feature).toLowerCase()}`;
  if (NO.test(value)) return `without ${readableFeature(feature).toLowerCase()}`;
  return value;
}

/**
 * A value that only says another column is absent ("No internet service" in OnlineBackup beside an
 * InternetService column) repeats that column: it describes the persona no better, so it names nothing.
 */
function isStructuralValue(value: string, features: readonly string[]): boolean {
  const match = /^no\s+(.+)$/i.exec(value.trim());
  if (!match) return false;
  const absent = match[1]!.toLowerCase().replace(/\s+/g, ' ');
  return features.some((feature) => readableFeature(feature).toLowerCase() === absent);
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

function percent(share: number): string {
  return `${Math.round(share * 100)}%`;
}
