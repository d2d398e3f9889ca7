/**
 * k-prototypes and k-modes estimators: validate at the door, initialise (Huang, Cao, random or given
 * prototypes), run the online update of the `kmodes` package 0.12.2 nInit times and keep the run with
 * the lowest cost (`KPrototypes.fit` / `KModes.fit`).
 *
 * Minimises Σᵢ d(xᵢ, prototype of xᵢ) with d = squared Euclidean distance on the numeric columns +
 * γ × the number of mismatching categorical columns (Huang 1997, "Clustering large data sets with mixed
 * numeric and categorical values"); k-modes is the case without numeric columns (Huang 1998,
 * "Extensions to the k-means algorithm for clustering large data sets with categorical values").
 * Local minimum only, hence the restarts.
 * Complexity: O(nInit · (init + iterations · n · k · (p + q))); memory O(n + k · (p + Σ m_j)) besides x.
 *
 * Follows kmodes 0.12.2 (`kmodes/kprototypes.py`, `kmodes/kmodes.py`), so that from the same initial
 * prototypes labels, prototypes, cost, iterations and epoch costs are kmodes' exactly:
 * - γ defaults to 0.5 × the mean population standard deviation of the numeric columns;
 * - if the data hold at most k distinct rows, those rows become the prototypes and no pass runs (kmodes
 *   returns that many clusters; so do we, in first-occurrence order where kmodes' order is a set's);
 * - k-prototypes: a named init draws the modes (Huang, Cao or random rows) and numeric centres
 *   mean + N(0, 1) × std per column; if the initial assignment leaves a cluster empty the init is
 *   retried, switching to random rows after 20 tries (given prototypes go straight to random rows,
 *   since kmodes' 19 identical retries cannot succeed);
 * - k-modes: a cluster the initial assignment leaves empty gets, per column, the code of a uniformly
 *   drawn row; the deterministic Cao init and given modes run once whatever nInit says (kmodes sets
 *   n_init = 1); k-prototypes keeps nInit with Cao, since its numeric centres are random;
 * - every run draws from its own generator seeded from the master seed, as kmodes seeds each run from
 *   `random_state.randint(2**31 − 1)`; the first run with the strictly lowest cost wins.
 *
 * Deviations: randomness comes from the engine's xoshiro generator, not numpy's Mersenne Twister, so a
 * seed does not give kmodes' draws (the structure of the draws is the same; see init.ts). Where kmodes
 * raises after 100 failed initialisations, we start from k distinct rows and warn. After an empty
 * cluster is refilled the numeric prototypes follow at once (online.ts). kmodes also returns no labels
 * when no pass runs; we return the labels of the initial prototypes.
 */
import { EngineInputError } from '../errors.ts';
import type { DenseMatrix } from '../matrix.ts';
import { createRandom } from '../random.ts';
import { assertClusterCount, assertIntegerOption, assertValidMatrix } from '../validate.ts';
import type { RandomSource } from './init.ts';
import { drawNumericPrototypes, initCaoModes, initHuangModes, initRandomModes } from './init.ts';
import type { CategoricalMatrix, MixedMatrix } from './mixed.ts';
import { assertValidCategorical, assertValidModes, columnMeansAndStds, defaultGamma } from './mixed.ts';
import type { OnlineData, OnlineRunResult, OnlineWorkspace } from './online.ts';
import { assignInitial, createOnlineData, createOnlineWorkspace, labelAndMeasure, runOnline, updatePrototypes } from './online.ts';

/** Named initialisations: Huang (1998), Cao et al. (2009), or k random rows. */
export type KPrototypesInit = 'huang' | 'cao' | 'random';

/** Starting prototypes: numeric centres k × p and modes k × q (codes in [0, m_j)). */
export interface InitialPrototypes {
  readonly numeric: DenseMatrix;
  readonly modes: Int32Array;
}

