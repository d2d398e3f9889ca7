/**
 * Why a customer got their persona rather than the runner-up: the difference between the two
 * personas' costs, split over the features the customer gave, each with its signed contribution and
 * a sentence in the customer's own units.
 *
 * k-means: the runner-up's squared distance minus the chosen persona's, per feature
 * Σ_j∈feature (x_j − b_j)² − (x_j − a_j)² (a categorical feature's one-hot block counts as one
 * feature). k-prototypes: the same for numerics, gamma × (mismatch with b − mismatch with a) for
 * categories. Mixtures: the log-likelihood ratio log w_a N_a(x) − log w_b N_b(x) split by
 * compareComponents (src/engine/gmm/explain.ts), with a base term for weights and spreads. Positive
 * contributions favour the chosen persona; they sum (with the base) to `total`.
 */
import { formatNumber, readableFeature } from '../domain/feature-names.ts';
import { compareComponents } from '../engine/index.ts';
import type { CompiledCategoricalFeature, CompiledFeature, CompiledModel, CompiledNumericFeature } from './compiled-model.ts';
import { categoryLabel, unscaleNumeric } from './features.ts';
import { isFeatureGiven } from './persona-scoring.ts';
import type { EncodedCustomer } from './persona-scoring.ts';

export interface FeatureContribution {
  feature: string;
  /** The value the customer gave. */
  value: unknown;
  /** Share of `total`; positive favours the chosen persona. */
  contribution: number;
  text: string;
}

export interface AssignmentExplanation {
  runnerUp: number;
  measure: 'squared distance' | 'dissimilarity' | 'log-likelihood';
  /** Runner-up cost minus chosen cost (k-means, k-prototypes), or the log-likelihood ratio (mixtures). */
  total: number;
  /** Mixtures: the part of `total` owed to the personas' sizes and spreads rather than to any feature. */
  base: number;
  features: FeatureContribution[];
}

export function explainAssignment(
  model: CompiledModel,
  customer: EncodedCustomer,
  attributes: Readonly<Record<string, unknown>>,
  chosen: number,
  runnerUp: number,
): AssignmentExplanation {
  const given = model.features.filter((feature) => isFeatureGiven(customer, feature));
  const contributions = model.mixture ? mixtureContributions(model, customer, given, chosen, runnerUp) : costContributions(model, customer, given, chosen, runnerUp);
  const features = given
    .map((feature, at) => ({
      feature: feature.name,
      value: attributes[feature.name],
      contribution: contributions.perFeature[at]!,
      text: describe(model, customer, feature, attributes[feature.name], chosen, runnerUp),
    }))
    .sort((a, b) => Math.abs(b.contribution) - Math.abs(a.contribution));
  return {
    runnerUp,
    measure: model.mixture ? 'log-likelihood' : model.kprototypes ? 'dissimilarity' : 'squared distance',
    total: contributions.base + contributions.perFeature.reduce((sum, value) => sum + value, 0),
    base: contributions.base,
    features,
  };
}

/** Dense (or, for k-prototypes, numeric-slot) columns of a feature. */
function columnsOf(model: CompiledModel, feature: CompiledFeature): number[] {
  if (feature.kind === 'numeric') return [model.kprototypes ? feature.slot : feature.column];
  if (model.kprototypes) return [];
  return Array.from({ length: feature.width }, (_, offset) => feature.column + offset);
}

function costContributions(model: CompiledModel, customer: EncodedCustomer, given: CompiledFeature[], a: number, b: number) {
  const { d, centers } = model;
  const perFeature = given.map((feature) => {
    let sum = 0;
    for (const j of columnsOf(model, feature)) {
      const x = customer.x[j]!;
      sum += (x - centers[b * d + j]!) ** 2 - (x - centers[a * d + j]!) ** 2;
    }
    if (feature.kind === 'categorical' && model.kprototypes) {
      const { modes, gamma } = model.kprototypes;
      const q = model.categoricalCount;
      const code = customer.codes[feature.slot]!;
      sum += gamma * (Number(code !== modes[b * q + feature.slot]) - Number(code !== modes[a * q + feature.slot]));
    }
    return sum;
  });
  return { perFeature, base: 0 };
}

function mixtureContributions(model: CompiledModel, customer: EncodedCustomer, given: CompiledFeature[], a: number, b: number) {
  const comparison = compareComponents(model.mixture!, customer.x, customer.dims, a, b);
  const perFeature = given.map((feature) => columnsOf(model, feature).reduce((sum, j) => sum + comparison.contributions[j]!, 0));
  return { perFeature, base: comparison.base };
}

function describe(model: CompiledModel, customer: EncodedCustomer, feature: CompiledFeature, value: unknown, chosen: number, runnerUp: number): string {
  const label = readableFeature(feature.name).toLowerCase();
  const [first, second] = [model.personas[chosen]!.name, model.personas[runnerUp]!.name];
  if (feature.kind === 'numeric') return describeNumeric(model, customer, feature, label, value as number, [chosen, first], [runnerUp, second]);
  return describeCategory(model, feature, label, value, [chosen, first], [runnerUp, second]);
}

/** "income 31,000 is 1.2 sd below Affluent Bundlers (typically 82,000) and 0.3 sd above Young Renters (typically 29,000)". */
function describeNumeric(
  model: CompiledModel,
  customer: EncodedCustomer,
  feature: CompiledNumericFeature,
  label: string,
  value: number,
  ...personas: Array<[number, string]>
): string {
  const column = model.kprototypes ? feature.slot : feature.column;
  const unit = feature.spec.scaling === 'robust' ? 'IQR' : 'sd';
  const parts = personas.map(([c, name]) => {
    const centre = model.centers[c * model.d + column]!;
    const gap = customer.x[column]! - centre;
    const typical = formatNumber(unscaleNumeric(feature.spec, centre));
    const position = Math.abs(gap) < 0.05 ? `at the centre of ${name}` : `${Math.abs(gap).toFixed(1)} ${unit} ${gap < 0 ? 'below' : 'above'} ${name}`;
    return `${position} (typically ${typical})`;
  });
  return `${label} ${formatNumber(value)} is ${parts.join(' and ')}`;
}

/** k-means and mixtures: the category's share in each persona; k-prototypes: whether it is each persona's typical category. */
function describeCategory(model: CompiledModel, feature: CompiledCategoricalFeature, label: string, value: unknown, ...personas: Array<[number, string]>): string {
  const category = categoryLabel(value as string | number | boolean);
  const code = feature.categoryIndex.get(category);
  if (code === undefined) return `${label} "${category}" was not seen in training: it is typical of no persona`;
  if (model.kprototypes) {
    const q = model.categoricalCount;
    const parts = personas.map(([c, name]) => {
      const mode = model.kprototypes!.modes[c * q + feature.slot]!;
      return mode === code ? `typical of ${name}` : `not typical of ${name} (mostly "${feature.categories[mode]}")`;
    });
    return `${label} "${category}" is ${parts.join(' and ')}`;
  }
  const shares = model.personaSpread.categoryShares[feature.slot]!;
  const parts = personas.map(([c, name]) => `${Math.round(shares[c * feature.width + code]! * 100)}% of ${name}`);
  return `${label} "${category}": ${parts.join(' vs ')}`;
}
