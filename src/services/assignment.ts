/**
 * Nearest persona for one customer, with partial input (cold start): only the features the customer
 * gave enter the comparison, so three answers are enough to place them. k-means compares with the
 * centroids in the dense encoding, k-prototypes with squared distance plus gamma × category
 * mismatches, a Gaussian mixture with membership probabilities of the marginal over the given
 * features. A customer farther from the persona than its training threshold is unclassified.
 */
import { jsonPointer, ValidationError } from '../domain/errors.ts';
import type { FieldIssue } from '../domain/errors.ts';
import { assignKPrototypes, posteriorForPartialRow } from '../engine/index.ts';
import type { CompiledModel } from './compiled-model.ts';
import { categoryLabel, scaleNumeric } from './features.ts';
import type { ModelRegistry } from './registry.ts';
import { isMissingValue, MAX_ABS_NUMBER } from './tabular.ts';

export interface Assignment {
  model: CompiledModel;
  personaIndex: number;
  /**
   * Distance to the persona over the features used: Euclidean in the standardized space (k-means,
   * mixtures), or the root of squared distance plus gamma × mismatches (k-prototypes).
   */
  distance: number;
  /** Beyond the persona's distance threshold (the 99th percentile of its members at training). */
  isUnclassified: boolean;
  unclassifiedReason: string | null;
  /** Mixtures: membership probability of every persona (sums to 1); null for hard clusterings. */
  probabilities: Float64Array | null;
  featuresUsed: string[];
  featuresMissing: string[];
  warnings: string[];
}

/** /v1/assign: resolves the model (in memory), then places the customer. */
export class AssignmentService {
  private readonly registry: ModelRegistry;

  constructor(registry: ModelRegistry) {
    this.registry = registry;
  }

  /** @param modelReference model id, name or name@version; default: the served model */
  async assign(attributes: Readonly<Record<string, unknown>>, modelReference?: string): Promise<Assignment> {
    return assignCustomer(await this.registry.resolve(modelReference), attributes);
  }
}

/** One customer in the model's encodings, with what was given. */
interface EncodedCustomer {
  /** Dense encoding (d) and the columns given; for k-prototypes, the numeric features (p). */
  x: Float64Array;
  dims: number[];
  numericPresent: Uint8Array;
  codes: Int32Array;
  categoricalPresent: Uint8Array;
}

/**
 * @throws ValidationError for unknown attribute names, values of the wrong type, or no feature at all
 *   (pointers are /attributes/<name>)
 */
