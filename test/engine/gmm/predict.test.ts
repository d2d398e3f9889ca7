import fc from 'fast-check';
import { CholeskyDecomposition, Matrix, determinant, inverse } from 'ml-matrix';
import { describe, expect, it } from 'vitest';
import type { CovarianceType, GaussianMixtureModel } from '../../../src/engine/index.ts';
import {
  fitGaussianMixture,
  fromRows,
  posteriorForPartialRow,
  predictGaussianMixture,
  predictProbabilities,
  scoreSamples,
} from '../../../src/engine/index.ts';
import fixture from '../../fixtures/reference/gmm.json' with { type: 'json' };
import { expectEngineError, isBitIdentical, isRelativelyClose } from '../support/assertions.ts';
import { makeBlobs } from '../support/blobs.ts';

const telco = fromRows(fixture.input.X);

function fixtureModel(type: CovarianceType): GaussianMixtureModel {
  return fitGaussianMixture(telco, {
    k: fixture.k,
    covarianceType: type,
    tolerance: 1e-6,
    maxIterations: 500,
    init: {
      weights: Float64Array.from(fixture.weights_init),
      means: fromRows(fixture.means_init),
      precisions: Float64Array.from(fixture.models[type].precisions_init.flat(2) as number[]),
    },
  });
}

/**
 * A 3-feature, 2-component full-covariance model written by hand (covariances symmetric positive
 * definite; precision factors from a fit are not needed by the partial-row path except with all present).
 */
const handModel: GaussianMixtureModel = (() => {
  const covariances = new Float64Array([
    ...[2, 0.6, -0.4, 0.6, 1, 0.3, -0.4, 0.3, 1.5],
    ...[1, -0.2, 0.1, -0.2, 0.5, 0, 0.1, 0, 0.8],
  ]);
  const precisionsCholesky = new Float64Array(18);
  for (let c = 0; c < 2; c++) {
    // U = (L⁻¹)ᵀ with Σ = L Lᵀ, via ml-matrix: U Uᵀ = Σ⁻¹.
    const sigma = new Matrix(3, 3);
    for (let a = 0; a < 3; a++) for (let b = 0; b < 3; b++) sigma.set(a, b, covariances[c * 9 + a * 3 + b]!);
    const lower = new CholeskyDecomposition(sigma).lowerTriangularMatrix;
    const u = inverse(lower).transpose();
    for (let a = 0; a < 3; a++) for (let b = 0; b < 3; b++) precisionsCholesky[c * 9 + a * 3 + b] = a > b ? 0 : u.get(a, b);
  }
  return {
    covarianceType: 'full',
    weights: new Float64Array([0.3, 0.7]),
    means: fromRows([
      [0, 1, -1],
      [2, 0, 0.5],
    ]),
    covariances,
    precisionsCholesky,
  };
})();

/** log N(x | μ, Σ) by the textbook formula with ml-matrix's inverse and determinant. */
function logNormal(x: number[], mean: number[], covariance: number[][]): number {
  const sigma = new Matrix(covariance);
  const diff = Matrix.columnVector(x.map((v, j) => v - mean[j]!));
  const quadratic = diff.transpose().mmul(inverse(sigma)).mmul(diff).get(0, 0);
  return -0.5 * (x.length * Math.log(2 * Math.PI) + Math.log(determinant(sigma)) + quadratic);
}

function handCovariance(c: number): number[][] {
  return [0, 1, 2].map((a) => [0, 1, 2].map((b) => handModel.covariances[c * 9 + a * 3 + b]!));
}

