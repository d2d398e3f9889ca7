/**
 * From a partition to personas people recognise: traits and value figures, deterministic names with a
 * tagline and a short description, near-duplicate flags with a merge hint, and the marketing
 * strategies their traits call for (none for data-quality groups).
 */
import type { CustomerTable } from '../domain/customer-table.ts';
import type { FeatureSchema } from '../domain/model.ts';
import { DEFAULT_VOCABULARY } from '../domain/naming-vocabulary.ts';
import type { NamingVocabulary } from '../domain/naming-vocabulary.ts';
import type { NewPersona, PersonaDrivers, PersonaQuality } from '../domain/persona.ts';
import { DEFAULT_STRATEGIES, proposeStrategies } from '../domain/strategies.ts';
import type { StrategyLibrary } from '../domain/strategies.ts';
import type { DenseMatrix } from '../engine/index.ts';
import { describePersona, distinguishingTraits, namePersonas, slugify, taglineOf } from './persona-naming.ts';
import { profilePersonas } from './persona-profiles.ts';
import type { ProfiledPersona, ValueColumns } from './persona-profiles.ts';

export interface NamingRules {
  vocabulary: NamingVocabulary;
  strategies: StrategyLibrary;
}

export const DEFAULT_NAMING_RULES: NamingRules = { vocabulary: DEFAULT_VOCABULARY, strategies: DEFAULT_STRATEGIES };

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

export function buildPersonas(input: PersonaBuildInput): NewPersona[] {
  const rules = input.rules ?? DEFAULT_NAMING_RULES;
  const profiles = profilePersonas(input.schema, input.table, input.labels, input.k, input.valueColumns);
  const names = namePersonas(profiles, rules.vocabulary);
  const duplicates = nearDuplicates(profiles, names, input, rules.vocabulary);
  return profiles.map((profile) => {
    const name = names[profile.index]!;
    const quality = { ...input.quality[profile.index]!, nearDuplicateOf: duplicates[profile.index] ?? null };
    const drivers = input.drivers?.[profile.index] ?? { attributions: [], rules: [] };
    return {
      index: profile.index,
      key: slugify(name),
      name,
      tagline: taglineOf(profile, rules.vocabulary),
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

type NearDuplicate = NonNullable<PersonaQuality['nearDuplicateOf']>;

/** Per persona, its nearest near-duplicate (by centre distance relative to spread, or identical naming traits). */
function nearDuplicates(profiles: readonly ProfiledPersona[], names: readonly string[], input: PersonaBuildInput, vocabulary: NamingVocabulary): Array<NearDuplicate | null> {
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
        key: slugify(names[b]!),
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
