/**
 * The buffers of one k-means fit, cut into fixed row chunks so that the same kernels can run in one
 * thread or in several threads over shared memory with bit-identical results.
 *
 * Every pass over the rows is a *phase* (KMEANS_PHASES). A phase's kernel handles one chunk of
 * CHUNK_ROWS rows at a time, reads the workspace and writes only its own rows and its own chunk's
 * slot of `partials` / `seedPotentials`; the serial driver then reduces those slots in chunk order.
 * Chunks never depend on which thread ran them, so summation order, and hence every rounding, is
 * fixed by the data size alone (scikit-learn instead reduces per thread, so its results depend on the
 * thread count).
 *
 * Notation: n rows, d columns, k clusters; x is n × d row-major.
 *
 * The workspace is plain data (numbers and typed arrays): a caller that allocates it over
 * SharedArrayBuffers can post it to worker threads as is, and every thread sees the same memory.
 * Scalars that change between phases live in `control`, never in plain fields.
 */
/**
 * Rows per chunk, the unit of work and of partial sums. 4096 rows × 12 columns is 384 KiB of x, so a
 * chunk's rows stay in cache while a kernel makes its passes over them, and 1,000,000 rows make 245
 * chunks: few enough that reducing their partial sums costs far less than one pass over x, many enough
 * to balance the load over threads. Changing it changes the last bits of results for n > CHUNK_ROWS.
 */
export const CHUNK_ROWS = 4096;

/** The assignment step: plain Lloyd, or Hamerly's bounds (same labels, fewer distance computations). */
export type KMeansAlgorithm = 'lloyd' | 'hamerly';

/**
 * The passes over the rows, in wire order (a worker thread receives the index). Each maps to a chunk
 * kernel in phases.ts:
 * - `column-sums`, `column-squares`: column means of x, then the sum of squared deviations (for the
 *   relative tolerance);
 * - `seed-first`, `seed-candidates`: greedy k-means++ (init.ts);
 * - `lloyd`: assignment and cluster sums (lloyd.ts);
 * - `hamerly`: bounded assignment and changes to the cluster sums (hamerly.ts);
 * - `measure`: each row's squared distance to its assigned centre, and the inertia.
 */
export const KMEANS_PHASES = [
  'column-sums',
  'column-squares',
  'seed-first',
  'seed-candidates',
  'lloyd',
  'hamerly',
  'measure',
] as const;

export type KMeansPhase = (typeof KMEANS_PHASES)[number];

/** Indices into `KMeansWorkspace.control`: the scalar inputs of the next phase, set by the driver. */
export const CONTROL = {
  /** seed-candidates: 1 when closest must first be lowered to the previous pick (seedRows row 0). */
  hasPreviousPick: 0,
  /** lloyd: 1 to accumulate cluster sums and distances, 0 to label only (the final re-assignment). */
  accumulate: 1,
  /** hamerly: 1 on a run's first pass (no bounds yet: every row is scanned fully). */
  isFirstPass: 2,
  /** hamerly: 1 to compute every row's distance and the inertia (for onIteration). */
  isTracing: 3,
  /** hamerly: upper bound on max_c ‖c‖ of the current centres. */
  maxCenterNorm: 4,
  /** hamerly: largest centre move of the last update, the centre that made it, and the second largest. */
  maxMove: 5,
  maxMoveCenter: 6,
  secondMove: 7,
} as const;

const CONTROL_LENGTH = 8;

/**
 * Everything a phase kernel reads or writes. Centres are stored centred (minus `shift`); see lloyd.ts.
 * Layout of one chunk's slot in `partials` (stride ≥ 2k·d + k + 2): cluster sums as double-double
 * numbers (k × d high parts, k × d low parts), cluster weights (k), inertia, changed labels. The
 * column phases reuse the first d values (column sums) or the first value (sum of squared deviations).
 */
export interface KMeansWorkspace {
  readonly n: number;
  readonly d: number;
  readonly k: number;
  readonly algorithm: KMeansAlgorithm;
  /** Candidates per k-means++ step, 2 + ⌊ln k⌋. */
  readonly trials: number;
  readonly chunkCount: number;
  readonly partialStride: number;
  /** x, n × d row-major; not owned, never written. */
  readonly data: Float64Array;
  /** d: column means of x. */
  readonly shift: Float64Array;
  /** k × d: the centres the next assignment uses, minus shift. */
  readonly centers: Float64Array;
  /** k: ‖c‖² of `centers`. */
  readonly centerNorms: Float64Array;
  /** n: labels (−1 before a run's first assignment). */
  readonly labels: Int32Array;
  /** n: squared distance of each row to its assigned centre, when the last phase computed it. */
  readonly distances: Float64Array;
  /** chunkCount × partialStride: per-chunk partial results, see above. */
  readonly partials: Float64Array;
  /** n: k-means++ D(x)², the squared distance to the nearest centre picked so far. */
  readonly closest: Float64Array;
  /** (1 + trials) × d: k-means++ previous pick (row 0) and candidates (rows 1…trials), in the units of x. */
  readonly seedRows: Float64Array;
  /** chunkCount × trials: per-chunk candidate potentials Σ min(D(x)², ‖x − candidate‖²). */
  readonly seedPotentials: Float64Array;
  /** n (hamerly, else empty): upper bound on the distance to the assigned centre. */
  readonly upper: Float64Array;
  /** n (hamerly, else empty): the second-nearest centre at the row's last scan. */
  readonly seconds: Int32Array;
  /** n (hamerly, else empty): lower bound on the distance to that second centre. */
  readonly lowerSecond: Float64Array;
  /** n (hamerly, else empty): lower bound on the distance to every centre but the assigned and second one. */
  readonly lower: Float64Array;
  /** n (hamerly, else empty): upper bound on ‖x − shift‖, for the rounding margin. */
  readonly rowNorms: Float64Array;
  /** k: upper bound on how far each centre moved in the last update. */
  readonly centerMoves: Float64Array;
  /** k: lower bound on half the distance from each centre to its nearest other centre. */
  readonly centerHalfGaps: Float64Array;
  /** CONTROL_LENGTH scalars, see CONTROL. */
  readonly control: Float64Array;
}

