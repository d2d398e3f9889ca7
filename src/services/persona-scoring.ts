/**
 * Placing one customer, possibly with only some features (cold start): the customer in the model's
 * encoding, a cost per persona over the features given, and persona probabilities.
 *
 * Costs: k-means compares with the centroids in the dense encoding (squared distance over the given
 * columns); k-prototypes uses squared distance over the given numerics plus gamma × mismatches over
 * the given categories; a Gaussian mixture uses −log of the posterior of the marginal over the given
 * dimensions. Probabilities: the mixture's posterior, or for hard clusterings a softmax of the negative
 * costs with the temperature calibrated at training (src/engine/confidence.ts), so the most probable
 * persona is the nearest one.
 */
import { posteriorForPartialRow, softmaxOfCosts } from '../engine/index.ts';
import type { CompiledCategoricalFeature, CompiledFeature, CompiledNumericFeature, ScoringModel } from './compiled-model.ts';

/** One customer in the model's encodings, with what was given. */
export interface EncodedCustomer {
  /** Dense encoding (d) for k-means and mixtures; for k-prototypes, the scaled numeric features. */
  x: Float64Array;
  /** Dense columns (or, for k-prototypes, numeric slots) that were given, in the order given. */
  dims: number[];
  numericPresent: Uint8Array;
  /** k-prototypes: category codes (−1: a category not seen in training). */
  codes: Int32Array;
  categoricalPresent: Uint8Array;
}

export function emptyCustomer(model: ScoringModel): EncodedCustomer {
  return {
    x: new Float64Array(model.algorithm === 'kprototypes' ? model.numericCount : model.d),
    dims: [],
    numericPresent: new Uint8Array(model.numericCount),
    codes: new Int32Array(model.categoricalCount),
    categoricalPresent: new Uint8Array(model.categoricalCount),
  };
}

/** Per-model buffers reused by every assignment (they are only used synchronously, within one call). */
const scratchByModel = new WeakMap<ScoringModel, { customer: EncodedCustomer; costs: Float64Array }>();

/**
 * An empty customer and a cost buffer for `model`, reused from call to call: /v1/assign at thousands of
 * requests per second would otherwise allocate (and collect) several typed arrays each time. Valid
 * until the next call; never keep a reference beyond the synchronous assignment.
 */
export function borrowScratch(model: ScoringModel): { customer: EncodedCustomer; costs: Float64Array } {
  let scratch = scratchByModel.get(model);
  if (!scratch) {
    scratch = { customer: emptyCustomer(model), costs: new Float64Array(model.k) };
    scratchByModel.set(model, scratch);
  }
  const { customer } = scratch;
  customer.dims.length = 0;
  customer.numericPresent.fill(0);
  customer.categoricalPresent.fill(0);
  return scratch;
}

export function isFeatureGiven(customer: EncodedCustomer, feature: CompiledFeature): boolean {
  return feature.kind === 'numeric' ? customer.numericPresent[feature.slot] === 1 : customer.categoricalPresent[feature.slot] === 1;
}

/** Gives a numeric feature its scaled value. */
export function setNumeric(model: ScoringModel, customer: EncodedCustomer, feature: CompiledNumericFeature, scaled: number): void {
  const column = model.algorithm === 'kprototypes' ? feature.slot : feature.column;
  customer.x[column] = scaled;
  customer.dims.push(column);
  customer.numericPresent[feature.slot] = 1;
}

/** Gives a categorical feature a category (its code, or −1 for one not seen in training). */
export function setCategory(model: ScoringModel, customer: EncodedCustomer, feature: CompiledCategoricalFeature, code: number): void {
  customer.codes[feature.slot] = code;
  customer.categoricalPresent[feature.slot] = 1;
  if (model.algorithm === 'kprototypes') return;
  for (let offset = 0; offset < feature.width; offset++) {
    customer.x[feature.column + offset] = offset === code ? feature.weight : 0;
    customer.dims.push(feature.column + offset);
  }
}

/** Takes back the last setNumeric / setCategory of `feature` (what-if answers for the next question). */
export function unsetFeature(model: ScoringModel, customer: EncodedCustomer, feature: CompiledFeature): void {
  if (feature.kind === 'numeric') {
    customer.dims.pop();
    customer.numericPresent[feature.slot] = 0;
    return;
  }
  customer.categoricalPresent[feature.slot] = 0;
  if (model.algorithm !== 'kprototypes') customer.dims.length -= feature.width;
}

/**
 * OUT costs[c] of placing the customer in persona c (lower is nearer; see the file header). For
 * mixtures the costs are −log posterior, so softmax at temperature 1 gives the posterior back.
 */
export function personaCosts(model: ScoringModel, customer: EncodedCustomer, out: Float64Array = new Float64Array(model.k)): Float64Array {
  const { k, d, centers } = model;
  if (model.mixture) {
    const posterior = posteriorForPartialRow(model.mixture, customer.x, customer.dims);
    for (let c = 0; c < k; c++) out[c] = -Math.log(posterior.probabilities[c]!);
    return out;
  }
  for (let c = 0; c < k; c++) {
    const offset = c * d;
    let sum = 0;
    for (const j of customer.dims) {
      const diff = customer.x[j]! - centers[offset + j]!;
      sum += diff * diff;
    }
    out[c] = sum;
  }
  const prototypes = model.kprototypes;
  if (prototypes) {
    const q = model.categoricalCount;
    for (let c = 0; c < k; c++) {
      let mismatches = 0;
      for (let j = 0; j < q; j++) if (customer.categoricalPresent[j] === 1 && customer.codes[j] !== prototypes.modes[c * q + j]) mismatches++;
      out[c]! += prototypes.gamma * mismatches;
    }
  }
  return out;
}

/** Temperature of the softmax over costs: the calibrated one, or 1 for mixtures (their costs are −log posteriors). */
export function costTemperature(model: ScoringModel): number {
  return model.mixture ? 1 : model.temperature;
}

/** Persona probabilities from costs (see the file header). */
export function personaProbabilities(model: ScoringModel, costs: Float64Array, out: Float64Array = new Float64Array(model.k)): Float64Array {
  return softmaxOfCosts(costs, costTemperature(model), out);
}

/** The persona of lowest cost; strict < keeps the lowest index on ties, as the engine's argmin does. */
export function nearestPersona(costs: Float64Array): number {
  let best = 0;
  for (let c = 1; c < costs.length; c++) if (costs[c]! < costs[best]!) best = c;
  return best;
}

/** Squared Euclidean distance to persona c's centre over the given columns (mixtures report it as the distance). */
export function squaredDistanceTo(model: ScoringModel, customer: EncodedCustomer, c: number): number {
  const offset = c * model.d;
  let sum = 0;
  for (const j of customer.dims) {
    const diff = customer.x[j]! - model.centers[offset + j]!;
    sum += diff * diff;
  }
  return sum;
}
