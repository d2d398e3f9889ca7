/**
 * Why personas differ (the seed's "train a classifier on the clusters and read SHAP values"): a
 * surrogate multinomial logistic regression learns to recognise the personas from the encoded
 * features; each feature's mean SHAP-style attribution to a persona's score over its members says
 * what sets the persona apart, and its held-out accuracy says how far to trust that. Short readable
 * rules on the original values ("income above 82,000 and web visits above 14") come with their
 * precision and coverage.
 */
import type { CustomerTable } from '../domain/customer-table.ts';
import type { FeatureSchema, ModelMetrics } from '../domain/model.ts';
import type { PersonaDrivers } from '../domain/persona.ts';
import { createRandom, explainPersonas, findPersonaRules, fitSurrogate } from '../engine/index.ts';
import type { DenseMatrix, RuleCondition } from '../engine/index.ts';
import { readableFeature } from '../domain/feature-names.ts';

/** Rules are searched on a seeded sample of at most this many customers. */
const RULE_SAMPLE_SIZE = 50_000;
/** Features reported per persona. */
const TOP_ATTRIBUTIONS = 8;

export interface DriverAnalysis {
  drivers: PersonaDrivers[];
  summary: NonNullable<ModelMetrics['drivers']>;
}

export function analyseDrivers(schema: FeatureSchema, dense: DenseMatrix, table: CustomerTable, labels: Int32Array, k: number, seed: number): DriverAnalysis {
  const surrogate = fitSurrogate(dense, labels, k, { seed });
  const featureOfColumn = new Int32Array(dense.cols);
  schema.features.forEach((feature, index) => {
    const width = feature.kind === 'numeric' ? 1 : feature.categories.length;
    featureOfColumn.fill(index, feature.column, feature.column + width);
  });
  const explanations = explainPersonas(surrogate, dense, labels, k, featureOfColumn, schema.features.length);
  const rules = personaRules(schema, table, labels, k, seed);
  return {
    drivers: explanations.personas.map((persona) => ({
      attributions: persona.attributions.slice(0, TOP_ATTRIBUTIONS).map(({ feature, attribution }) => ({ feature: schema.features[feature]!.name, attribution })),
      rules: rules[persona.persona]!,
    })),
    summary: {
      model: 'multinomial logistic regression',
      heldOutAccuracy: surrogate.heldOutAccuracy,
      trainAccuracy: surrogate.trainAccuracy,
      rows: surrogate.sampledRows,
    },
  };
}

function personaRules(schema: FeatureSchema, table: CustomerTable, labels: Int32Array, k: number, seed: number): PersonaDrivers['rules'][] {
  const n = table.size;
  const rows = n > RULE_SAMPLE_SIZE ? createRandom(seed).sampleIndices(n, RULE_SAMPLE_SIZE).sort() : Int32Array.from({ length: n }, (_, i) => i);
  const numericFeatures = schema.features.filter((feature) => feature.kind === 'numeric');
  const categoricalFeatures = schema.features.filter((feature) => feature.kind === 'categorical');
  const m = rows.length;
  const numeric = new Float64Array(m * numericFeatures.length);
  numericFeatures.forEach((feature, j) => {
    const column = table.columns.get(feature.name);
    if (column?.kind !== 'numeric') return;
    rows.forEach((row, r) => (numeric[r * numericFeatures.length + j] = column.values[row]!));
  });
  // Table codes index labels in order of appearance; a missing value gets a code of its own.
  const labelsOf = categoricalFeatures.map((feature) => {
    const column = table.columns.get(feature.name);
    return column?.kind === 'categorical' ? column.labels : [];
  });
  const codes = new Int32Array(m * categoricalFeatures.length);
  categoricalFeatures.forEach((feature, j) => {
    const column = table.columns.get(feature.name);
    if (column?.kind !== 'categorical') return;
    rows.forEach((row, r) => {
      const code = column.codes[row]!;
      codes[r * categoricalFeatures.length + j] = code < 0 ? column.labels.length : code;
    });
  });
  const sampleLabels = Int32Array.from(rows, (row) => labels[row]!);
  const categorical =
    categoricalFeatures.length > 0
      ? { codes, rows: m, cols: categoricalFeatures.length, cardinalities: Int32Array.from(labelsOf, (labels) => labels.length + 1) }
      : undefined;
  const describe = (condition: RuleCondition) => {
    if (condition.kind === 'numeric') {
      const feature = numericFeatures[condition.column]!.name;
      return {
        text: `${readableFeature(feature).toLowerCase()} ${condition.direction === 'above' ? 'above' : 'at most'} ${condition.threshold.toLocaleString('en-US')}`,
        condition: { feature, operator: condition.direction === 'above' ? ('>' as const) : ('<=' as const), value: condition.threshold },
      };
    }
    const feature = categoricalFeatures[condition.column]!.name;
    const value = labelsOf[condition.column]![condition.code] ?? '(missing)';
    return { text: `${readableFeature(feature).toLowerCase()} is ${value}`, condition: { feature, operator: '=' as const, value } };
  };
  return Array.from({ length: k }, (_, persona) => {
    const found = findPersonaRules({ data: numeric, rows: m, cols: numericFeatures.length }, sampleLabels, k, persona, categorical ? { categorical } : {});
    return found.rules
      .filter((rule) => rule.precision >= MIN_RULE_PRECISION)
      .map((rule) => {
        const parts = rule.conditions.map(describe);
        return { text: ruleText(parts), conditions: parts.map((part) => part.condition), precision: rule.precision, coverage: rule.coverage };
      });
  });
}

/** A rule that picks more customers of other personas than of its own describes nobody: it is not shown. */
const MIN_RULE_PRECISION = 0.5;

/** "tenure above 12 and tenure at most 38" reads "tenure between 12 and 38". */
export function ruleText(parts: ReadonlyArray<{ text: string; condition: { feature: string; operator: '>' | '<=' | '='; value: number | string } }>): string {
  const words: string[] = [];
  for (const part of parts) {
    const { feature, operator, value } = part.condition;
    const upper = operator === '>' ? parts.find((other) => other.condition.feature === feature && other.condition.operator === '<=') : undefined;
    const lower = operator === '<=' ? parts.find((other) => other.condition.feature === feature && other.condition.operator === '>') : undefined;
    if (upper) words.push(`${readableFeature(feature).toLowerCase()} between ${value.toLocaleString('en-US')} and ${upper.condition.value.toLocaleString('en-US')}`);
    else if (!lower) words.push(part.text); // an upper bound with a lower one is written with it
  }
  return words.join(' and ');
}