/** Options of fitKPrototypes. Only `k` is required. */
export interface KPrototypesOptions {
  /** Number of clusters, 1 ≤ k ≤ n. */
  readonly k: number;
  /** Initialisation method when initialPrototypes is absent. Default 'cao' (kmodes' default). */
  readonly init?: KPrototypesInit;
  /** Starting prototypes; when given, no randomness is used for the start and a single run is made. */
  readonly initialPrototypes?: InitialPrototypes;
  /** Runs from independent initialisations; the lowest cost wins. Default 10 (kmodes); 1 with initialPrototypes. */
  readonly nInit?: number;
  /** Passes per run. Default 100. */
  readonly maxIterations?: number;
  /** Weight of one categorical mismatch, finite and ≥ 0. Default 0.5 × mean population std of the numeric columns. */
  readonly gamma?: number;
  /** Master seed of all draws (unsigned 32-bit integer). Default 0. */
  readonly seed?: number;
}

/** Options of fitKModes. Only `k` is required. */
export interface KModesOptions {
  /** Number of clusters, 1 ≤ k ≤ n. */
  readonly k: number;
  /** Initialisation method when initialModes is absent. Default 'cao' (kmodes' default). */
  readonly init?: KPrototypesInit;
  /** Starting modes, k × q codes; when given, a single run is made. */
  readonly initialModes?: Int32Array;
  /** Runs from independent initialisations; the lowest cost wins. Default 10; 1 with 'cao' or initialModes. */
  readonly nInit?: number;
  /** Passes per run. Default 100. */
  readonly maxIterations?: number;
  /** Master seed of all draws (unsigned 32-bit integer). Default 0. */
  readonly seed?: number;
}

/** Outcome of fitKPrototypes / fitKModes: the best of the runs. Also a model for assignKPrototypes. */
export interface KPrototypesResult {
  /** Cluster of each row (n entries in [0, k)), from the last labelling pass. */
  readonly labels: Int32Array;
  /** Numeric prototypes, k × p (standardised units of the input); k × 0 for k-modes. */
  readonly numericCentroids: DenseMatrix;
  /** Categorical prototypes (modes), k × q codes row-major. */
  readonly modes: Int32Array;
  /** Σ distances of the rows to their labelled prototypes after the last pass. */
  readonly cost: number;
  /** Weight of one mismatch used (1 for k-modes: the cost counts mismatches). */
  readonly gamma: number;
  /** Passes of the returned run (kmodes' n_iter_). */
  readonly iterations: number;
  /** Cost after the initial assignment, then after each pass (iterations + 1 entries). */
  readonly epochCosts: Float64Array;
  /** Rows moved in each pass (iterations entries). */
  readonly epochMoves: Int32Array;
  /** True when the last pass moved no row or did not lower the cost; false when maxIterations ended the run. */
  readonly converged: boolean;
  /** Rows per cluster, k entries. */
  readonly clusterSizes: Int32Array;
  /** Degraded-result notes for the caller to report (the engine never logs). */
  readonly warnings: string[];
}

/** kmodes' MAX_INIT_TRIES: initialisations tried before switching to random rows. */
const MAX_INIT_TRIES = 20;
/** kmodes' RAISE_INIT_TRIES: after this many, kmodes raises; we start from distinct rows instead. */
const RAISE_INIT_TRIES = 100;
/** Per-run seeds are drawn below 2^31 − 1, as kmodes' `randint(np.iinfo(np.int32).max)`. */
const RUN_SEED_BOUND = 2147483647;

const DEFAULTS = { init: 'cao', nInit: 10, maxIterations: 100, seed: 0 } as const;

/**
 * Fits k-prototypes to mixed data (k-modes when the numeric part has no columns).
 *
 * @param x - numeric part n × p (finite, standardised by the caller) and categorical part n × q (codes in
 *   [0, m_j), missing values imputed by the caller); p = 0 runs k-modes (γ defaults to 1 then), q = 0
 *   runs online k-means. Not modified.
 * @param options - see KPrototypesOptions; defaults: init 'cao', nInit 10, maxIterations 100, seed 0,
 *   gamma 0.5 × mean numeric std.
 * @returns labels (n), numeric centroids (k × p), modes (k × q), cost, gamma, iterations, epoch costs and
 *   moves, convergence flag, cluster sizes and warnings.
 * @throws EngineInputError `too_few_rows` (k > n or no rows), `invalid_k`, `no_columns` (p = q = 0),
 *   `shape_mismatch` (parts with different rows, storage lengths, initial prototypes not k × p / k × q),
 *   `non_finite_value`, `invalid_category` (a code outside [0, m_j)), `invalid_option`.
 *
 * Complexity: O(nInit · iterations · n · k · (p + q)); allocates O(n + k · (p + Σ m_j)) once.
 */
