/**
 * Continuity of personas across versions of a model: the personas of two versions are compared in a
 * feature space they share — per common numeric feature the persona's mean in standard deviations
 * of the earlier version's population, per common categorical feature its category shares — and
 * matched by minimal total distance (the Hungarian algorithm) under a bound. A matched persona of the
 * new version inherits the stable key and the human edits of the old one; the others are new or
 * vanished.
 */
import type { NewPersona, Persona, Trait } from '../domain/persona.ts';
import { matchWithBound } from '../engine/index.ts';

/**
 * Personas farther apart than this (root-mean-square over the shared dimensions, in standard
 * deviations for numeric features and share differences for categories) are not the same persona.
 */
export const CONTINUITY_BOUND = 0.6;

type PersonaLike = Pick<Persona, 'key' | 'name' | 'traits'>;

export interface PersonaMatch {
  from: { key: string; name: string };
  to: { key: string; name: string };
  distance: number;
}

export interface PersonaMatching {
  matched: PersonaMatch[];
  /** Personas of the later version without a counterpart. */
  new: Array<{ key: string; name: string }>;
  /** Personas of the earlier version without a counterpart. */
  vanished: Array<{ key: string; name: string }>;
  /** Features both versions profile; the comparison uses these only. */
  sharedFeatures: string[];
}

/** The dimensions both versions describe, scaled by the earlier version's population. */
function sharedSpace(earlier: readonly PersonaLike[], later: readonly PersonaLike[]) {
  const traitsOf = (personas: readonly PersonaLike[]) => new Map((personas[0]?.traits ?? []).map((trait) => [trait.feature, trait]));
  const first = traitsOf(earlier);
  const second = traitsOf(later);
  const dimensions: Array<{ feature: string; kind: 'numeric'; mean: number; std: number } | { feature: string; kind: 'category'; value: string }> = [];
  for (const [feature, trait] of first) {
    const other = second.get(feature);
    if (!other || other.kind !== trait.kind) continue;
    if (trait.kind === 'numeric') {
      if (trait.populationStd > 0) dimensions.push({ feature, kind: 'numeric', mean: trait.populationMean, std: trait.populationStd });
    } else if (other.kind === 'categorical') {
      const values = new Set([...trait.categories.map((c) => c.value), ...other.categories.map((c) => c.value)]);
      for (const value of values) dimensions.push({ feature, kind: 'category', value });
    }
  }
  const vectorOf = (traits: readonly Trait[]): Float64Array => {
    const byFeature = new Map(traits.map((trait) => [trait.feature, trait]));
    return Float64Array.from(dimensions, (dimension) => {
      const trait = byFeature.get(dimension.feature);
      if (dimension.kind === 'numeric') return trait?.kind === 'numeric' ? (trait.personaMean - dimension.mean) / dimension.std : 0;
      return trait?.kind === 'categorical' ? (trait.categories.find((c) => c.value === dimension.value)?.personaShare ?? 0) : 0;
    });
  };
  return { dimensions, vectorOf };
}

/** Matches the personas of an earlier and a later version (Hungarian algorithm, bounded). */
export function matchPersonas(earlier: readonly PersonaLike[], later: readonly PersonaLike[], bound = CONTINUITY_BOUND): PersonaMatching {
  const { dimensions, vectorOf } = sharedSpace(earlier, later);
  const sharedFeatures = [...new Set(dimensions.map((dimension) => dimension.feature))];
  if (dimensions.length === 0 || earlier.length === 0 || later.length === 0) {
    return { matched: [], new: later.map(({ key, name }) => ({ key, name })), vanished: earlier.map(({ key, name }) => ({ key, name })), sharedFeatures };
  }
  const from = earlier.map((persona) => vectorOf(persona.traits));
  const to = later.map((persona) => vectorOf(persona.traits));
  const cost = new Float64Array(earlier.length * later.length);
  from.forEach((a, i) =>
    to.forEach((b, j) => {
      let squares = 0;
      for (let dimension = 0; dimension < a.length; dimension++) squares += (a[dimension]! - b[dimension]!) ** 2;
      cost[i * later.length + j] = Math.sqrt(squares / a.length);
    }),
  );
  const assignment = matchWithBound({ data: cost, rows: earlier.length, cols: later.length }, bound);
  const matched: PersonaMatch[] = [];
  assignment.rowToColumn.forEach((j, i) => {
    if (j < 0) return;
    matched.push({
      from: { key: earlier[i]!.key, name: earlier[i]!.name },
      to: { key: later[j]!.key, name: later[j]!.name },
      distance: cost[i * later.length + j]!,
    });
  });
  return {
    matched,
    new: later.filter((_, j) => assignment.columnToRow[j]! < 0).map(({ key, name }) => ({ key, name })),
    vanished: earlier.filter((_, i) => assignment.rowToColumn[i]! < 0).map(({ key, name }) => ({ key, name })),
    sharedFeatures,
  };
}

/**
 * The personas of a new version, with the keys and human edits of the previous active version's
 * personas they match; names and keys stay unique within the version.
 */
export function inheritFromPrevious(previous: readonly Persona[], next: readonly NewPersona[]): { personas: NewPersona[]; matching: PersonaMatching } {
  const matching = matchPersonas(previous, next);
  const predecessorOf = new Map(matching.matched.map((match) => [match.to.key, previous.find((persona) => persona.key === match.from.key)!]));
  const inheritedIndexes = new Set<number>();
  const inherited = next.map((persona) => {
    const predecessor = predecessorOf.get(persona.key);
    if (!predecessor) return persona;
    inheritedIndexes.add(persona.index);
    return {
      ...persona,
      key: predecessor.key,
      ...(predecessor.edits.name ? { name: predecessor.name } : {}),
      ...(predecessor.edits.description ? { description: predecessor.description } : {}),
      ...(predecessor.edits.strategies ? { strategies: predecessor.strategies } : {}),
      edits: predecessor.edits,
    };
  });
  // An inherited key or edited name may equal a fresh persona's: the fresh one gives way.
  const taken = { keys: new Set<string>(), names: new Set<string>() };
  const ordered = [...inherited].sort((a, b) => Number(inheritedIndexes.has(b.index)) - Number(inheritedIndexes.has(a.index)) || a.index - b.index);
  const unique = new Map<number, NewPersona>();
  for (const persona of ordered) {
    let { key, name } = persona;
    for (let suffix = 2; taken.keys.has(key); suffix++) key = `${persona.key}-${suffix}`;
    for (let suffix = 2; taken.names.has(name); suffix++) name = `${persona.name} ${suffix}`;
    taken.keys.add(key);
    taken.names.add(name);
    unique.set(persona.index, { ...persona, key, name });
  }
  // Later references use the keys and names the new version finally carries.
  const finalOf = new Map(next.map((persona) => [persona.key, unique.get(persona.index)!]));
  const personas = next.map((persona) => {
    const final = unique.get(persona.index)!;
    const duplicate = final.quality.nearDuplicateOf;
    const other = duplicate ? finalOf.get(duplicate.key) : undefined;
    return other ? { ...final, quality: { ...final.quality, nearDuplicateOf: { ...duplicate!, key: other.key, name: other.name } } } : final;
  });
  const finalKey = finalOf;
  return {
    personas,
    matching: {
      ...matching,
      matched: matching.matched.map((match) => ({ ...match, to: { key: finalKey.get(match.to.key)!.key, name: finalKey.get(match.to.key)!.name } })),
      new: matching.new.map((entry) => ({ key: finalKey.get(entry.key)!.key, name: finalKey.get(entry.key)!.name })),
    },
  };
}
