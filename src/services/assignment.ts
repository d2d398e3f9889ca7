/**
 * Nearest persona for one customer, with partial input (cold start): the distance is taken over the
 * encoded dimensions of the features the customer gave, so three answers are enough to place them.
 */
import { jsonPointer, ValidationError } from '../domain/errors.ts';
import type { FieldIssue } from '../domain/errors.ts';
import type { CompiledModel } from './compiled-model.ts';
import type { ModelRegistry } from './registry.ts';
import { categoryLabel, scaleNumeric } from './features.ts';
import { isMissingValue, MAX_ABS_NUMBER } from './tabular.ts';

export interface Assignment {
  model: CompiledModel;
  personaIndex: number;
  /** Euclidean distance to the persona's centroid over the features used, in the standardized space. */
  distance: number;
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

/**
 * @throws ValidationError for unknown attribute names, values of the wrong type, or no feature at all
 *   (pointers are /attributes/<name>)
 */
export function assignCustomer(model: CompiledModel, attributes: Readonly<Record<string, unknown>>): Assignment {
  const issues: FieldIssue[] = [];
  const warnings: string[] = [];
  const x = new Float64Array(model.d);
  // Encoded dimensions in use; a categorical feature contributes all of its one-hot cells.
  const dims: number[] = [];
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
      x[feature.column] = scaleNumeric(feature.spec, value);
      dims.push(feature.column);
    } else {
      if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean') {
        issues.push({ location: 'body', pointer, code: 'expected_category', message: `"${name}" must be a string, number or boolean` });
        continue;
      }
      const position = feature.categoryIndex.get(categoryLabel(value));
      if (position === undefined) {
        // Still informative: the customer is in none of the known categories.
        warnings.push(`"${name}" value was not seen in training; it counts as none of the known categories`);
      } else {
        x[feature.column + position] = feature.weight;
      }
      for (let offset = 0; offset < feature.width; offset++) dims.push(feature.column + offset);
    }
    featuresUsed.push(name);
  }
  if (issues.length > 0) throw new ValidationError('some attributes do not fit the model', issues);
  if (featuresUsed.length === 0) {
    throw new ValidationError('at least one feature of the model is needed', [
      { location: 'body', pointer: '/attributes', code: 'no_features', message: `give at least one of: ${model.features.map((f) => f.name).join(', ')}` },
    ]);
  }

  const { index, squaredDistance } = nearestCentroid(model, x, dims);
  const used = new Set(featuresUsed);
  return {
    model,
    personaIndex: index,
    distance: Math.sqrt(squaredDistance),
    featuresUsed,
    featuresMissing: model.features.map((feature) => feature.name).filter((name) => !used.has(name)),
    warnings,
  };
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
