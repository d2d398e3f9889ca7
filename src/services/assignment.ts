/**
 * /v1/assign's answer for one customer, with full or partial attributes (cold start): only the
 * features the customer gave enter the comparison (src/services/persona-scoring.ts), so three answers
 * are enough to place them. The answer carries the persona, its probability and the runners-up, the
 * features used and missing, and on request why this persona rather than the runner-up
 * (assignment-explanation.ts) and which question to ask next (next-question.ts). A customer farther
 * from the persona than its training threshold is unclassified.
 */
import { jsonPointer, ValidationError } from '../domain/errors.ts';
import type { FieldIssue } from '../domain/errors.ts';
import { explainAssignment } from './assignment-explanation.ts';
import type { AssignmentExplanation } from './assignment-explanation.ts';
import type { CompiledModel } from './compiled-model.ts';
import { categoryLabel, scaleNumeric } from './features.ts';
import { suggestNextQuestion } from './next-question.ts';
import type { NextQuestion } from './next-question.ts';
import { borrowScratch, nearestPersona, personaCosts, personaProbabilities, setCategory, setNumeric, squaredDistanceTo } from './persona-scoring.ts';
import type { EncodedCustomer } from './persona-scoring.ts';
import type { ModelRegistry } from './registry.ts';
import { isMissingValue, MAX_ABS_NUMBER } from './tabular.ts';

/** Runners-up reported beside the chosen persona. */
const RUNNERS_UP = 3;

export interface AssignOptions {
  /** Explain the choice against the runner-up (?explain=true). */
  explain?: boolean;
  /** Suggest the next question when features are missing (default true). */
  suggestQuestion?: boolean;
}

export interface Assignment {
  model: CompiledModel;
  personaIndex: number;
  /**
   * Distance to the persona over the features used: Euclidean in the standardized space (k-means,
   * mixtures), or the root of squared distance plus gamma × mismatches (k-prototypes).
   */
  distance: number;
  /** Probability of the persona (mixture posterior, or the calibrated softmax of hard clusterings). */
  confidence: number;
  /** Every persona's probability, by persona index (sums to 1). */
  probabilities: Float64Array;
  /** The next most probable personas, most probable first. */
  runnersUp: Array<{ index: number; probability: number }>;
  /** Beyond the persona's distance threshold (the 99th percentile of its members at training). */
  isUnclassified: boolean;
  unclassifiedReason: string | null;
  featuresUsed: string[];
  featuresMissing: string[];
  warnings: string[];
  explanation: AssignmentExplanation | null;
  nextQuestion: NextQuestion | null;
}

/** /v1/assign: resolves the model (in memory), then places the customer. */
export class AssignmentService {
  private readonly registry: ModelRegistry;

  constructor(registry: ModelRegistry) {
    this.registry = registry;
  }

  /** @param modelReference model id, name or name@version; default: the served model */
  async assign(attributes: Readonly<Record<string, unknown>>, modelReference?: string, options: AssignOptions = {}): Promise<Assignment> {
    return assignCustomer(await this.registry.resolve(modelReference), attributes, options);
  }

  /** Places a customer with a model already resolved (batches resolve once and score every row with it). */
  assignWith(model: CompiledModel, attributes: Readonly<Record<string, unknown>>, options: AssignOptions = {}): Assignment {
    return assignCustomer(model, attributes, options);
  }

  /** The model a batch is scored with, resolved once. */
  resolveModel(modelReference?: string): Promise<CompiledModel> {
    return this.registry.resolve(modelReference);
  }
}

/**
 * @throws ValidationError for unknown attribute names, values of the wrong type, or no feature at all
 *   (pointers are /attributes/<name>)
 */
