/**
 * Limited-memory BFGS for smooth unconstrained minimisation (engine-internal; the surrogate classifier's
 * optimiser). Not re-exported from index.ts.
 *
 * Minimises f(w) over w ∈ ℝ^p given a callback that returns f and writes ∇f. Each iteration builds the
 * search direction d = −H g with the two-loop recursion over the last m curvature pairs (s, y), scaling
 * the initial inverse Hessian by γ = sᵀy / yᵀy of the newest pair, then takes a backtracking line search
 * from step 1 (the first iteration starts from 1/‖g‖∞, since no curvature is known yet).
 *
 * Line search: Armijo sufficient decrease f(w + αd) ≤ f(w) + c₁ α gᵀd with c₁ = 1e-4, shrinking α by
 * safeguarded quadratic interpolation (factor clamped to [0.1, 0.5]). Near the optimum the decrease
 * |gᵀd| α falls below the rounding of f (about 1e-16 |f|) long before ‖g‖ reaches a tight tolerance, so a
 * step is also accepted when f did not rise beyond rounding and the directional derivative shrank
 * (|g_newᵀd| ≤ 0.9 |gᵀd|, the curvature half of the Wolfe conditions): the approximate Wolfe rule of
 * Hager & Zhang (2005). A pair with sᵀy ≤ 1e-12 ‖s‖ ‖y‖ is not stored, which keeps H positive definite
 * without a Wolfe line search; a direction that is not a descent direction resets the memory.
 *
 * Stops when ‖g‖∞ ≤ gradientTolerance (converged), after maxIterations, or when the line search cannot
 * make progress (40 shrinks). Complexity: O(m p) per iteration plus the callback; O(m p) memory, all
 * allocated before the first iteration.
 *
 * References: Nocedal, "Updating quasi-Newton matrices with limited storage", Math. Comp. 35, 1980;
 * Liu & Nocedal, "On the limited memory BFGS method for large scale optimization", Math. Prog. 45, 1989;
 * Nocedal & Wright, Numerical Optimization, 2nd ed., algorithm 7.4; Hager & Zhang, "A new conjugate
 * gradient method with guaranteed descent and an efficient line search", SIAM J. Optim. 16, 2005.
 */

/** f(w), writing ∇f(w) into gradientOut (p values). Must not keep references to either array. */
export type ObjectiveWithGradient = (w: Float64Array, gradientOut: Float64Array) => number;

export interface LbfgsOptions {
  /** Iteration cap (each iteration is one line search). */
  readonly maxIterations: number;
  /** Converged when the largest absolute gradient entry is at most this. */
  readonly gradientTolerance: number;
  /** Curvature pairs kept. 10 is the usual choice (Liu & Nocedal found 3–20 equally good). */
  readonly memory: number;
}

export type LbfgsStopReason = 'gradient_tolerance' | 'max_iterations' | 'no_progress';

export interface LbfgsResult {
  readonly iterations: number;
  /** Objective evaluations, line-search trials included. */
  readonly evaluations: number;
  readonly objective: number;
  readonly gradientMaxNorm: number;
  readonly stopReason: LbfgsStopReason;
}

const ARMIJO_C1 = 1e-4;
const CURVATURE_C2 = 0.9;
const MAX_SHRINKS = 40;

/**
 * Minimises `objective` starting from `w`, which is overwritten with the final point (IN/OUT).
 * Assumes finite input and a callback that returns finite values near w.
 */
