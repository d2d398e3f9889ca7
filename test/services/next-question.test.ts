import { describe, expect, it } from 'vitest';
import type { FeatureSchema } from '../../src/domain/model.ts';
import { compileScoring } from '../../src/services/compiled-model.ts';
import type { ScoringModel } from '../../src/services/compiled-model.ts';
import { expectedEntropyAfterByIncrement, expectedEntropyAfterByRescoring, suggestNextQuestion } from '../../src/services/next-question.ts';
import { emptyCustomer, personaCosts, personaProbabilities, setNumeric } from '../../src/services/persona-scoring.ts';

const numeric = (name: string, column: number) => ({ name, kind: 'numeric' as const, column, transform: 'none' as const, scaling: 'standard' as const, clip: null, center: 0, scale: 1, median: 0, mean: 0, std: 1, missingRate: 0 });
const schema: FeatureSchema = {
  features: [numeric('age', 0), numeric('income', 1), { name: 'home', kind: 'categorical', column: 2, categories: ['rent', 'own'], mode: 'rent', weight: Math.SQRT1_2, missingRate: 0 }],
  encodedColumns: 4,
  ignoredColumns: [],
};
const personaSpread = {
  numericSd: [
    [0.5, 0.9],
    [0.6, 0.4],
    [0.7, 0.5],
  ],
  categoryShares: [[[0.9, 0.1]], [[0.2, 0.8]], [[0.5, 0.5]]],
};
// Three personas: the first two differ in income and home, the third in age.
const dense = { data: Float64Array.of(-1, -1, 0.64, 0.07, -1, 1.2, 0.14, 0.57, 1.5, 0, 0.35, 0.35), rows: 3, cols: 4 };
const kmeans = compileScoring(schema, 'kmeans', dense, { distanceThresholds: [], map: null, personaSpread, temperature: 0.8 });
const kprototypes = compileScoring(schema, 'kprototypes', { data: Float64Array.of(-1, -1, -1, 1.2, 1.5, 0), rows: 3, cols: 2 }, {
  distanceThresholds: [],
  map: null,
  personaSpread,
  temperature: 0.8,
  kprototypes: { gamma: 0.6, modes: [[0], [1], [0]] },
});

function withAge(model: ScoringModel, age: number) {
  const customer = emptyCustomer(model);
  setNumeric(model, customer, model.features[0] as Extract<ScoringModel['features'][number], { kind: 'numeric' }>, age);
  const costs = personaCosts(model, customer);
  return { customer, costs, probabilities: personaProbabilities(model, costs) };
}

describe.each([
  ['k-means', kmeans],
  ['k-prototypes', kprototypes],
])('next question (%s)', (_label, model) => {
  it('adds each answer to the costs incrementally, exactly as rescoring the customer with the answer would', () => {
    const { customer, costs, probabilities } = withAge(model, -0.9);
    for (const feature of model.features.slice(1)) {
      expect(expectedEntropyAfterByIncrement(model, costs, probabilities, feature, new Float64Array(model.k))).toBeCloseTo(expectedEntropyAfterByRescoring(model, customer, probabilities, feature), 10);
    }
  });

  it('asks what separates the personas still in doubt: income or home between the two young personas, not age', () => {
    const { customer, costs, probabilities } = withAge(model, -1);
    const question = suggestNextQuestion(model, customer, costs, probabilities)!;
    expect(['income', 'home']).toContain(question.feature);
    expect(question.ranking.map((entry) => entry.feature).sort()).toEqual(['home', 'income']);
    expect(question.expectedInformationGain).toBeGreaterThan(0.5);
  });
});
