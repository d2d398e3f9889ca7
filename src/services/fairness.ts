/**
 * The fairness audit computed at training (and merging) for the protected attributes of a model:
 *
 * - composition: per persona the share of each protected group beside its population share (and their
 *   ratio), with a chi-square test of independence between persona and group; the verdict uses the
 *   effect size, Bergsma's bias-corrected Cramér's V, because with thousands of customers any
 *   difference is "significant" (the p-value is reported).
 * - steering: personas are high-cost when one of their strategies is (a rule with `highCost`) or one
 *   of their top five recommended products is (attribute `highCost`/`high_cost`, or listed in
 *   FAIRNESS_HIGH_COST_PRODUCTS); each group's selection rate is the share of its customers in
 *   high-cost personas, and the four-fifths ratio is the lowest rate over the highest among groups of
 *   at least minGroupSize customers.
 * - proxies: how well the model's encoded features predict the attribute (cross-validated multinomial
 *   logistic regression, stratified seeded folds, classes balanced; balanced accuracy against the
 *   majority baseline), and per feature the bias-corrected Cramér's V and normalized mutual
 *   information with the attribute (numeric features in decile bins), naming the features at or above
 *   proxyFeatureV.
 *
 * Numeric protected attributes (age, birth year) with more than 12 distinct values are grouped in
 * quartile bands of their values (linear-interpolation quartiles, tied cut points merged; for whole
 * numbers the cut points are rounded up and the bands labelled as inclusive ranges, "29–35"; when three
 * quarters or more share the minimum, the minimum against the rest); with at
 * most 12 (a 0/1 flag) each value is a group. A categorical one with more than 20 values (a zip code)
 * keeps its 19 most frequent values as groups and pools the rest as "other". Customers without a value
 * are left out of the audit of that attribute.
 */
import type { CustomerTable } from '../domain/customer-table.ts';
import { worstVerdict } from '../domain/fairness.ts';
import type { CompositionResult, FairnessAudit, FairnessThresholds, FairnessVerdict, HighCostProduct, ProxyResult, SteeringResult } from '../domain/fairness.ts';
import type { FeatureSpec } from '../domain/model.ts';
import type { NewRecommendation } from '../domain/persona.ts';
import { binOf, chiSquareIndependence, contingencyTable, crossValidateProxyClassifier, decileCutPoints, fourFifthsRatio, mutualInformation, quantileCutPoints } from '../engine/index.ts';
import type { DenseMatrix } from '../engine/index.ts';

/** A numeric protected column with at most this many distinct values is read as categories. */
const MAX_NUMERIC_CATEGORIES = 12;
/** A categorical protected column keeps its most frequent values as groups, the others together as "other". */
const MAX_GROUPS = 20;
/** Recommended products that count for steering: the persona's top five by lift. */
export const HIGH_COST_TOP_PRODUCTS = 5;
const PROXY_CLASSIFIER = 'multinomial logistic regression, 5-fold stratified cross-validation, classes balanced';

export interface FairnessInput {
  table: CustomerTable;
  protectedAttributes: readonly string[];
  features: readonly FeatureSpec[];
  /** The customers as the model encodes them (rows aligned with `table`). */
  encoded: DenseMatrix;
  labels: Int32Array;
  personas: ReadonlyArray<{ index: number; key: string; name: string; strategies: ReadonlyArray<{ id: string; title: string }> }>;
  recommendations: ReadonlyArray<readonly NewRecommendation[]>;
  highCostProducts: readonly HighCostProduct[];
  highCostStrategies: ReadonlySet<string>;
  thresholds: FairnessThresholds;
  seed: number;
  now: Date;
}

interface Grouping {
  name: string;
  codes: Int32Array;
  groups: string[];
  grouping: 'categories' | 'quartile-bands';
  missing: number;
}

