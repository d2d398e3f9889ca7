import { describe, expect, it } from 'vitest';
import { minimizeLbfgs } from '../../../src/engine/drivers/lbfgs.ts';

const options = { maxIterations: 500, gradientTolerance: 1e-10, memory: 10 };

describe('minimizeLbfgs', () => {
  it('finds the minimiser of an ill-conditioned quadratic in about as many iterations as SciPy', () => {
    // f(w) = ½ Σ_j a_j (w_j − t_j)² with curvatures 1 … 100 spread log-evenly over 20 dimensions: the
    // minimiser is t. SciPy 1.10's L-BFGS-B (maxcor 10, gtol 1e-10) takes 107 iterations from 0.
    const curvatures = Float64Array.from({ length: 20 }, (_, j) => 10 ** ((2 * j) / 19));
    const target = Float64Array.from({ length: 20 }, (_, j) => Math.sin(j + 1));
    const w = new Float64Array(20);
    const result = minimizeLbfgs((point, gradient) => {
      let f = 0;
      for (let j = 0; j < 20; j++) {
        const diff = point[j]! - target[j]!;
        f += 0.5 * curvatures[j]! * diff * diff;
        gradient[j] = curvatures[j]! * diff;
      }
      return f;
    }, w, options);
    expect(result.stopReason).toBe('gradient_tolerance');
    expect(result.gradientMaxNorm).toBeLessThanOrEqual(1e-10);
    expect(result.iterations).toBeLessThanOrEqual(130);
    target.forEach((value, j) => expect(w[j]).toBeCloseTo(value, 10));
  });

  it('reaches the minimum (1, 1) of the Rosenbrock function from (−1.2, 1)', () => {
    const w = Float64Array.from([-1.2, 1]);
    const result = minimizeLbfgs((point, gradient) => {
      const [x, y] = [point[0]!, point[1]!];
      gradient[0] = -2 * (1 - x) - 400 * x * (y - x * x);
      gradient[1] = 200 * (y - x * x);
      return (1 - x) ** 2 + 100 * (y - x * x) ** 2;
    }, w, options);
    expect(result.stopReason).toBe('gradient_tolerance');
    expect(w[0]).toBeCloseTo(1, 8);
    expect(w[1]).toBeCloseTo(1, 8);
    expect(result.iterations).toBeLessThan(100);
  });

  it('stops at maxIterations and reports it', () => {
    const w = Float64Array.from([-1.2, 1]);
    const result = minimizeLbfgs((point, gradient) => {
      const [x, y] = [point[0]!, point[1]!];
      gradient[0] = -2 * (1 - x) - 400 * x * (y - x * x);
      gradient[1] = 200 * (y - x * x);
      return (1 - x) ** 2 + 100 * (y - x * x) ** 2;
    }, w, { ...options, maxIterations: 3 });
    expect(result.stopReason).toBe('max_iterations');
    expect(result.iterations).toBe(3);
  });

  it('returns at once from a point whose gradient is already below tolerance', () => {
    const w = Float64Array.from([0, 0]);
    const result = minimizeLbfgs((point, gradient) => {
      gradient[0] = point[0]!;
      gradient[1] = point[1]!;
      return 0.5 * (point[0]! ** 2 + point[1]! ** 2);
    }, w, options);
    expect(result).toMatchObject({ iterations: 0, evaluations: 1, stopReason: 'gradient_tolerance' });
  });
});