export function assignCustomer(model: CompiledModel, attributes: Readonly<Record<string, unknown>>): Assignment {
  const issues: FieldIssue[] = [];
  const warnings: string[] = [];
  const isPrototypes = model.algorithm === 'kprototypes';
  const customer: EncodedCustomer = {
    x: new Float64Array(isPrototypes ? model.numericCount : model.d),
    dims: [],
    numericPresent: new Uint8Array(model.numericCount),
    codes: new Int32Array(model.categoricalCount),
    categoricalPresent: new Uint8Array(model.categoricalCount),
  };
  const featuresUsed: string[] = [];

  for (const [name, value] of Object.entries(attributes)) {
    const feature = model.featureByName.get(name);
    const pointer = jsonPointer('attributes', name);
    if (!feature) {
      if (!model.ignoredColumns.has(name)) {
        issues.push({ location: 'body', pointer, code: 'unknown_feature', message: `model ${model.name} v${model.version} has no feature "${name}"` });
      }
      continue;
    }
    if (isMissingValue(value)) continue;
    if (feature.kind === 'numeric') {
      if (typeof value !== 'number' || !Number.isFinite(value)) {
        issues.push({ location: 'body', pointer, code: 'expected_number', message: `"${name}" must be a number` });
        continue;
      }
      if (Math.abs(value) > MAX_ABS_NUMBER) {
        issues.push({ location: 'body', pointer, code: 'out_of_range', message: `"${name}" must be between -1e15 and 1e15` });
        continue;
      }
      if (feature.spec.transform === 'log1p' && value <= -1) {
        issues.push({ location: 'body', pointer, code: 'out_of_range', message: `"${name}" must be above −1 (the model takes its logarithm)` });
        continue;
      }
      const scaled = scaleNumeric(feature.spec, value);
      const column = isPrototypes ? feature.slot : feature.column;
      customer.x[column] = scaled;
      customer.dims.push(column);
      customer.numericPresent[feature.slot] = 1;
    } else {
      if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean') {
        issues.push({ location: 'body', pointer, code: 'expected_category', message: `"${name}" must be a string, number or boolean` });
        continue;
      }
      const position = feature.categoryIndex.get(categoryLabel(value));
      if (position === undefined) {
        // Still informative: the customer is in none of the known categories (a mismatch with every mode).
        warnings.push(`"${name}" value was not seen in training; it counts as none of the known categories`);
      } else if (!isPrototypes) {
        customer.x[feature.column + position] = feature.weight;
      }
      customer.codes[feature.slot] = position ?? -1;
      customer.categoricalPresent[feature.slot] = 1;
      if (!isPrototypes) for (let offset = 0; offset < feature.width; offset++) customer.dims.push(feature.column + offset);
    }
    featuresUsed.push(name);
  }
  if (issues.length > 0) throw new ValidationError('some attributes do not fit the model', issues);
  if (featuresUsed.length === 0) {
    throw new ValidationError('at least one feature of the model is needed', [
      { location: 'body', pointer: '/attributes', code: 'no_features', message: `give at least one of: ${model.features.map((f) => f.name).join(', ')}` },
    ]);
  }

  const { index, distance, probabilities } = nearestPersona(model, customer);
  const threshold = model.distanceThresholds[index];
  const isUnclassified = threshold !== undefined && distance > threshold;
  const used = new Set(featuresUsed);
  return {
    model,
    personaIndex: index,
    distance,
    isUnclassified,
    unclassifiedReason: isUnclassified
      ? `the customer is ${distance.toFixed(2)} from ${model.personas[index]!.name}, beyond the ${threshold!.toFixed(2)} that 99% of its members are within`
      : null,
    probabilities,
    featuresUsed,
    featuresMissing: model.features.map((feature) => feature.name).filter((name) => !used.has(name)),
    warnings,
  };
}

function nearestPersona(model: CompiledModel, customer: EncodedCustomer): { index: number; distance: number; probabilities: Float64Array | null } {
  if (model.kprototypes) {
    const { label, distance } = assignKPrototypes(model.kprototypes, customer.x, customer.codes, {
      numericPresent: customer.numericPresent,
      categoricalPresent: customer.categoricalPresent,
    });
    return { index: label, distance: Math.sqrt(distance), probabilities: null };
  }
  if (model.mixture) {
    // The persona of highest posterior membership, from the marginal over the features given.
    const posterior = posteriorForPartialRow(model.mixture, customer.x, customer.dims);
    return { index: posterior.label, distance: Math.sqrt(squaredDistanceTo(model, customer.x, customer.dims, posterior.label)), probabilities: posterior.probabilities };
  }
  const { index, squaredDistance } = nearestCentroid(model, customer.x, customer.dims);
  return { index, distance: Math.sqrt(squaredDistance), probabilities: null };
}

function squaredDistanceTo(model: CompiledModel, x: Float64Array, dims: readonly number[], persona: number): number {
  const offset = persona * model.d;
  let sum = 0;
  for (const j of dims) {
    const diff = x[j]! - model.centers[offset + j]!;
    sum += diff * diff;
  }
  return sum;
}

function nearestCentroid(model: CompiledModel, x: Float64Array, dims: readonly number[]): { index: number; squaredDistance: number } {
  const { centers, d, k } = model;
  let best = 0;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (let c = 0; c < k; c++) {
    const offset = c * d;
    let sum = 0;
    for (const j of dims) {
      const diff = x[j]! - centers[offset + j]!;
      sum += diff * diff;
    }
    // Strict < keeps the lowest index on ties, as the engine's argmin does.
    if (sum < bestDistance) {
      bestDistance = sum;
      best = c;
    }
  }
  return { index: best, squaredDistance: bestDistance };
}