export function auditFairness(input: FairnessInput): FairnessAudit {
  const { thresholds, personas, labels } = input;
  const groupings = input.protectedAttributes.map((name) => groupingOf(input.table, name));
  const highCost = highCostPersonas(input);
  const featureNames = new Set(input.features.map((feature) => feature.name));

  // An attribute with fewer than two groups of minGroupSize customers (all missing, one value, a typo'd
  // column) cannot show an association: review, never a clean pass.
  const notAuditable = (grouping: Grouping) => {
    const sizable = countGroups(grouping).filter((count) => count >= thresholds.minGroupSize).length;
    return sizable >= 2 ? null : `cannot be audited: ${sizable === 0 ? 'no group has' : 'only one group has'} ${thresholds.minGroupSize} customers or more (${grouping.missing} without a value)`;
  };
  const unlessNotAuditable = <T extends { verdict: FairnessVerdict; reason: string }>(grouping: Grouping, result: T): T => {
    const reason = notAuditable(grouping);
    return reason === null ? result : { ...result, verdict: 'review', reason };
  };
  const composition = groupings.map((grouping) => unlessNotAuditable(grouping, compositionOf(grouping, labels, personas, thresholds)));
  const steering = groupings.map((grouping) => steeringOf(grouping, labels, highCost, thresholds));
  const proxies = groupings.map((grouping) => unlessNotAuditable(grouping, proxiesOf(grouping, input, featureNames.has(grouping.name))));

  const checks = {
    composition: summarize(composition, 'persona composition is close to the population for every protected attribute'),
    steering:
      highCost.length === 0
        ? { verdict: 'pass' as const, reason: 'no persona is high-cost (no high-cost strategy or top-5 product), so no group is steered to high-cost offers', attributes: steering }
        : summarize(steering, 'high-cost personas select every group at similar rates'),
    proxies: summarize(proxies, 'no combination of features predicts a protected attribute much better than chance'),
  };
  const verdict = worstVerdict([checks.composition.verdict, checks.steering.verdict, checks.proxies.verdict]);
  const failing = (['composition', 'steering', 'proxies'] as const).filter((name) => checks[name].verdict !== 'pass');
  return {
    verdict,
    reason: verdict === 'pass' ? 'every check passes' : failing.map((name) => `${name} ${checks[name].verdict} (${attributesAt(checks[name])})`).join('; '),
    thresholds,
    protectedAttributes: groupings.map((grouping) => {
      const counts = countGroups(grouping);
      const total = counts.reduce((sum, count) => sum + count, 0);
      return {
        name: grouping.name,
        grouping: grouping.grouping,
        groups: grouping.groups.map((group, g) => ({ group, customers: counts[g]!, share: total > 0 ? counts[g]! / total : 0 })),
        missing: grouping.missing,
        isFeature: featureNames.has(grouping.name),
      };
    }),
    highCostPersonas: highCost.map(({ persona, because }) => ({ index: persona.index, key: persona.key, name: persona.name, because })),
    checks: { ...checks },
    computedAt: input.now.toISOString(),
  };
}

/** The attributes that set a check's verdict, for the one-line overall reason (each check has the figures). */
function attributesAt(check: { verdict: FairnessVerdict; attributes: Array<{ attribute: string; verdict: FairnessVerdict }> }): string {
  return check.attributes.filter((result) => result.verdict === check.verdict).map((result) => result.attribute).join(', ');
}

function summarize<T extends { attribute: string; verdict: FairnessVerdict; reason: string }>(results: T[], passReason: string) {
  const verdict = worstVerdict(results.map((result) => result.verdict));
  const worst = results.filter((result) => result.verdict === verdict);
  const reason = worst.length === 0 ? passReason : `${verdict === 'pass' ? `${passReason}: ` : ''}${worst.map((result) => `${result.attribute}: ${result.reason}`).join('; ')}`;
  return { verdict, reason, attributes: results };
}

function verdictAtLeast(value: number, review: number, fail: number): FairnessVerdict {
  return value >= fail ? 'fail' : value >= review ? 'review' : 'pass';
}

const percent = (share: number) => `${Math.round(share * 100)}%`;
const fixed = (value: number) => value.toFixed(2);