describe('predictProbabilities', () => {
  it.each(['diag', 'full'] as const)('reproduces scikit-learn’s predict_proba on the first ten Telco rows to abs 1e-9 (%s)', (type) => {
    const probabilities = predictProbabilities(fixtureModel(type), telco);
    const expected = fixture.models[type].predict_proba_first10.flat();
    expected.forEach((value, i) => expect(Math.abs(probabilities.data[i]! - value)).toBeLessThanOrEqual(1e-9));
    expect(probabilities.rows).toBe(telco.rows);
    expect(probabilities.cols).toBe(3);
  });

  it('gives rows that sum to 1 for any rows, near or far from the components', () => {
    const model = fixtureModel('full');
    fc.assert(
      fc.property(fc.array(fc.double({ min: -1e3, max: 1e3, noNaN: true }), { minLength: 2, maxLength: 2 }), (row) => {
        const probabilities = predictProbabilities(model, fromRows([row]));
        const sum = probabilities.data.reduce((total, p) => total + p, 0);
        return Math.abs(sum - 1) < 1e-12 && probabilities.data.every((p) => p >= 0 && p <= 1);
      }),
    );
  });

  it('rejects rows with the wrong number of features', () => {
    expectEngineError(() => predictProbabilities(fixtureModel('diag'), fromRows([[1, 2, 3]])), 'shape_mismatch', /x has 3 columns, the model has d = 2/);
  });

  it('rejects a model whose arrays disagree with its shape', () => {
    const model = fixtureModel('diag');
    expectEngineError(
      () => predictProbabilities({ ...model, covariances: model.covariances.subarray(1) }, telco),
      'shape_mismatch',
      /covariances have 5 and precisionsCholesky 6 values/,
    );
  });
});

describe('scoreSamples', () => {
  it.each(['diag', 'full'] as const)('averages to scikit-learn’s score on the Telco sample (%s)', (type) => {
    const logLikelihoods = scoreSamples(fixtureModel(type), telco);
    const mean = logLikelihoods.reduce((sum, value) => sum + value, 0) / logLikelihoods.length;
    expect(isRelativelyClose(mean, fixture.models[type].score_mean_log_likelihood, 1e-9)).toBe(true);
  });

  it('equals the log of the weighted sum of the component densities', () => {
    const row = [0.5, 0.2, -0.3];
    const [logLikelihood] = scoreSamples(handModel, fromRows([row]));
    const expected = Math.log(
      0.3 * Math.exp(logNormal(row, [0, 1, -1], handCovariance(0))) + 0.7 * Math.exp(logNormal(row, [2, 0, 0.5], handCovariance(1))),
    );
    expect(logLikelihood).toBeCloseTo(expected, 12);
  });
});

describe('predictGaussianMixture', () => {
  it('returns the labels, probabilities and log-likelihoods of the separate functions in one pass', () => {
    const model = fixtureModel('full');
    const prediction = predictGaussianMixture(model, telco);
    expect(Array.from(prediction.labels)).toEqual(fixture.models.full.labels);
    expect(isBitIdentical(prediction.probabilities.data, predictProbabilities(model, telco).data)).toBe(true);
    expect(isBitIdentical(prediction.logLikelihoods, scoreSamples(model, telco))).toBe(true);
  });
});