export function minimizeLbfgs(objective: ObjectiveWithGradient, w: Float64Array, options: LbfgsOptions): LbfgsResult {
  const p = w.length;
  const m = options.memory;
  const sHistory = new Float64Array(m * p);
  const yHistory = new Float64Array(m * p);
  const rho = new Float64Array(m);
  const alpha = new Float64Array(m);
  let gradient = new Float64Array(p);
  let trialGradient = new Float64Array(p);
  const trial = new Float64Array(p);
  const direction = new Float64Array(p);

  let f = objective(w, gradient);
  let evaluations = 1;
  let stored = 0;
  let newest = -1;
  let iterations = 0;
  let gradientNorm = maxAbs(gradient);
  let stopReason: LbfgsStopReason = 'max_iterations';

  while (true) {
    if (gradientNorm <= options.gradientTolerance) {
      stopReason = 'gradient_tolerance';
      break;
    }
    if (iterations >= options.maxIterations) break;
    iterations++;

    twoLoopDirection(gradient, sHistory, yHistory, rho, alpha, stored, newest, m, direction);
    let slope = dot(gradient, direction);
    if (!(slope < 0)) {
      // Rounding made H g point uphill: restart from steepest descent.
      stored = 0;
      newest = -1;
      for (let j = 0; j < p; j++) direction[j] = -gradient[j]!;
      slope = -dot(gradient, gradient);
    }
    let step = stored === 0 ? Math.min(1, 1 / gradientNorm) : 1;

    let accepted = false;
    let trialF = f;
    for (let shrink = 0; shrink <= MAX_SHRINKS; shrink++) {
      for (let j = 0; j < p; j++) trial[j] = w[j]! + step * direction[j]!;
      trialF = objective(trial, trialGradient);
      evaluations++;
      if (trialF <= f + ARMIJO_C1 * step * slope) {
        accepted = true;
        break;
      }
      const roundingSlack = 4 * Number.EPSILON * Math.abs(f);
      if (trialF <= f + roundingSlack && Math.abs(dot(trialGradient, direction)) <= CURVATURE_C2 * Math.abs(slope)) {
        accepted = true;
        break;
      }
      // Minimiser of the quadratic through f, the slope and trialF, kept within [0.1, 0.5] of the step.
      const denominator = 2 * (trialF - f - slope * step);
      const interpolated = denominator > 0 ? (-slope * step * step) / denominator : 0.5 * step;
      step = Math.min(0.5 * step, Math.max(0.1 * step, interpolated));
    }
    if (!accepted) {
      stopReason = 'no_progress';
      break;
    }

    // Curvature pair s = w_new − w, y = g_new − g, stored in the ring-buffer slot after the newest only
    // when sᵀy is safely positive (so a rejected pair never overwrites the oldest kept one).
    let sy = 0;
    let ss = 0;
    let yy = 0;
    for (let j = 0; j < p; j++) {
      const s = trial[j]! - w[j]!;
      const y = trialGradient[j]! - gradient[j]!;
      sy += s * y;
      ss += s * s;
      yy += y * y;
    }
    if (sy > 1e-12 * Math.sqrt(ss * yy)) {
      const slot = (newest + 1) % m;
      const offset = slot * p;
      for (let j = 0; j < p; j++) {
        sHistory[offset + j] = trial[j]! - w[j]!;
        yHistory[offset + j] = trialGradient[j]! - gradient[j]!;
      }
      rho[slot] = 1 / sy;
      newest = slot;
      stored = Math.min(stored + 1, m);
    }

    w.set(trial);
    f = trialF;
    const swap = gradient;
    gradient = trialGradient;
    trialGradient = swap;
    gradientNorm = maxAbs(gradient);
  }

  return { iterations, evaluations, objective: f, gradientMaxNorm: gradientNorm, stopReason };
}

/** d = −H g by the two-loop recursion over `stored` pairs ending at slot `newest` (OUT: direction). */
function twoLoopDirection(
  gradient: Float64Array,
  sHistory: Float64Array,
  yHistory: Float64Array,
  rho: Float64Array,
  alpha: Float64Array,
  stored: number,
  newest: number,
  m: number,
  direction: Float64Array,
): void {
  const p = gradient.length;
  for (let j = 0; j < p; j++) direction[j] = -gradient[j]!;
  if (stored === 0) return;
  for (let back = 0; back < stored; back++) {
    const slot = (newest - back + m) % m;
    const offset = slot * p;
    let sq = 0;
    for (let j = 0; j < p; j++) sq += sHistory[offset + j]! * direction[j]!;
    const a = rho[slot]! * sq;
    alpha[slot] = a;
    for (let j = 0; j < p; j++) direction[j]! -= a * yHistory[offset + j]!;
  }
  // Initial inverse Hessian γ I with γ = sᵀy / yᵀy of the newest pair (Nocedal & Wright eq. 7.20).
  const newestOffset = newest * p;
  let yy = 0;
  for (let j = 0; j < p; j++) yy += yHistory[newestOffset + j]! * yHistory[newestOffset + j]!;
  const gamma = 1 / (rho[newest]! * yy);
  for (let j = 0; j < p; j++) direction[j]! *= gamma;
  for (let back = stored - 1; back >= 0; back--) {
    const slot = (newest - back + m) % m;
    const offset = slot * p;
    let yr = 0;
    for (let j = 0; j < p; j++) yr += yHistory[offset + j]! * direction[j]!;
    const b = rho[slot]! * yr;
    const correction = alpha[slot]! - b;
    for (let j = 0; j < p; j++) direction[j]! += correction * sHistory[offset + j]!;
  }
}

function dot(a: Float64Array, b: Float64Array): number {
  let sum = 0;
  for (let j = 0; j < a.length; j++) sum += a[j]! * b[j]!;
  return sum;
}

function maxAbs(a: Float64Array): number {
  let largest = 0;
  for (let j = 0; j < a.length; j++) {
    const value = Math.abs(a[j]!);
    if (value > largest) largest = value;
  }
  return largest;
}