export function assignCustomer(model: CompiledModel, attributes: Readonly<Record<string, unknown>>, options: AssignOptions = {}): Assignment {
  const scratch = borrowScratch(model);
  const { customer, featuresUsed, warnings } = encodeAttributes(model, attributes, scratch.customer);
  const costs = personaCosts(model, customer, scratch.costs);
  const probabilities = personaProbabilities(model, costs);
  const index = nearestPersona(costs);
  const distance = Math.sqrt(model.mixture ? squaredDistanceTo(model, customer, index) : costs[index]!);
  const threshold = model.distanceThresholds[index];
  const isUnclassified = threshold !== undefined && distance > threshold;
  const runnersUp = rankRunnersUp(probabilities, index);
  const used = new Set(featuresUsed);
  const featuresMissing = model.features.map((feature) => feature.name).filter((name) => !used.has(name));
  return {
    model,
    personaIndex: index,
    distance,
    confidence: probabilities[index]!,
    probabilities,
    runnersUp,
    isUnclassified,
    unclassifiedReason: isUnclassified
      ? `the customer is ${distance.toFixed(2)} from ${model.personas[index]!.name}, beyond the ${threshold!.toFixed(2)} that 99% of its members are within`
      : null,
    featuresUsed,
    featuresMissing,
    warnings,
    explanation: options.explain && runnersUp.length > 0 ? explainAssignment(model, customer, attributes, index, runnersUp[0]!.index) : null,
    nextQuestion: options.suggestQuestion !== false && featuresMissing.length > 0 ? suggestNextQuestion(model, customer, costs, probabilities) : null,
  };
}

/** The customer's attributes in the model's encoding, with the features used and warnings. */
function encodeAttributes(
  model: CompiledModel,
  attributes: Readonly<Record<string, unknown>>,
  customer: EncodedCustomer,
): { customer: EncodedCustomer; featuresUsed: string[]; warnings: string[] } {
  const issues: FieldIssue[] = [];
  const warnings: string[] = [];
  const featuresUsed: string[] = [];

  for (const name in attributes) {
    const value = attributes[name];
    const feature = model.featureByName.get(name);
    if (!feature) {
      if (!model.ignoredColumns.has(name)) {
        issues.push({ location: 'body', pointer: jsonPointer('attributes', name), code: 'unknown_feature', message: `model ${model.name} v${model.version} has no feature "${name}"` });
      }
      continue;
    }
    if (isMissingValue(value)) continue;
    if (feature.kind === 'numeric') {
      const problem = numericProblem(feature.spec.transform, name, value);
      if (problem) {
        issues.push({ location: 'body', pointer: jsonPointer('attributes', name), ...problem });
        continue;
      }
      setNumeric(model, customer, feature, scaleNumeric(feature.spec, value as number));
    } else {
      if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean') {
        issues.push({ location: 'body', pointer: jsonPointer('attributes', name), code: 'expected_category', message: `"${name}" must be a string, number or boolean` });
        continue;
      }
      const position = feature.categoryIndex.get(categoryLabel(value));
      // Still informative: the customer is in none of the known categories (a mismatch with every mode).
      if (position === undefined) warnings.push(`"${name}" value was not seen in training; it counts as none of the known categories`);
      setCategory(model, customer, feature, position ?? -1);
    }
    featuresUsed.push(name);
  }
  if (issues.length > 0) throw new ValidationError('some attributes do not fit the model', issues);
  if (featuresUsed.length === 0) {
    throw new ValidationError('at least one feature of the model is needed', [
      { location: 'body', pointer: '/attributes', code: 'no_features', message: `give at least one of: ${model.features.map((f) => f.name).join(', ')}` },
    ]);
  }
  return { customer, featuresUsed, warnings };
}

function numericProblem(transform: string, name: string, value: unknown): { code: string; message: string } | null {
  if (typeof value !== 'number' || !Number.isFinite(value)) return { code: 'expected_number', message: `"${name}" must be a number` };
  if (Math.abs(value) > MAX_ABS_NUMBER) return { code: 'out_of_range', message: `"${name}" must be between -1e15 and 1e15` };
  if (transform === 'log1p' && value <= -1) return { code: 'out_of_range', message: `"${name}" must be above −1 (the model takes its logarithm)` };
  return null;
}

/** The most probable personas other than `chosen`, most probable first. */
function rankRunnersUp(probabilities: Float64Array, chosen: number): Array<{ index: number; probability: number }> {
  const ranked: Array<{ index: number; probability: number }> = [];
  for (let c = 0; c < probabilities.length; c++) if (c !== chosen) ranked.push({ index: c, probability: probabilities[c]! });
  ranked.sort((a, b) => b.probability - a.probability || a.index - b.index);
  return ranked.slice(0, RUNNERS_UP);
}