export function fitKPrototypes(x: MixedMatrix, options: KPrototypesOptions): KPrototypesResult {
  const { numeric, categorical } = x;
  if (numeric.cols === 0 && numeric.data.length === 0 && Number.isInteger(numeric.rows)) {
    if (numeric.rows !== categorical.rows) {
      throw new EngineInputError('shape_mismatch', `numeric part has ${numeric.rows} rows, categorical part ${categorical.rows}`);
    }
    const { k, init, nInit, maxIterations, seed, initialPrototypes } = options;
    const modesOptions: KModesOptions = { k, init, nInit, maxIterations, seed, initialModes: initialPrototypes?.modes };
    return fitModes(categorical, modesOptions, options.gamma ?? 1);
  }
  assertValidMatrix(numeric, 'x.numeric');
  assertValidCategorical(categorical, 'x.categorical');
  if (categorical.rows !== numeric.rows) {
    throw new EngineInputError('shape_mismatch', `numeric part has ${numeric.rows} rows, categorical part ${categorical.rows}`);
  }
  const { k, initialPrototypes } = options;
  assertClusterCount(k, numeric.rows);
  const settings = readCommonOptions(options);
  const gamma = options.gamma ?? defaultGamma(numeric);
  if (!Number.isFinite(gamma) || gamma < 0) {
    throw new EngineInputError('invalid_option', `gamma = ${gamma} must be a finite number ≥ 0`);
  }
  if (initialPrototypes !== undefined) {
    const start = initialPrototypes.numeric;
    if (start.rows !== k || start.cols !== numeric.cols) {
      throw new EngineInputError(
        'shape_mismatch',
        `initialPrototypes.numeric is ${start.rows} × ${start.cols}, expected k × p = ${k} × ${numeric.cols}`,
      );
    }
    assertValidMatrix(start, 'initialPrototypes.numeric');
    assertValidModes(initialPrototypes.modes, k, categorical.cardinalities, 'initialPrototypes.modes');
  }

  const data = createOnlineData(numeric.data, categorical.codes, numeric.rows, numeric.cols, categorical.cols, categorical.cardinalities);
  const warnings: string[] = [];
  const runs = initialPrototypes === undefined ? settings.nInit : 1;
  if (initialPrototypes !== undefined && options.nInit !== undefined && options.nInit > 1) {
    warnings.push(`initialPrototypes given: ran 1 initialisation instead of nInit = ${options.nInit}`);
  }
  if (gamma === 0 && categorical.cols > 0) {
    warnings.push('gamma = 0: the categorical columns do not influence the clustering');
  }
  const plan: RunPlan = {
    k,
    method: initialPrototypes === undefined ? settings.init : 'given',
    initialNumeric: initialPrototypes?.numeric.data,
    initialModes: initialPrototypes?.modes,
    gamma,
    maxIterations: settings.maxIterations,
    isKModes: false,
  };
  return fitRuns(data, plan, runs, settings.seed, warnings);
}

/**
 * Fits k-modes (simple matching dissimilarity, online update) to categorical data.
 *
 * @param x - n × q codes in [0, m_j), missing values imputed by the caller. Not modified.
 * @param options - see KModesOptions; defaults: init 'cao', nInit 10 (1 with 'cao' or initialModes),
 *   maxIterations 100, seed 0.
 * @returns a KPrototypesResult with numericCentroids k × 0 and gamma 1 (the cost counts mismatches), so
 *   the same assignKPrototypes serves it.
 * @throws EngineInputError `too_few_rows`, `invalid_k`, `no_columns` (q = 0), `shape_mismatch`,
 *   `invalid_category`, `invalid_option`.
 *
 * Complexity: O(nInit · iterations · n · k · q).
 */
export function fitKModes(x: CategoricalMatrix, options: KModesOptions): KPrototypesResult {
  return fitModes(x, options, 1);
}