function compositionOf(grouping: Grouping, labels: Int32Array, personas: FairnessInput['personas'], thresholds: FairnessThresholds): CompositionResult {
  const k = personas.length;
  const groups = grouping.groups.length;
  const table = contingencyTable(labels, k, grouping.codes, Math.max(1, groups));
  const test = chiSquareIndependence(table);
  const groupTotals = countGroups(grouping);
  const n = table.total;
  let strongest: { persona: string; group: string; share: number; populationShare: number; gap: number } | null = null;
  const rows = personas.map((persona) => {
    let customers = 0;
    for (let g = 0; g < groups; g++) customers += table.counts[persona.index * groups + g]!;
    return {
      index: persona.index,
      key: persona.key,
      name: persona.name,
      customers,
      groups: grouping.groups.map((group, g) => {
        const count = table.counts[persona.index * groups + g]!;
        const share = customers > 0 ? count / customers : 0;
        const populationShare = n > 0 ? groupTotals[g]! / n : 0;
        const gap = Math.abs(share - populationShare);
        if (customers > 0 && (!strongest || gap > strongest.gap)) strongest = { persona: persona.name, group, share, populationShare, gap };
        return { group, customers: count, share, populationShare, ratio: populationShare > 0 ? share / populationShare : null };
      }),
    };
  });
  const verdict = verdictAtLeast(test.cramersVCorrected, thresholds.compositionReviewV, thresholds.compositionFailV);
  const pValue = test.pValue < 1e-6 ? 'p < 1e-6' : `p = ${test.pValue.toPrecision(2)}`;
  const effect = `bias-corrected Cramér's V ${fixed(test.cramersVCorrected)} (χ² = ${test.statistic.toFixed(1)}, dof ${test.degreesOfFreedom}, ${pValue})`;
  const example = strongest as { persona: string; group: string; share: number; populationShare: number } | null;
  const largest = example ? `; "${example.persona}" is ${percent(example.share)} ${grouping.name} = ${example.group}, against ${percent(example.populationShare)} overall` : '';
  const reason =
    verdict === 'pass'
      ? `personas mirror the population: ${effect} < ${thresholds.compositionReviewV}`
      : `personas are associated with ${grouping.name}: ${effect} ≥ ${verdict === 'fail' ? thresholds.compositionFailV : thresholds.compositionReviewV}${largest}`;
  return {
    attribute: grouping.name,
    verdict,
    reason,
    chiSquare: { statistic: test.statistic, degreesOfFreedom: test.degreesOfFreedom, pValue: test.pValue },
    cramersV: test.cramersV,
    cramersVCorrected: test.cramersVCorrected,
    personas: rows,
  };
}

interface HighCostPersona {
  persona: FairnessInput['personas'][number];
  because: string[];
}

function highCostPersonas(input: FairnessInput): HighCostPersona[] {
  const products = new Map(input.highCostProducts.map((product) => [product.id, product]));
  const result: HighCostPersona[] = [];
  for (const persona of input.personas) {
    const because: string[] = [];
    for (const strategy of persona.strategies) if (input.highCostStrategies.has(strategy.id)) because.push(`strategy "${strategy.title}"`);
    for (const recommendation of input.recommendations[persona.index] ?? []) {
      if (recommendation.rank > HIGH_COST_TOP_PRODUCTS) continue;
      const product = products.get(recommendation.productId);
      if (product) because.push(`product "${product.name}" (${product.externalId}) ranked ${recommendation.rank}`);
    }
    if (because.length > 0) result.push({ persona, because });
  }
  return result;
}

function steeringOf(grouping: Grouping, labels: Int32Array, highCost: readonly HighCostPersona[], thresholds: FairnessThresholds): SteeringResult {
  const isHighCost = new Set(highCost.map(({ persona }) => persona.index));
  const customers = countGroups(grouping);
  const selected = new Float64Array(grouping.groups.length);
  grouping.codes.forEach((code, i) => {
    if (code >= 0 && isHighCost.has(labels[i]!)) selected[code]!++;
  });
  const groups = grouping.groups.map((group, g) => ({
    group,
    customers: customers[g]!,
    selected: selected[g]!,
    selectionRate: customers[g]! > 0 ? selected[g]! / customers[g]! : 0,
    counted: customers[g]! >= thresholds.minGroupSize,
  }));
  if (highCost.length === 0) {
    return { attribute: grouping.name, verdict: 'pass', reason: 'no persona is high-cost (no high-cost strategy or top-5 product)', ratio: null, groups };
  }
  const counted = groups.filter((group) => group.counted);
  if (counted.length < 2) {
    return { attribute: grouping.name, verdict: 'review', reason: `fewer than two groups have ${thresholds.minGroupSize} customers, so no ratio can be judged`, ratio: null, groups };
  }
  const { ratio, lowest, highest } = fourFifthsRatio(counted.map((group) => group.selectionRate));
  const low = counted[lowest]!;
  const high = counted[highest]!;
  const verdict: FairnessVerdict = ratio < thresholds.fourFifthsFail ? 'fail' : ratio < thresholds.fourFifthsReview ? 'review' : 'pass';
  const rates = `${low.group} ${percent(low.selectionRate)} vs ${high.group} ${percent(high.selectionRate)} in high-cost personas`;
  const reason =
    verdict === 'pass'
      ? `four-fifths ratio ${fixed(ratio)} ≥ ${thresholds.fourFifthsReview} (${rates})`
      : `four-fifths ratio ${fixed(ratio)} < ${verdict === 'fail' ? thresholds.fourFifthsFail : thresholds.fourFifthsReview}: ${rates}`;
  return { attribute: grouping.name, verdict, reason, ratio, groups };
}

