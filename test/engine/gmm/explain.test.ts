import { describe, expect, it } from 'vitest';
import { compareComponents, fitGaussianMixture, posteriorForPartialRow } from '../../../src/engine/index.ts';
import { expectEngineError } from '../support/assertions.ts';
import { makeBlobs } from '../support/blobs.ts';

const { x } = makeBlobs({ n: 600, d: 4, k: 3, seed: 11, centerSpread: 3 });

describe.each(['diag', 'full'] as const)('compareComponents (%s covariances)', (covarianceType) => {
  const model = fitGaussianMixture(x, { k: 3, covarianceType, seed: 1 });
  const row = x.data.slice(5 * 4, 6 * 4);

  it.each([
    ['every dimension', [0, 1, 2, 3]],
    ['two dimensions', [3, 1]],
    ['one dimension', [2]],
  ])('splits the log-posterior ratio exactly over the present dimensions (%s)', (_label, present) => {
    const posterior = posteriorForPartialRow(model, row, present);
    const a = posterior.label;
    const b = (a + 1) % 3;
    const comparison = compareComponents(model, row, present, a, b);
    // The posterior's normaliser cancels in the ratio: log p_a − log p_b = log w_a N_a − log w_b N_b.
    expect(comparison.total).toBeCloseTo(Math.log(posterior.probabilities[a]!) - Math.log(posterior.probabilities[b]!), 8);
    let sum = comparison.base;
    for (const value of comparison.contributions) sum += value;
    expect(sum).toBeCloseTo(comparison.total, 10);
    for (let j = 0; j < 4; j++) if (!present.includes(j)) expect(comparison.contributions[j]).toBe(0);
  });

  it('is antisymmetric in the two components', () => {
    const forward = compareComponents(model, row, [0, 2], 0, 1);
    const backward = compareComponents(model, row, [0, 2], 1, 0);
    expect(backward.total).toBeCloseTo(-forward.total, 12);
    expect(backward.contributions[2]).toBeCloseTo(-forward.contributions[2]!, 12);
  });
});

describe('compareComponents with diagonal covariances', () => {
  it('gives each dimension its own difference of half squared standardized distances', () => {
    const model = fitGaussianMixture(x, { k: 3, covarianceType: 'diag', seed: 1 });
    const row = Float64Array.of(0.5, -1, 2, 0);
    const { contributions } = compareComponents(model, row, [1], 0, 2);
    const z = (c: number) => (row[1]! - model.means.data[c * 4 + 1]!) ** 2 / model.covariances[c * 4 + 1]!;
    expect(contributions[1]).toBeCloseTo(-0.5 * (z(0) - z(2)), 12);
  });

  it('rejects components outside the mixture', () => {
    const model = fitGaussianMixture(x, { k: 3, covarianceType: 'diag', seed: 1 });
    expectEngineError(() => compareComponents(model, x.data.slice(0, 4), [0], 0, 3), 'invalid_option', /component 3/);
  });
});