function fitModes(x: CategoricalMatrix, options: KModesOptions, gamma: number): KPrototypesResult {
  assertValidCategorical(x, 'x');
  if (x.rows < 1) throw new EngineInputError('too_few_rows', 'x has no rows');
  if (x.cols < 1) throw new EngineInputError('no_columns', 'x has no columns');
  const { k, initialModes } = options;
  assertClusterCount(k, x.rows);
  const settings = readCommonOptions(options);
  if (!Number.isFinite(gamma) || gamma <= 0) {
    throw new EngineInputError('invalid_option', `gamma = ${gamma} must be a finite number > 0 without numeric columns`);
  }
  if (initialModes !== undefined) assertValidModes(initialModes, k, x.cardinalities, 'initialModes');

  const data = createOnlineData(new Float64Array(0), x.codes, x.rows, 0, x.cols, x.cardinalities);
  const warnings: string[] = [];
  const isDeterministic = initialModes !== undefined || settings.init === 'cao';
  if (isDeterministic && options.nInit !== undefined && options.nInit > 1) {
    const reason = initialModes !== undefined ? 'initialModes given' : "init 'cao' is deterministic";
    warnings.push(`${reason}: ran 1 initialisation instead of nInit = ${options.nInit}`);
  }
  const plan: RunPlan = {
    k,
    method: initialModes === undefined ? settings.init : 'given',
    initialNumeric: undefined,
    initialModes,
    gamma,
    maxIterations: settings.maxIterations,
    isKModes: true,
  };
  return fitRuns(data, plan, isDeterministic ? 1 : settings.nInit, settings.seed, warnings);
}

interface CommonSettings {
  readonly init: KPrototypesInit;
  readonly nInit: number;
  readonly maxIterations: number;
  readonly seed: number;
}

function readCommonOptions(options: KModesOptions | KPrototypesOptions): CommonSettings {
  const init = options.init ?? DEFAULTS.init;
  const nInit = options.nInit ?? DEFAULTS.nInit;
  const maxIterations = options.maxIterations ?? DEFAULTS.maxIterations;
  const seed = options.seed ?? DEFAULTS.seed;
  if (init !== 'huang' && init !== 'cao' && init !== 'random') {
    throw new EngineInputError('invalid_option', `init = ${String(init)} must be 'huang', 'cao' or 'random'`);
  }
  assertIntegerOption('nInit', nInit, 1);
  assertIntegerOption('maxIterations', maxIterations, 1);
  if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) {
    throw new EngineInputError('invalid_option', `seed = ${seed} must be an integer in [0, 2^32)`);
  }
  return { init, nInit, maxIterations, seed };
}

/** What one run does; shared by k-prototypes and k-modes. */
export interface RunPlan {
  readonly k: number;
  readonly method: KPrototypesInit | 'given';
  readonly initialNumeric: Float64Array | undefined;
  readonly initialModes: Int32Array | undefined;
  readonly gamma: number;
  readonly maxIterations: number;
  /** k-modes' init rules (no retries; random modes for clusters left empty) instead of k-prototypes'. */
  readonly isKModes: boolean;
}

function fitRuns(data: OnlineData, plan: RunPlan, runs: number, seed: number, warnings: string[]): KPrototypesResult {
  const { n, p, q } = data;
  const distinctRows = collectDistinctRows(data, plan.k + 1);
  if (distinctRows.length <= plan.k) return fitDistinctRows(data, plan, distinctRows, warnings);

  const { k } = plan;
  const ws = createOnlineWorkspace(data, k);
  const numericStats = createNumericStats(data);
  const master = createRandom(seed);
  const notes = new Set<string>();
  const bestLabels = new Int32Array(n);
  const bestCentroids = new Float64Array(k * p);
  const bestModes = new Int32Array(k * q);
  let best: OnlineRunResult | undefined;
  for (let run = 0; run < runs; run++) {
    const random = createRandom(master.nextInt(RUN_SEED_BOUND));
    const outcome = runOnce(data, ws, plan, random, numericStats, notes);
    if (best === undefined || outcome.cost < best.cost) {
      best = outcome;
      bestLabels.set(ws.labels);
      bestCentroids.set(ws.centroids);
      bestModes.set(ws.modes);
    }
  }
  warnings.push(...notes);
  return buildResult(best!, bestLabels, bestCentroids, bestModes, k, p, plan, warnings);
}