function proxiesOf(grouping: Grouping, input: FairnessInput, isFeature: boolean): ProxyResult {
  const { thresholds } = input;
  const groups = grouping.groups.length;
  const features = input.features
    .filter((feature) => feature.name !== grouping.name)
    .map((feature) => {
      const { codes, levels } = featureCodes(input.table, feature);
      const table = contingencyTable(codes, levels, grouping.codes, Math.max(1, groups));
      const cramersVCorrected = chiSquareIndependence(table).cramersVCorrected;
      return { feature: feature.name, cramersVCorrected, normalizedMutualInformation: mutualInformation(table).normalized, isProxy: cramersVCorrected >= thresholds.proxyFeatureV };
    })
    .sort((a, b) => b.cramersVCorrected - a.cramersVCorrected);
  const proxies = features.filter((feature) => feature.isProxy).map((feature) => feature.feature);
  // An attribute included as a feature (by override) would predict itself: the classifier sees the other features only.
  const own = isFeature ? input.features.find((feature) => feature.name === grouping.name) : undefined;
  const predictors = own ? withoutFeature(input.encoded, own) : input.encoded;
  const cv = crossValidateProxyClassifier(predictors, grouping.codes, Math.max(2, groups), { seed: input.seed, folds: 5 });
  const lift = cv.balancedAccuracy - cv.baseline;
  let verdict = verdictAtLeast(lift, thresholds.proxyReviewLift, thresholds.proxyFailLift);
  if (verdict === 'pass' && proxies.length > 0) verdict = 'review';
  const named = proxies.length > 0 ? `; ${proxies.map((name) => `${name} (Cramér's V ${fixed(features.find((f) => f.feature === name)!.cramersVCorrected)})`).join(', ')} ${proxies.length === 1 ? 'acts as a proxy' : 'act as proxies'}` : '';
  const itself = isFeature ? ` (${grouping.name} is itself a feature, by override)` : '';
  const accuracy = `balanced accuracy ${fixed(cv.balancedAccuracy)} against ${fixed(cv.baseline)} by chance (lift ${fixed(lift)})`;
  const reason =
    verdict === 'pass'
      ? `the features predict ${grouping.name} with ${accuracy} < ${thresholds.proxyReviewLift}, and no feature reaches Cramér's V ${thresholds.proxyFeatureV}`
      : `the features predict ${grouping.name} with ${accuracy}${itself}${named}`;
  return {
    attribute: grouping.name,
    verdict,
    reason,
    classifier: { model: PROXY_CLASSIFIER, balancedAccuracy: cv.balancedAccuracy, baseline: cv.baseline, lift, rows: cv.rows, folds: cv.folds },
    features,
    proxies,
  };
}

/** The encoded matrix without one feature's columns (its one-hot block, or its single numeric column). */
function withoutFeature(encoded: DenseMatrix, feature: FeatureSpec): DenseMatrix {
  const width = feature.kind === 'categorical' ? feature.categories.length : 1;
  const cols = encoded.cols - width;
  if (cols === 0) return encoded;
  const data = new Float64Array(encoded.rows * cols);
  for (let i = 0; i < encoded.rows; i++) {
    const row = encoded.data.subarray(i * encoded.cols, (i + 1) * encoded.cols);
    data.set(row.subarray(0, feature.column), i * cols);
    data.set(row.subarray(feature.column + width), i * cols + feature.column);
  }
  return { data, rows: encoded.rows, cols };
}

/** A feature's values as codes: categories as loaded, numerics in decile bins (missing: −1). */
function featureCodes(table: CustomerTable, feature: FeatureSpec): { codes: Int32Array; levels: number } {
  const column = table.columns.get(feature.name);
  if (!column) return { codes: new Int32Array(table.size).fill(-1), levels: 1 };
  if (column.kind === 'categorical') return { codes: column.codes, levels: Math.max(1, column.labels.length) };
  const cuts = decileCutPoints(column.values);
  return { codes: Int32Array.from(column.values, (value) => (Number.isFinite(value) ? binOf(cuts, value) : -1)), levels: cuts.length + 1 };
}

function countGroups(grouping: Grouping): number[] {
  const counts = new Array<number>(grouping.groups.length).fill(0);
  for (const code of grouping.codes) if (code >= 0) counts[code]!++;
  return counts;
}

const QUARTILES = [0.25, 0.5, 0.75];

/** The groups of a protected column: its categories, or quartile bands of a numeric column with many values. */
function groupingOf(table: CustomerTable, name: string): Grouping {
  const column = table.columns.get(name);
  if (!column) return { name, codes: new Int32Array(table.size).fill(-1), groups: [], grouping: 'categories', missing: table.size };
  if (column.kind === 'categorical') {
    const missing = column.codes.reduce((sum, code) => sum + (code < 0 ? 1 : 0), 0);
    if (column.labels.length <= MAX_GROUPS) return { name, codes: column.codes, groups: [...column.labels], grouping: 'categories', missing };
    // Many values (a zip code): the most frequent ones stay groups, the rest become "other".
    const counts = new Float64Array(column.labels.length);
    for (const code of column.codes) if (code >= 0) counts[code]!++;
    const kept = [...counts.keys()].sort((a, b) => counts[b]! - counts[a]! || a - b).slice(0, MAX_GROUPS - 1);
    const recode = new Int32Array(column.labels.length).fill(MAX_GROUPS - 1);
    kept.forEach((code, g) => (recode[code] = g));
    const groups = [...kept.map((code) => column.labels[code]!), 'other'];
    return { name, codes: Int32Array.from(column.codes, (code) => (code < 0 ? -1 : recode[code]!)), groups, grouping: 'categories', missing };
  }
  const present = [...column.values].filter(Number.isFinite).sort((a, b) => a - b);
  const missing = table.size - present.length;
  const distinct = [...new Set(present)];
  if (distinct.length <= MAX_NUMERIC_CATEGORIES) {
    const index = new Map(distinct.map((value, g) => [value, g]));
    return { name, codes: Int32Array.from(column.values, (value) => index.get(value) ?? -1), groups: distinct.map(String), grouping: 'categories', missing };
  }
  // Whole numbers (ages, birth years) get whole-number cut points and inclusive labels ("29–35").
  const isWhole = present.every(Number.isInteger);
  const quartiles = [...quantileCutPoints(present, QUARTILES)];
  let cuts = isWhole ? [...new Set(quartiles.map(Math.ceil))] : quartiles;
  // Three quarters or more at the minimum (0 for most customers): the minimum against the rest.
  if (cuts.length === 0) cuts = [present.find((value) => value > present[0]!)!];
  const cutArray = Float64Array.from(cuts);
  const format = (value: number) => String(Math.round(value * 100) / 100);
  const wholeRange = (low: number, high: number) => (low === high ? String(low) : `${low}–${high}`);
  const groups = Array.from({ length: cuts.length + 1 }, (_, band) => {
    if (isWhole) return wholeRange(band === 0 ? present[0]! : cuts[band - 1]!, band === cuts.length ? present.at(-1)! : cuts[band]! - 1);
    if (band === 0) return `< ${format(cuts[0]!)}`;
    if (band === cuts.length) return `≥ ${format(cuts[band - 1]!)}`;
    return `${format(cuts[band - 1]!)}–<${format(cuts[band]!)}`;
  });
  return { name, codes: Int32Array.from(column.values, (value) => (Number.isFinite(value) ? binOf(cutArray, value) : -1)), groups, grouping: 'quartile-bands', missing };
}