describe('posteriorForPartialRow', () => {
  it.each(['diag', 'full'] as const)('equals the full-row posterior exactly when every feature is present (%s)', (type) => {
    const model = fixtureModel(type);
    for (const i of [0, 7, 123]) {
      const values = telco.data.slice(i * 2, i * 2 + 2);
      const expected = predictProbabilities(model, { data: values, rows: 1, cols: 2 });
      const [expectedLogLikelihood] = scoreSamples(model, { data: values, rows: 1, cols: 2 });
      for (const present of [new Uint8Array([1, 1]), [1, 0], new Int32Array([0, 1])]) {
        const posterior = posteriorForPartialRow(model, values, present);
        expect(isBitIdentical(posterior.probabilities, expected.data)).toBe(true);
        expect(posterior.logLikelihood).toBe(expectedLogLikelihood);
        expect(posterior.presentDimensions).toBe(2);
        expect(posterior.label).toBe(fixture.models[type].labels[i]);
      }
    }
  });

  it('matches a brute-force marginal that integrates the missing feature out numerically', () => {
    // Features 0 and 2 present, feature 1 missing: p_c(x0, x2) = ∫ N(x0, t, x2 | μ_c, Σ_c) dt by Simpson's
    // rule over μ ± 14 sd (the tails beyond are below 1e-40), with the joint density from ml-matrix.
    const values = new Float64Array([0.8, Number.NaN, -0.2]);
    const joint = (c: number): number => {
      const mean = Array.from(handModel.means.data.subarray(c * 3, c * 3 + 3));
      const sd = Math.sqrt(handCovariance(c)[1]![1]!);
      const steps = 4000;
      const from = mean[1]! - 14 * sd;
      const h = (28 * sd) / steps;
      let sum = 0;
      for (let s = 0; s <= steps; s++) {
        const density = Math.exp(logNormal([values[0]!, from + s * h, values[2]!], mean, handCovariance(c)));
        sum += density * (s === 0 || s === steps ? 1 : s % 2 === 1 ? 4 : 2);
      }
      return handModel.weights[c]! * ((sum * h) / 3);
    };
    const densities = [joint(0), joint(1)];
    const total = densities[0]! + densities[1]!;

    const posterior = posteriorForPartialRow(handModel, values, [2, 0]);

    expect(posterior.presentDimensions).toBe(2);
    expect(posterior.probabilities[0]).toBeCloseTo(densities[0]! / total, 10);
    expect(posterior.probabilities[1]).toBeCloseTo(densities[1]! / total, 10);
    expect(posterior.logLikelihood).toBeCloseTo(Math.log(total), 10);
    expect(posterior.label).toBe(densities[0]! > densities[1]! ? 0 : 1);
  });

  it('drops the missing features of a diagonal model: the product of the present univariate normals', () => {
    const model = fixtureModel('diag');
    const values = new Float64Array([Number.NaN, 0.4]);
    const posterior = posteriorForPartialRow(model, values, new Uint8Array([0, 1]));
    const weighted = [0, 1, 2].map((c) => {
      const mean = model.means.data[c * 2 + 1]!;
      const variance = model.covariances[c * 2 + 1]!;
      return model.weights[c]! * Math.exp(-0.5 * Math.log(2 * Math.PI * variance) - ((0.4 - mean) ** 2) / (2 * variance));
    });
    const total = weighted[0]! + weighted[1]! + weighted[2]!;
    weighted.forEach((w, c) => expect(posterior.probabilities[c]).toBeCloseTo(w / total, 12));
    expect(posterior.logLikelihood).toBeCloseTo(Math.log(total), 12);
  });

  it('falls back to the mixing weights when no feature is present', () => {
    const posterior = posteriorForPartialRow(handModel, new Float64Array(3).fill(Number.NaN), []);
    expect(Array.from(posterior.probabilities)).toEqual([0.3, 0.7]);
    expect(posterior.label).toBe(1);
    expect(posterior.logLikelihood).toBe(0);
    expect(posterior.presentDimensions).toBe(0);
  });

  it('agrees with refitting on the present features only when the model is diagonal', () => {
    // A diagonal mixture's marginal over some features is the mixture with those features' columns.
    const { x } = makeBlobs({ n: 200, d: 3, k: 2, seed: 4, centerSpread: 3 });
    const model = fitGaussianMixture(x, { k: 2, covarianceType: 'diag' });
    const reduced: GaussianMixtureModel = {
      covarianceType: 'diag',
      weights: model.weights,
      means: fromRows([0, 1].map((c) => [model.means.data[c * 3]!, model.means.data[c * 3 + 2]!])),
      covariances: new Float64Array([0, 1].flatMap((c) => [model.covariances[c * 3]!, model.covariances[c * 3 + 2]!])),
      precisionsCholesky: new Float64Array([0, 1].flatMap((c) => [model.precisionsCholesky[c * 3]!, model.precisionsCholesky[c * 3 + 2]!])),
    };
    const row = x.data.slice(9, 12);
    const posterior = posteriorForPartialRow(model, row, [0, 2]);
    const expected = predictProbabilities(reduced, fromRows([[row[0]!, row[2]!]]));
    posterior.probabilities.forEach((p, c) => expect(p).toBeCloseTo(expected.data[c]!, 14));
  });

  it('rejects a wrong-length row or mask, an index out of range or repeated, and a missing value marked present', () => {
    const values = new Float64Array([0, 1, 2]);
    expectEngineError(() => posteriorForPartialRow(handModel, new Float64Array(2), [0]), 'shape_mismatch', /values has 2 entries, the model has d = 3/);
    expectEngineError(() => posteriorForPartialRow(handModel, values, new Uint8Array(2)), 'shape_mismatch', /mask has 2 entries/);
    expectEngineError(() => posteriorForPartialRow(handModel, values, [3]), 'invalid_option', /dimension 3 is outside \[0, 3\)/);
    expectEngineError(() => posteriorForPartialRow(handModel, values, [1, 1]), 'invalid_option', /dimension 1 is listed twice/);
    expectEngineError(
      () => posteriorForPartialRow(handModel, new Float64Array([0, Number.NaN, 2]), [0, 1]),
      'non_finite_value',
      /non-finite value \(NaN\) in present dimension 1/,
    );
  });
});