/** Column means and population stds of the numeric part, for the numeric centres of named inits. */
export interface NumericStats {
  readonly means: Float64Array;
  readonly stds: Float64Array;
}

export function createNumericStats(data: OnlineData): NumericStats {
  const means = new Float64Array(data.p);
  const stds = new Float64Array(data.p);
  if (data.p > 0) columnMeansAndStds(data.num, data.n, data.p, means, stds);
  return { means, stds };
}

/**
 * One run: initialisation with kmodes' rules for the plan, then the online passes. Results are left in
 * the workspace. `notes` collects warnings (a set, so restarts do not repeat them). Exported for the
 * tests, which drive it with numpy's random stream to reproduce kmodes' built-in inits.
 */
export function runOnce(
  data: OnlineData,
  ws: OnlineWorkspace,
  plan: RunPlan,
  random: RandomSource,
  numericStats: NumericStats,
  notes: Set<string>,
): OnlineRunResult {
  const { k, gamma } = plan;
  if (plan.isKModes) {
    setInitialPrototypes(data, ws, plan, plan.method, random, numericStats);
    assignInitial(data, ws, k, gamma);
    updatePrototypes(data, ws, k);
    const { counts, modes } = ws;
    const { cat, n, q } = data;
    for (let c = 0; c < k; c++) {
      if (counts[c] !== 0) continue;
      // kmodes: `centroids[ik, iattr] = random_state.choice(X[:, iattr])` for an empty cluster.
      for (let j = 0; j < q; j++) modes[c * q + j] = cat[random.nextInt(n) * q + j]!;
    }
  } else {
    let method = plan.method;
    for (let tries = 1; ; tries++) {
      setInitialPrototypes(data, ws, plan, method, random, numericStats);
      if (assignInitial(data, ws, k, gamma) === 0) break;
      // Given prototypes would fail identically until kmodes switches to random rows at try 20.
      if (method === 'given') tries = MAX_INIT_TRIES;
      if (tries === MAX_INIT_TRIES) {
        method = 'random';
        notes.add(`the initialisation left a cluster empty ${MAX_INIT_TRIES} times; switched to random rows (as kmodes)`);
      } else if (tries === RAISE_INIT_TRIES) {
        setDistinctRowPrototypes(data, ws, k, random);
        assignInitial(data, ws, k, gamma);
        notes.add(`no initialisation without empty clusters in ${RAISE_INIT_TRIES} tries; started from ${k} distinct rows`);
        break;
      }
    }
    updatePrototypes(data, ws, k);
  }
  return runOnline(data, ws, k, gamma, plan.maxIterations, random);
}

function setInitialPrototypes(
  data: OnlineData,
  ws: OnlineWorkspace,
  plan: RunPlan,
  method: KPrototypesInit | 'given',
  random: RandomSource,
  numericStats: NumericStats,
): void {
  const { cat, n, p, q, cardinalities } = data;
  const { k } = plan;
  switch (method) {
    case 'given':
      if (plan.initialNumeric !== undefined) ws.centroids.set(plan.initialNumeric);
      if (plan.initialModes !== undefined) ws.modes.set(plan.initialModes);
      return;
    case 'huang':
      if (q > 0) initHuangModes(cat, n, q, cardinalities, k, random, ws.modes);
      break;
    case 'cao':
      if (q > 0) initCaoModes(cat, n, q, cardinalities, k, ws.modes);
      break;
    case 'random':
      initRandomModes(cat, n, q, k, random, ws.modes);
      break;
    default:
      return assertNever(method);
  }
  if (p > 0) drawNumericPrototypes(numericStats.means, numericStats.stds, p, k, random, ws.centroids);
}

function assertNever(value: never): never {
  throw new Error(`unexpected value ${String(value)}`);
}

/**
 * Row indices of up to `limit` pairwise distinct rows (numeric and categorical parts equal), first
 * occurrences in row order. Stops as soon as `limit` are found, so it is cheap unless the data hold
 * fewer distinct rows. O(n · limit · (p + q)) at worst.
 */
