import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { CovarianceType, DenseMatrix, GaussianMixtureIteration, GaussianMixtureOptions } from '../../../src/engine/index.ts';
import { fitGaussianMixture, fromRows } from '../../../src/engine/index.ts';
import fixture from '../../fixtures/reference/gmm.json' with { type: 'json' };
import { expectEngineError, isBitIdentical, isRelativelyClose } from '../support/assertions.ts';
import { makeBlobs, pickRows } from '../support/blobs.ts';

const telco = fromRows(fixture.input.X);
const covarianceTypes = ['diag', 'full'] as const;

/** The fixture's estimator call: explicit start, tol 1e-6, max_iter 500 (reg_covar is the default 1e-6). */
function fixtureOptions(type: CovarianceType): GaussianMixtureOptions {
  return {
    k: fixture.k,
    covarianceType: type,
    tolerance: 1e-6,
    maxIterations: 500,
    init: {
      weights: Float64Array.from(fixture.weights_init),
      means: fromRows(fixture.means_init),
      precisions: Float64Array.from(fixture.models[type].precisions_init.flat(2) as number[]),
    },
  };
}

describe('fitGaussianMixture', () => {
  describe.each(covarianceTypes)('against scikit-learn 1.2.1 on the Telco sample, covariance %s (test/fixtures/reference/gmm.json)', (type) => {
    const expected = fixture.models[type];
    const result = fitGaussianMixture(telco, fixtureOptions(type));

    it('reproduces n_iter, convergence and every label exactly', () => {
      expect(result.iterations).toBe(expected.n_iter);
      expect(result.converged).toBe(expected.converged);
      expect(Array.from(result.labels)).toEqual(expected.labels);
      expect(Array.from(result.labels.subarray(0, 10))).toEqual(expected.predict_first10);
      expect(result.warnings).toEqual([]);
    });

    it('reproduces weights, means and covariances to abs 1e-8', () => {
      const close = (actual: ArrayLike<number>, reference: number[]) => {
        expect(actual).toHaveLength(reference.length);
        reference.forEach((value, i) => expect(Math.abs(actual[i]! - value)).toBeLessThanOrEqual(1e-8));
      };
      close(result.weights, expected.weights);
      close(result.means.data, expected.means.flat());
      close(result.covariances, expected.covariances.flat(2) as number[]);
    });

    it('reproduces score, lower bound, BIC and AIC to rel 1e-9 and the parameter count exactly', () => {
      expect(isRelativelyClose(result.meanLogLikelihood, expected.score_mean_log_likelihood, 1e-9)).toBe(true);
      expect(isRelativelyClose(result.lowerBound, expected.lower_bound, 1e-9)).toBe(true);
      expect(isRelativelyClose(result.bic, expected.bic, 1e-9)).toBe(true);
      expect(isRelativelyClose(result.aic, expected.aic, 1e-9)).toBe(true);
      expect(result.nParameters).toBe(expected.n_parameters);
    });

    it('gives the same fit when started from the covariances instead of the precisions', () => {
      // The fixture's precisions are identity matrices (or ones), so the covariances are the same values.
      const options = fixtureOptions(type);
      const fromCovariances = fitGaussianMixture(telco, {
        ...options,
        init: { weights: options.init!.weights, means: options.init!.means, covariances: options.init!.precisions! },
      });
      expect(fromCovariances.iterations).toBe(result.iterations);
      expect(isBitIdentical(fromCovariances.labels, result.labels)).toBe(true);
      fromCovariances.means.data.forEach((value, i) => expect(value).toBeCloseTo(result.means.data[i]!, 12));
    });
  });

  describe('hand-worked cases', () => {
    // Four rows; one component is a single Gaussian, whose maximum-likelihood parameters are the column means
    // (1.5, 1.5) and the population covariance S = [[5/4, 1], [1, 5/4]], plus regCovar on the diagonal.
    const four = fromRows([
      [0, 0],
      [1, 2],
      [2, 1],
      [3, 3],
    ]);
    it('fits one component to the sample mean and covariance and stops on the second, unchanged iteration', () => {
      const result = fitGaussianMixture(four, { k: 1, covarianceType: 'full', regCovar: 0.5 });

      expect(Array.from(result.weights)).toEqual([1]);
      result.means.data.forEach((value) => expect(value).toBeCloseTo(1.5, 14));
      const covariance = [1.75, 1, 1, 1.75];
      result.covariances.forEach((value, i) => expect(value).toBeCloseTo(covariance[i]!, 14));
      // Mean log density of N(μ, Σ) over the rows: −log 2π − ½ log det Σ − ½ tr(Σ⁻¹ S), det Σ = 33/16 and
      // tr(Σ⁻¹ S) = (5/4 · 7/4 − 2 · 1 · 1 + 5/4 · 7/4) / det Σ = (19/8) / (33/16) = 38/33.
      expect(result.meanLogLikelihood).toBeCloseTo(-Math.log(2 * Math.PI) - 0.5 * Math.log(33 / 16) - 19 / 33, 13);
      expect(result.iterations).toBe(2);
      expect(result.converged).toBe(true);
      expect(result.nParameters).toBe(5);
      expect(result.bic).toBeCloseTo(-2 * 4 * result.meanLogLikelihood + 5 * Math.log(4), 12);
      expect(result.aic).toBeCloseTo(-2 * 4 * result.meanLogLikelihood + 10, 12);
    });

    it('keeps only the variances with a diagonal covariance and stores 1/√σ² as the precision factor', () => {
      const result = fitGaussianMixture(four, { k: 1, covarianceType: 'diag', regCovar: 0.5 });

      const variances = [1.75, 1.75];
      result.covariances.forEach((value, i) => expect(value).toBeCloseTo(variances[i]!, 14));
      result.precisionsCholesky.forEach((value, i) => expect(value).toBeCloseTo(1 / Math.sqrt(variances[i]!), 14));
      expect(result.nParameters).toBe(4);
    });

    it('stores the upper-triangular precision factor U with U Uᵀ = Σ⁻¹', () => {
      const result = fitGaussianMixture(four, { k: 1, covarianceType: 'full', regCovar: 0.5 });
      const [u00, u01, u10, u11] = result.precisionsCholesky;
      expect(u10).toBe(0);
      const [s00, s01, , s11] = result.covariances;
      const det = s00! * s11! - s01! * s01!;
      // U Uᵀ = [[u00² + u01², u01 u11], [u01 u11, u11²]] must equal Σ⁻¹ = [[s11, −s01], [−s01, s00]] / det.
      expect(u00! * u00! + u01! * u01!).toBeCloseTo(s11! / det, 14);
      expect(u01! * u11!).toBeCloseTo(-s01! / det, 14);
      expect(u11! * u11!).toBeCloseTo(s00! / det, 14);
    });
  });

  describe('options and warnings', () => {
    const { x } = makeBlobs({ n: 240, d: 2, k: 3, seed: 11, centerSpread: 2 });

    it('reports a run that stops at maxIterations as not converged, with a warning', () => {
      const result = fitGaussianMixture(x, { k: 3, covarianceType: 'diag', maxIterations: 2, tolerance: 0 });
      expect(result.iterations).toBe(2);
      expect(result.converged).toBe(false);
      expect(result.warnings).toEqual(['stopped at maxIterations = 2 before the lower bound changed by less than 0']);
    });

    it('runs a given start once and says so when nInit asked for more', () => {
      const runs = new Set<number>();
      const result = fitGaussianMixture(telco, { ...fixtureOptions('diag'), nInit: 4, onIteration: ({ run }) => runs.add(run) });
      expect([...runs]).toEqual([0]);
      expect(result.warnings).toEqual(['init given: ran 1 initialisation instead of nInit = 4']);
    });

    it('keeps the restart with the highest final lower bound', () => {
      const finals = new Map<number, GaussianMixtureIteration>();
      const result = fitGaussianMixture(x, { k: 3, nInit: 5, seed: 3, onIteration: (p) => finals.set(p.run, p) });
      expect(finals.size).toBe(5);
      const best = Math.max(...[...finals.values()].map((p) => p.lowerBound));
      expect(result.lowerBound).toBe(best);
    });

    it('prefers the true number of blobs by BIC on well-separated data', () => {
      const blobs = makeBlobs({ n: 300, d: 2, k: 3, seed: 5, centerSpread: 8 }).x;
      const bics = [1, 2, 3, 4, 5].map((k) => fitGaussianMixture(blobs, { k, covarianceType: 'full', nInit: 2 }).bic);
      expect(bics.indexOf(Math.min(...bics))).toBe(2);
    });
  });

  describe('input checks', () => {
    const x = fromRows([[0], [1], [2], [3]]);

    it('rejects fewer than two rows and k above the row count', () => {
      expectEngineError(() => fitGaussianMixture(fromRows([[1, 2]]), { k: 1 }), 'too_few_rows', /at least 2 rows, x has 1/);
      expectEngineError(() => fitGaussianMixture(x, { k: 5 }), 'too_few_rows', /k = 5 exceeds the 4 rows/);
    });

    it('rejects out-of-range options with the offending value', () => {
      expectEngineError(() => fitGaussianMixture(x, { k: 2, regCovar: -1 }), 'invalid_option', /regCovar = -1/);
      expectEngineError(() => fitGaussianMixture(x, { k: 2, tolerance: Number.NaN }), 'invalid_option', /tolerance = NaN/);
      expectEngineError(() => fitGaussianMixture(x, { k: 2, maxIterations: 0 }), 'invalid_option', /maxIterations = 0/);
      // @ts-expect-error 'tied' and 'spherical' are not implemented.
      expectEngineError(() => fitGaussianMixture(x, { k: 2, covarianceType: 'tied' }), 'invalid_option', /covarianceType = tied/);
    });

    it('rejects a start whose weights do not sum to 1, whose shapes differ, or with both precisions and covariances', () => {
      const means = fromRows([[0], [3]]);
      const ones = new Float64Array([1, 1]);
      expectEngineError(
        () => fitGaussianMixture(x, { k: 2, covarianceType: 'diag', init: { weights: new Float64Array([0.5, 0.6]), means, precisions: ones } }),
        'invalid_option',
        /sum to 1.1/,
      );
      expectEngineError(
        () => fitGaussianMixture(x, { k: 2, covarianceType: 'diag', init: { weights: new Float64Array([0.5, 0.5]), means, precisions: new Float64Array(3) } }),
        'shape_mismatch',
        /init.precisions has 3 values, expected k × d = 2 × 1/,
      );
      expectEngineError(
        () => fitGaussianMixture(x, { k: 2, covarianceType: 'diag', init: { weights: new Float64Array([0.5, 0.5]), means, precisions: ones, covariances: ones } }),
        'invalid_option',
        /exactly one of precisions and covariances/,
      );
    });

    it('rejects a start precision that is not symmetric positive definite', () => {
      const means = fromRows([[0, 0]]);
      const weights = new Float64Array([1]);
      const x2 = fromRows([[0, 0], [1, 1], [2, 0]]);
      expectEngineError(
        () => fitGaussianMixture(x2, { k: 1, init: { weights, means, precisions: new Float64Array([1, 2, 2, 1]) } }),
        'singular_covariance',
        /init.precisions of component 0 is not positive definite/,
      );
      expectEngineError(
        () => fitGaussianMixture(x2, { k: 1, init: { weights, means, precisions: new Float64Array([1, 0.5, 0, 1]) } }),
        'invalid_option',
        /not symmetric/,
      );
    });

    it('names the component that collapses onto one point when regCovar is 0', () => {
      const duplicates = fromRows([[0, 0], [0, 0], [0, 0], [5, 5], [6, 5], [5, 7]]);
      expectEngineError(
        () => fitGaussianMixture(duplicates, { k: 2, covarianceType: 'full', regCovar: 0 }),
        'singular_covariance',
        /component \d has a covariance matrix that is not positive definite/,
      );
    });
  });

  describe('properties', () => {
    it.each(covarianceTypes)('never lowers the lower bound from one EM iteration to the next (%s)', (type) => {
      fc.assert(
        fc.property(blobSpec, fc.nat(), ({ n, d, k, seed }, fitSeed) => {
          const { x } = makeBlobs({ n, d, k, seed, centerSpread: 1.5 });
          const bounds: number[] = [];
          fitGaussianMixture(x, { k, covarianceType: type, seed: fitSeed, tolerance: 1e-9, onIteration: (p) => bounds.push(p.lowerBound) });
          for (let i = 1; i < bounds.length; i++) {
            if (bounds[i]! < bounds[i - 1]! - 1e-10 * Math.abs(bounds[i - 1]!)) return false;
          }
          return true;
        }),
        { numRuns: 25 },
      );
    });

    it.each(covarianceTypes)('permuting rows permutes labels and leaves the parameters unchanged (%s)', (type) => {
      fc.assert(
        fc.property(blobSpec, fc.nat(), ({ n, d, k, seed }, permutationSeed) => {
          const { x } = makeBlobs({ n, d, k, seed, centerSpread: 2 });
          const options = explicitStart(x, k, type);
          const order = shuffledIndices(n, permutationSeed);
          const original = fitGaussianMixture(x, options);
          const moved = fitGaussianMixture(pickRows(x, order), options);

          expect(Array.from(moved.labels)).toEqual(order.map((row) => original.labels[row]));
          expect(moved.iterations).toBe(original.iterations);
          moved.means.data.forEach((value, i) => expect(value).toBeCloseTo(original.means.data[i]!, 8));
          moved.weights.forEach((value, i) => expect(value).toBeCloseTo(original.weights[i]!, 10));
          expect(isRelativelyClose(moved.meanLogLikelihood, original.meanLogLikelihood, 1e-10)).toBe(true);
        }),
        { numRuns: 20 },
      );
    });

    it('the same seed reproduces the fit bit for bit', () => {
      fc.assert(
        fc.property(blobSpec, fc.nat(), fc.constantFrom<CovarianceType>('diag', 'full'), ({ n, d, k, seed }, fitSeed, type) => {
          const { x } = makeBlobs({ n, d, k, seed, centerSpread: 2 });
          const first = fitGaussianMixture(x, { k, covarianceType: type, seed: fitSeed, nInit: 2 });
          const second = fitGaussianMixture(x, { k, covarianceType: type, seed: fitSeed, nInit: 2 });
          return (
            isBitIdentical(first.labels, second.labels) &&
            isBitIdentical(first.means.data, second.means.data) &&
            isBitIdentical(first.covariances, second.covariances) &&
            Object.is(first.lowerBound, second.lowerBound)
          );
        }),
        { numRuns: 20 },
      );
    });

    it('returns weights that form a distribution and labels that cluster sizes count', () => {
      fc.assert(
        fc.property(blobSpec, fc.nat(), ({ n, d, k, seed }, fitSeed) => {
          const { x } = makeBlobs({ n, d, k, seed, centerSpread: 2 });
          const result = fitGaussianMixture(x, { k, covarianceType: 'diag', seed: fitSeed });
          const weightSum = result.weights.reduce((sum, w) => sum + w, 0);
          const counts = new Int32Array(k);
          for (const label of result.labels) counts[label]!++;
          return Math.abs(weightSum - 1) < 1e-12 && result.weights.every((w) => w > 0) && isBitIdentical(counts, result.clusterSizes);
        }),
        { numRuns: 25 },
      );
    });
  });
});

