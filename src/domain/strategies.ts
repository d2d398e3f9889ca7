/**
 * Marketing strategies: a rule library keyed by traits and value tier (strategy-rules.json, extensible
 * with the operator's own JSON file), each proposal carrying the trait that triggered it. Personas
 * that are data-quality groups get none.
 */
import { z } from 'zod';
import { readableFeature } from './feature-names.ts';
import type { NumericTrait, PersonaProfile, Strategy, Trait } from './persona.ts';
import defaults from './strategy-rules.json' with { type: 'json' };

const Pattern = z.string().refine((pattern) => {
  try {
    new RegExp(pattern, 'i');
    return true;
  } catch {
    return false;
  }
}, 'must be a valid regular expression');

const Condition = z.union([
  z.object({ feature: Pattern, direction: z.enum(['high', 'low']), minZ: z.number().positive().default(0.5) }).strict(),
  z.object({ feature: Pattern, category: Pattern, minShare: z.number().min(0).max(1).default(0.4), minLift: z.number().positive().default(1.2) }).strict(),
  z.object({ valueTier: z.enum(['top', 'high', 'low']) }).strict(),
]);

export const StrategyRulesFile = z
  .object({
    $comment: z.string().optional(),
    rules: z.array(
      z
        .object({
          id: z.string().min(1),
          title: z.string().min(1),
          description: z.string().min(1),
          when: z.array(Condition).min(1),
          /** A premium or upsell offer: personas it is proposed to count as high-cost in the fairness audit's steering check. */
          highCost: z.boolean().optional(),
        })
        .strict(),
    ),
  })
  .strict();

type Rule = z.infer<typeof StrategyRulesFile>['rules'][number];
type Condition = z.infer<typeof Condition>;

export interface StrategyLibrary {
  rules: readonly Rule[];
}

/** Compiles rule files, earlier ones first. Throws a ZodError for an invalid file. */
export function compileStrategyLibrary(...files: unknown[]): StrategyLibrary {
  return { rules: files.flatMap((file) => StrategyRulesFile.parse(file).rules) };
}

export const DEFAULT_STRATEGIES: StrategyLibrary = compileStrategyLibrary(defaults);

/** The shipped rules after an operator's file, whose rules come first. */
export const extendStrategyLibrary = (custom: unknown): StrategyLibrary => compileStrategyLibrary(custom, defaults);

/** Ids of the rules marked `highCost` (premium and upsell offers), for the fairness audit. */
export function highCostStrategyIds(library: StrategyLibrary): Set<string> {
  return new Set(library.rules.filter((rule) => rule.highCost === true).map((rule) => rule.id));
}

/** The value tier of a persona: its share of value over its share of customers. */
export function valueTier(profile: PersonaProfile): 'top' | 'high' | 'low' | 'average' | null {
  const index = profile.value?.index;
  if (index === undefined) return null;
  if (index >= 1.5) return 'top';
  if (index >= 1.1) return 'high';
  if (index <= 0.7) return 'low';
  return 'average';
}

const percent = (share: number) => `${Math.round(share * 100)}%`;
const readable = (feature: string) => readableFeature(feature).toLowerCase();

/** Why a condition holds (in words), or null when it does not. */
function evaluate(condition: Condition, traits: readonly Trait[], profile: PersonaProfile): string | null {
  if ('valueTier' in condition) {
    const tier = valueTier(profile);
    const value = profile.value;
    const holds = tier === condition.valueTier || (condition.valueTier === 'high' && tier === 'top');
    return holds && value ? `value tier ${tier}: ${percent(value.share)} of ${readable(value.column)} from a ${percent(value.share / value.index)} share of customers` : null;
  }
  const pattern = new RegExp(condition.feature, 'i');
  if ('direction' in condition) {
    const trait = traits.find((t): t is NumericTrait => t.kind === 'numeric' && pattern.test(t.feature));
    if (!trait) return null;
    const holds = condition.direction === 'high' ? trait.zScore >= condition.minZ : trait.zScore <= -condition.minZ;
    return holds ? `${readable(trait.feature)} ${Math.abs(trait.zScore).toFixed(1)} sd ${condition.direction === 'high' ? 'above' : 'below'} average` : null;
  }
  const valuePattern = new RegExp(condition.category, 'i');
  for (const trait of traits) {
    if (trait.kind !== 'categorical' || !pattern.test(trait.feature)) continue;
    const category = trait.categories.find((c) => valuePattern.test(c.value) && c.personaShare >= condition.minShare && c.lift >= condition.minLift);
    if (category) return `${readable(trait.feature)} is ${category.value} for ${percent(category.personaShare)} (${percent(category.populationShare)} overall)`;
  }
  return null;
}

/** Strategies whose every condition holds for the persona, in library order. */
export function proposeStrategies(traits: readonly Trait[], profile: PersonaProfile, library: StrategyLibrary = DEFAULT_STRATEGIES): Strategy[] {
  const proposals: Strategy[] = [];
  for (const rule of library.rules) {
    const reasons = rule.when.map((condition) => evaluate(condition, traits, profile));
    if (reasons.every((reason) => reason !== null)) {
      proposals.push({ id: rule.id, title: rule.title, description: rule.description, trigger: reasons.join('; ') });
    }
  }
  return proposals;
}