/** Which parts of the workspace to allocate. */
export interface KMeansWorkspaceNeeds {
  readonly algorithm: KMeansAlgorithm;
  /** k-means++ buffers (closest, candidates). */
  readonly seeding: boolean;
  /** Iteration buffers (labels, distances, bounds). */
  readonly iterations: boolean;
}

/** Allocates the storage of one typed array; SharedArrayBuffer for threads, ArrayBuffer otherwise. */
export type BufferAllocator = (byteLength: number) => ArrayBufferLike;

const allocateLocal: BufferAllocator = (byteLength) => new ArrayBuffer(byteLength);

/** Number of candidates per greedy k-means++ step: 2 + ⌊ln k⌋, as in Arthur & Vassilvitskii and scikit-learn. */
export function localTrialCount(k: number): number {
  return 2 + Math.floor(Math.log(k));
}

/** Number of CHUNK_ROWS chunks covering n rows. */
export function kmeansChunkCount(n: number): number {
  return Math.ceil(n / CHUNK_ROWS);
}

/**
 * Allocates a workspace for x (n × d) and k clusters. Assumes validated sizes. `data` is x's own
 * storage: to share the workspace with threads, x must already live in a SharedArrayBuffer.
 */
export function createKMeansWorkspace(
  data: Float64Array,
  n: number,
  d: number,
  k: number,
  needs: KMeansWorkspaceNeeds,
  allocate: BufferAllocator = allocateLocal,
): KMeansWorkspace {
  const float64 = (length: number): Float64Array => new Float64Array(allocate(length * 8), 0, length);
  const int32 = (length: number): Int32Array => new Int32Array(allocate(length * 4), 0, length);
  const trials = localTrialCount(k);
  const chunkCount = kmeansChunkCount(n);
  // Rounded up to 16 doubles (two cache lines) so chunks' slots never share a line.
  const partialStride = Math.ceil(Math.max(2 * k * d + k + 2, d) / 16) * 16;
  const rowsIf = (isNeeded: boolean): number => (isNeeded ? n : 0);
  const isHamerly = needs.iterations && needs.algorithm === 'hamerly';
  return {
    n,
    d,
    k,
    algorithm: needs.algorithm,
    trials,
    chunkCount,
    partialStride,
    data,
    shift: float64(d),
    centers: float64(k * d),
    centerNorms: float64(k),
    labels: int32(rowsIf(needs.iterations)),
    distances: float64(rowsIf(needs.iterations)),
    partials: float64(chunkCount * partialStride),
    closest: float64(rowsIf(needs.seeding)),
    seedRows: float64((1 + trials) * d),
    seedPotentials: float64(chunkCount * trials),
    upper: float64(rowsIf(isHamerly)),
    seconds: int32(rowsIf(isHamerly)),
    lowerSecond: float64(rowsIf(isHamerly)),
    lower: float64(rowsIf(isHamerly)),
    rowNorms: float64(rowsIf(isHamerly)),
    centerMoves: float64(k),
    centerHalfGaps: float64(k),
    control: float64(CONTROL_LENGTH),
  };
}

/** Rows of chunk `chunk`: [start, end). */
export function chunkStart(chunk: number): number {
  return chunk * CHUNK_ROWS;
}

export function chunkEnd(workspace: KMeansWorkspace, chunk: number): number {
  return Math.min(workspace.n, (chunk + 1) * CHUNK_ROWS);
}

/**
 * Per-thread scratch for the kernels: each thread owns one, so kernels running at the same time never
 * share a buffer. Allocated once per thread and fit, never inside a kernel.
 */
export interface KMeansScratch {
  /** 2d: the current pair of rows minus shift. */
  readonly row: Float64Array;
  /** 2 (1 + trials): two rows' distances to the k-means++ previous pick and candidates. */
  readonly seedDistances: Float64Array;
  /** trials: a chunk's candidate potentials while they are being summed. */
  readonly seedSums: Float64Array;
  /** CHUNK_ROWS: rows of a chunk waiting for a full scan (Hamerly). */
  readonly rows: Int32Array;
  /** 2k: Lloyd's scores of the two rows being scanned (Hamerly). */
  readonly scores: Float64Array;
  /** 2k·d + k: the current chunk's double-double cluster sums (or sum changes) and weights, before they go to `partials`. */
  readonly changes: Float64Array;
  /** 3: the current chunk's inertia, changed labels, and a sink for prefetching loads (Hamerly). */
  readonly tallies: Float64Array;
}

export function createKMeansScratch(workspace: KMeansWorkspace): KMeansScratch {
  return {
    row: new Float64Array(2 * workspace.d),
    seedDistances: new Float64Array(2 * (1 + workspace.trials)),
    seedSums: new Float64Array(workspace.trials),
    rows: new Int32Array(CHUNK_ROWS),
    scores: new Float64Array(2 * workspace.k),
    changes: new Float64Array(2 * workspace.k * workspace.d + workspace.k),
    tallies: new Float64Array(3),
  };
}