function collectDistinctRows(data: OnlineData, limit: number): Int32Array {
  const { n } = data;
  const found = new Int32Array(limit);
  let count = 0;
  for (let i = 0; i < n && count < limit; i++) {
    let isNew = true;
    for (let t = 0; t < count && isNew; t++) if (rowsEqual(data, i, found[t]!)) isNew = false;
    if (isNew) found[count++] = i;
  }
  return found.slice(0, count);
}

function rowsEqual(data: OnlineData, a: number, b: number): boolean {
  const { num, cat, p, q } = data;
  for (let j = 0; j < p; j++) if (num[a * p + j] !== num[b * p + j]) return false;
  for (let j = 0; j < q; j++) if (cat[a * q + j] !== cat[b * q + j]) return false;
  return true;
}

/** Prototypes = k distinct rows, scanning cyclically from a random row (the fallback after RAISE_INIT_TRIES). */
function setDistinctRowPrototypes(data: OnlineData, ws: OnlineWorkspace, k: number, random: RandomSource): void {
  const { n, p, q, num, cat } = data;
  const chosen = new Int32Array(k);
  let count = 0;
  const start = random.nextInt(n);
  for (let step = 0; step < n && count < k; step++) {
    const i = (start + step) % n;
    let isNew = true;
    for (let t = 0; t < count && isNew; t++) if (rowsEqual(data, i, chosen[t]!)) isNew = false;
    if (isNew) chosen[count++] = i;
  }
  for (let c = 0; c < count; c++) {
    const row = chosen[c]!;
    ws.centroids.set(num.subarray(row * p, (row + 1) * p), c * p);
    ws.modes.set(cat.subarray(row * q, (row + 1) * q), c * q);
  }
}

/** kmodes' shortcut when the data hold at most k distinct rows: those rows are the prototypes, no pass runs. */
function fitDistinctRows(data: OnlineData, plan: RunPlan, rows: Int32Array, warnings: string[]): KPrototypesResult {
  const { p, q, num, cat } = data;
  const k = rows.length;
  const ws = createOnlineWorkspace(data, k);
  for (let c = 0; c < k; c++) {
    const row = rows[c]!;
    ws.centroids.set(num.subarray(row * p, (row + 1) * p), c * p);
    ws.modes.set(cat.subarray(row * q, (row + 1) * q), c * q);
  }
  assignInitial(data, ws, k, plan.gamma);
  updatePrototypes(data, ws, k);
  const cost = labelAndMeasure(data, ws, k, plan.gamma);
  warnings.push(`only ${k} distinct rows for k = ${plan.k}: returned ${k} clusters, one per distinct row, without iterating`);
  const outcome: OnlineRunResult = { cost, iterations: 0, epochCosts: [cost], epochMoves: [], hasConverged: true };
  return buildResult(outcome, ws.labels, ws.centroids, ws.modes, k, p, plan, warnings);
}

function buildResult(
  outcome: OnlineRunResult,
  labels: Int32Array,
  centroids: Float64Array,
  modes: Int32Array,
  k: number,
  p: number,
  plan: RunPlan,
  warnings: string[],
): KPrototypesResult {
  const clusterSizes = new Int32Array(k);
  for (let i = 0; i < labels.length; i++) clusterSizes[labels[i]!]!++;
  let distinctClusters = 0;
  for (let c = 0; c < k; c++) if (clusterSizes[c]! > 0) distinctClusters++;
  if (!outcome.hasConverged) {
    warnings.push(`stopped at maxIterations = ${plan.maxIterations} before convergence`);
  }
  if (distinctClusters < k) {
    warnings.push(`fewer distinct clusters than k: found ${distinctClusters} of k = ${k}`);
  }
  return {
    labels,
    numericCentroids: { data: centroids, rows: k, cols: p },
    modes,
    cost: outcome.cost,
    gamma: plan.gamma,
    iterations: outcome.iterations,
    epochCosts: Float64Array.from(outcome.epochCosts),
    epochMoves: Int32Array.from(outcome.epochMoves),
    converged: outcome.hasConverged,
    clusterSizes,
    warnings,
  };
}
