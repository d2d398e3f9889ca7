/**
 * The best next question for a customer who gave only some features: the missing feature whose answer
 * is expected to remove the most uncertainty about their persona (expected entropy reduction of the
 * persona probabilities, src/engine/confidence.ts).
 *
 * Answers are drawn from what the model knows: a persona c is the customer's with probability p_c, and
 * its members answer a categorical question with the persona's category shares, a numeric one with a
 * normal around the persona's centre with the members' standard deviation (integrated by a five-point
 * Gauss–Hermite rule). For each possible answer the probabilities are recomputed exactly as /v1/assign
 * would with that answer added, and their entropies averaged by the answers' probabilities.
 */
import { entropy, expectedEntropy, STANDARD_NORMAL_NODES, STANDARD_NORMAL_WEIGHTS } from '../engine/index.ts';
import type { CompiledFeature, ScoringModel } from './compiled-model.ts';
import { isFeatureGiven, personaCosts, personaProbabilities, setCategory, setNumeric, unsetFeature } from './persona-scoring.ts';
import type { EncodedCustomer } from './persona-scoring.ts';

/** Personas less likely than this are left out of the answers' distribution (they barely move the average). */
const NEGLIGIBLE_PROBABILITY = 1e-3;

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

/** null when no feature is missing. */
export function suggestNextQuestion(model: ScoringModel, customer: EncodedCustomer, probabilities: Float64Array): NextQuestion | null {
  const currentEntropy = entropy(probabilities);
  const ranking = model.features
    .filter((feature) => !isFeatureGiven(customer, feature))
    .map((feature) => ({ feature: feature.name, expectedInformationGain: Math.max(0, currentEntropy - expectedEntropyAfter(model, customer, probabilities, feature)) }))
    .sort((a, b) => b.expectedInformationGain - a.expectedInformationGain);
  if (ranking.length === 0) return null;
  return { ...ranking[0]!, currentEntropy, ranking };
}

/** E[H(p | answer to `feature`)] over the answers' predictive distribution (see the file header). */
export function expectedEntropyAfter(model: ScoringModel, customer: EncodedCustomer, probabilities: Float64Array, feature: CompiledFeature): number {
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
    const column = model.algorithm === 'kprototypes' ? feature.slot : feature.column;
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
