/**
 * The best next question for a customer who gave only some features: the missing feature whose answer
 * is expected to remove the most uncertainty about their persona (expected entropy reduction of the
 * persona probabilities, src/engine/confidence.ts).
 *
 * Answers are drawn from what the model knows: a persona c is the customer's with probability p_c, and
 * its members answer a categorical question with the persona's category shares, a numeric one with a
 * normal around the persona's centre with the members' standard deviation (integrated by a three-point
 * Gauss–Hermite rule). For each possible answer the probabilities are recomputed exactly as /v1/assign
 * would with that answer added, and their entropies averaged by the answers' probabilities.
 */
import { entropy, entropyOfSoftmax, expectedEntropy, STANDARD_NORMAL_NODES, STANDARD_NORMAL_WEIGHTS } from '../engine/index.ts';
import type { CompiledCategoricalFeature, CompiledFeature, ScoringModel } from './compiled-model.ts';
import { isFeatureGiven, personaCosts, personaProbabilities, setCategory, setNumeric, unsetFeature } from './persona-scoring.ts';
import type { EncodedCustomer } from './persona-scoring.ts';

/** Personas less likely than this are left out of the answers' distribution (they barely move the average). */
const NEGLIGIBLE_PROBABILITY = 0.01;

export interface QuestionValue {
  feature: string;
  /** Bits of uncertainty about the persona that the answer is expected to remove. */
  expectedInformationGain: number;
}

export interface NextQuestion extends QuestionValue {
  /** Entropy of the persona probabilities now, in bits (0: certain). */
  currentEntropy: number;
  /** Every missing feature by expected information gain, best first. */
  ranking: QuestionValue[];
}

/**
 * @param costs - the customer's persona costs now (personaCosts), @param probabilities - from them.
 * @returns null when no feature is missing.
 */
export function suggestNextQuestion(model: ScoringModel, customer: EncodedCustomer, costs: Float64Array, probabilities: Float64Array): NextQuestion | null {
  const currentEntropy = entropy(probabilities);
  const scratch = new Float64Array(model.k);
  const ranking = model.features
    .filter((feature) => !isFeatureGiven(customer, feature))
    .map((feature) => {
      const after = model.mixture ? expectedEntropyAfterByRescoring(model, customer, probabilities, feature) : expectedEntropyAfterByIncrement(model, costs, probabilities, feature, scratch);
      return { feature: feature.name, expectedInformationGain: Math.max(0, currentEntropy - after) };
    })
    .sort((a, b) => b.expectedInformationGain - a.expectedInformationGain);
  if (ranking.length === 0) return null;
  return { ...ranking[0]!, currentEntropy, ranking };
}

/**
 * Hard clusterings: an answer adds one term to every persona's cost (a squared difference, a one-hot
 * block's squared distance, or gamma × a mismatch), so the costs after an answer are the current ones
 * plus that term, and their entropy needs no rescoring and no allocation.
 */
export function expectedEntropyAfterByIncrement(model: ScoringModel, costs: Float64Array, probabilities: Float64Array, feature: CompiledFeature, after: Float64Array): number {
  const { k, d, centers, temperature } = model;
  let total = 0;
  let weightSum = 0;
  const add = (weight: number) => {
    total += weight * entropyOfSoftmax(after, temperature);
    weightSum += weight;
  };
  if (feature.kind === 'numeric') {
    const column = model.kprototypes ? feature.slot : feature.column;
    for (let c = 0; c < k; c++) {
      if (probabilities[c]! < NEGLIGIBLE_PROBABILITY) continue;
      const centre = centers[c * d + column]!;
      const sd = model.personaSpread.numericSd[c * model.numericCount + feature.slot]!;
      for (let i = 0; i < STANDARD_NORMAL_NODES.length; i++) {
        const value = centre + sd * STANDARD_NORMAL_NODES[i]!;
        for (let other = 0; other < k; other++) after[other] = costs[other]! + (value - centers[other * d + column]!) ** 2;
        add(probabilities[c]! * STANDARD_NORMAL_WEIGHTS[i]!);
      }
    }
  } else {
    const shares = model.personaSpread.categoryShares[feature.slot]!;
    const width = feature.width;
    for (let code = 0; code < width; code++) {
      let weight = 0;
      for (let c = 0; c < k; c++) weight += probabilities[c]! * shares[c * width + code]!;
      if (weight <= NEGLIGIBLE_PROBABILITY * NEGLIGIBLE_PROBABILITY) continue;
      for (let other = 0; other < k; other++) after[other] = costs[other]! + categoryCost(model, feature, other, code);
      add(weight);
    }
  }
  return weightSum === 0 ? entropy(probabilities) : total / weightSum;
}

/** What answering `code` adds to persona c's cost: gamma × a mismatch with its mode, or the one-hot block's squared distance. */
function categoryCost(model: ScoringModel, feature: CompiledCategoricalFeature, c: number, code: number): number {
  if (model.kprototypes) return model.kprototypes.modes[c * model.categoricalCount + feature.slot] === code ? 0 : model.kprototypes.gamma;
  const offset = c * model.d + feature.column;
  let sum = 0;
  for (let j = 0; j < feature.width; j++) sum += ((j === code ? feature.weight : 0) - model.centers[offset + j]!) ** 2;
  return sum;
}

/**
 * Mixtures: the posterior after an answer depends on the covariances, so each answer is rescored as
 * /v1/assign would (valid for every algorithm; the increments above must agree with it).
 */
export function expectedEntropyAfterByRescoring(model: ScoringModel, customer: EncodedCustomer, probabilities: Float64Array, feature: CompiledFeature): number {
  const weights: number[] = [];
  const posteriors: Float64Array[] = [];
  const costs = new Float64Array(model.k);
  const consider = (weight: number, answer: () => void) => {
    answer();
    posteriors.push(personaProbabilities(model, personaCosts(model, customer, costs)));
    weights.push(weight);
    unsetFeature(model, customer, feature);
  };
  if (feature.kind === 'numeric') {
    const column = feature.column;
    for (let c = 0; c < model.k; c++) {
      if (probabilities[c]! < NEGLIGIBLE_PROBABILITY) continue;
      const centre = model.centers[c * model.d + column]!;
      const sd = model.personaSpread.numericSd[c * model.numericCount + feature.slot]!;
      STANDARD_NORMAL_NODES.forEach((z, i) => consider(probabilities[c]! * STANDARD_NORMAL_WEIGHTS[i]!, () => setNumeric(model, customer, feature, centre + sd * z)));
    }
  } else {
    const shares = model.personaSpread.categoryShares[feature.slot]!;
    for (let code = 0; code < feature.width; code++) {
      let weight = 0;
      for (let c = 0; c < model.k; c++) weight += probabilities[c]! * shares[c * feature.width + code]!;
      if (weight > NEGLIGIBLE_PROBABILITY * NEGLIGIBLE_PROBABILITY) consider(weight, () => setCategory(model, customer, feature, code));
    }
  }
  return weights.length === 0 ? entropy(probabilities) : expectedEntropy(weights, posteriors);
}
