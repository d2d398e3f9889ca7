/**
 * From a partition to personas people recognise: traits and value figures, deterministic names with a
 * tagline and a short description, near-duplicate flags with a merge hint, and the marketing
 * strategies their traits call for (none for data-quality groups).
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import type { CustomerTable } from '../domain/customer-table.ts';
import type { FeatureSchema } from '../domain/model.ts';
import { DEFAULT_VOCABULARY, extendVocabulary } from '../domain/naming-vocabulary.ts';
import type { NamingVocabulary } from '../domain/naming-vocabulary.ts';
import type { NewPersona, PersonaDrivers, PersonaQuality } from '../domain/persona.ts';
import { DEFAULT_STRATEGIES, extendStrategyLibrary, proposeStrategies } from '../domain/strategies.ts';
import type { StrategyLibrary } from '../domain/strategies.ts';
import type { DenseMatrix } from '../engine/index.ts';
import { describePersona, distinguishingTraits, namePersonas, slugify, taglineOf } from './persona-naming.ts';
import { profilePersonas } from './persona-profiles.ts';
import type { PersonaForNaming } from './llm-naming.ts';
import type { ProfiledPersona, ValueColumns } from './persona-profiles.ts';

export interface NamingRules {
  vocabulary: NamingVocabulary;
  strategies: StrategyLibrary;
}

export const DEFAULT_NAMING_RULES: NamingRules = { vocabulary: DEFAULT_VOCABULARY, strategies: DEFAULT_STRATEGIES };

/** The operator's JSON files (NAMING_VOCABULARY_FILE, STRATEGY_RULES_FILE); null keeps the shipped ones. */
export interface NamingRuleFiles {
  vocabularyFile: string | null;
  strategyRulesFile: string | null;
}

/**
 * The shipped rules extended with the operator's files, whose entries come first. Throws an Error
 * naming the setting, the file and every invalid field, so a bad file stops the service at start.
 */
export function loadNamingRules(files: NamingRuleFiles): NamingRules {
  if (!files.vocabularyFile && !files.strategyRulesFile) return DEFAULT_NAMING_RULES;
  return {
    vocabulary: files.vocabularyFile
      ? readRuleFile('NAMING_VOCABULARY_FILE', files.vocabularyFile, extendVocabulary)
      : DEFAULT_VOCABULARY,
    strategies: files.strategyRulesFile
      ? readRuleFile('STRATEGY_RULES_FILE', files.strategyRulesFile, extendStrategyLibrary)
      : DEFAULT_STRATEGIES,
  };
}

function readRuleFile<T>(setting: string, path: string, compile: (custom: unknown) => T): T {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new Error(`${setting} ${path}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
  try {
    return compile(parsed);
  } catch (error) {
    if (error instanceof z.ZodError) {
      const issues = error.issues.map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`).join('; ');
      throw new Error(`${setting} ${path} is not a valid file: ${issues}`, { cause: error });
    }
    throw error;
  }
}

export interface PersonaBuildInput {
  schema: FeatureSchema;
  table: CustomerTable;
  labels: Int32Array;
  k: number;
  /** k × d persona centres in the dense encoded space. */
  denseCenters: DenseMatrix;
  /** Per persona, the root-mean-square distance of its members to its dense centre. */
  denseSpread: Float64Array;
  quality: readonly PersonaQuality[];
  valueColumns: ValueColumns;
  drivers: readonly PersonaDrivers[] | null;
  rules?: NamingRules;
}

/**
 * Two personas whose centres are closer than their members typically are to them (distance below the
 * root mean square of their spreads) can hardly be told apart.
 */
export const NEAR_DUPLICATE_RATIO = 1;

/** Names chosen elsewhere (an LLM), by persona index, replacing the deterministic names and taglines. */
export interface ChosenNames {
  names: readonly string[];
  taglines: readonly string[];
}

/**
 * The personas of a partition. Keys always come from the deterministic names, so they stay stable
 * whatever names an LLM may choose.
 */