/** A start independent of row order: means at the first k rows' values, unit precisions, equal weights. */
function explicitStart(x: DenseMatrix, k: number, type: CovarianceType): GaussianMixtureOptions {
  const d = x.cols;
  const precisions = new Float64Array(type === 'diag' ? k * d : k * d * d);
  if (type === 'diag') precisions.fill(1);
  else for (let c = 0; c < k; c++) for (let j = 0; j < d; j++) precisions[c * d * d + j * d + j] = 1;
  return {
    k,
    covarianceType: type,
    tolerance: 1e-8,
    init: { weights: new Float64Array(k).fill(1 / k), means: pickRows(x, Array.from({ length: k }, (_, c) => c)), precisions },
  };
}

function shuffledIndices(n: number, seed: number): number[] {
  const order = Array.from({ length: n }, (_, i) => i);
  // Deterministic shuffle from a 32-bit LCG: enough to scramble row order in a test.
  let state = seed >>> 0;
  for (let i = n - 1; i > 0; i--) {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    const j = state % (i + 1);
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  return order;
}

/** Shapes and seeds of overlapping Gaussian blobs, with enough rows per component for stable covariances. */
const blobSpec = fc
  .record({ d: fc.integer({ min: 1, max: 4 }), k: fc.integer({ min: 1, max: 4 }), seed: fc.nat() })
  .chain(({ d, k, seed }) => fc.record({ n: fc.integer({ min: 20 * k, max: 150 }), d: fc.constant(d), k: fc.constant(k), seed: fc.constant(seed) }));