export function buildPersonas(input: PersonaBuildInput, chosen: ChosenNames | null = null): NewPersona[] {
  const rules = input.rules ?? DEFAULT_NAMING_RULES;
  const profiles = profilePersonas(input.schema, input.table, input.labels, input.k, input.valueColumns);
  const generated = namePersonas(profiles, rules.vocabulary);
  const names = chosen?.names ?? generated;
  const duplicates = nearDuplicates(profiles, names, input, rules.vocabulary, generated);
  return profiles.map((profile) => {
    const name = names[profile.index]!;
    const quality = { ...input.quality[profile.index]!, nearDuplicateOf: duplicates[profile.index] ?? null };
    const drivers = input.drivers?.[profile.index] ?? { attributions: [], rules: [] };
    return {
      index: profile.index,
      key: slugify(generated[profile.index]!),
      name,
      tagline: chosen?.taglines[profile.index] ?? taglineOf(profile, rules.vocabulary),
      description: describePersona(profile, input.table.size, { name, drivers, vocabulary: rules.vocabulary }),
      traits: profile.traits,
      size: profile.size,
      share: profile.share,
      centroid: Array.from(input.denseCenters.data.subarray(profile.index * input.denseCenters.cols, (profile.index + 1) * input.denseCenters.cols)),
      quality,
      profile: profile.profile,
      drivers,
      strategies: quality.isDataQuality || profile.size === 0 ? [] : proposeStrategies(profile.traits, profile.profile, rules.strategies),
      edits: {},
    };
  });
}

/** What an LLM may see to name the personas: aggregates only (shares and trait sentences), never customers. */
export function namingBrief(input: PersonaBuildInput): PersonaForNaming[] {
  const rules = input.rules ?? DEFAULT_NAMING_RULES;
  const profiles = profilePersonas(input.schema, input.table, input.labels, input.k, input.valueColumns);
  const names = namePersonas(profiles, rules.vocabulary);
  return profiles.map((profile) => ({
    index: profile.index,
    deterministicName: names[profile.index]!,
    share: profile.share,
    traits: distinguishingTraits(profile.traits, rules.vocabulary)
      .slice(0, 5)
      .map((trait) => {
        const source = profile.traits.find((candidate) => candidate.feature === trait.feature);
        const direction = source?.kind === 'numeric' ? (source.zScore > 0 ? ('higher' as const) : ('lower' as const)) : ('category' as const);
        return { feature: trait.feature, direction, detail: trait.phrase };
      }),
  }));
}

type NearDuplicate = NonNullable<PersonaQuality['nearDuplicateOf']>;

/** Per persona, its nearest near-duplicate (by centre distance relative to spread, or identical naming traits). */
function nearDuplicates(
  profiles: readonly ProfiledPersona[],
  names: readonly string[],
  input: PersonaBuildInput,
  vocabulary: NamingVocabulary,
  generated: readonly string[],
): Array<NearDuplicate | null> {
  const { denseCenters, denseSpread } = input;
  const d = denseCenters.cols;
  const words = profiles.map((profile) =>
    distinguishingTraits(profile.traits, vocabulary)
      .slice(0, 3)
      .map((trait) => trait.word.text)
      .sort()
      .join('|'),
  );
  const found: Array<NearDuplicate | null> = profiles.map(() => null);
  for (let a = 0; a < profiles.length; a++) {
    for (let b = 0; b < profiles.length; b++) {
      if (a === b || profiles[a]!.size === 0 || profiles[b]!.size === 0) continue;
      let squared = 0;
      for (let j = 0; j < d; j++) squared += (denseCenters.data[a * d + j]! - denseCenters.data[b * d + j]!) ** 2;
      const distance = Math.sqrt(squared);
      const spread = Math.sqrt((denseSpread[a]! ** 2 + denseSpread[b]! ** 2) / 2);
      const isClose = spread > 0 && distance / spread < NEAR_DUPLICATE_RATIO;
      const isSameTraits = words[a] !== '' && words[a] === words[b];
      if (!isClose && !isSameTraits) continue;
      if (found[a] && found[a]!.distance <= distance) continue;
      found[a] = {
        key: slugify(generated[b]!),
        name: names[b]!,
        distance,
        reason: isClose
          ? `its centre is ${distance.toFixed(2)} from ${names[b]}'s, closer than their members typically are to them (${spread.toFixed(2)}): consider merging them`
          : `it has the same distinguishing traits as ${names[b]}: consider merging them`,
      };
    }
  }
  return found;
}
