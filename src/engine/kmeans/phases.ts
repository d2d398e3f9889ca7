/**
 * Dispatch of the k-means phases (workspace.ts) to their chunk kernels, and the in-thread runner.
 *
 * A phase runs over chunks [firstChunk, endChunk) of one workspace; a thread pool (src/compute) calls
 * runKMeansPhase on disjoint chunk ranges from several threads, and the in-thread runner calls it once
 * over all chunks. Each kernel writes only its own rows and its chunk's slot of the partial results,
 * so both give the same bits.
 */
import { seedCandidatesChunk, seedFirstChunk } from './init.ts';
import { hamerlyChunk } from './hamerly.ts';
import { lloydChunk, measureChunk } from './lloyd.ts';
import { chunkEnd, chunkStart, createKMeansScratch } from './workspace.ts';
import type { KMeansPhase, KMeansScratch, KMeansWorkspace } from './workspace.ts';

/**
 * Runs `phase` on chunks [firstChunk, endChunk) of the workspace. `scratch` belongs to the calling
 * thread (createKMeansScratch). Assumes a workspace prepared by the phase's driver.
 */
export function runKMeansPhase(
  workspace: KMeansWorkspace,
  phase: KMeansPhase,
  firstChunk: number,
  endChunk: number,
  scratch: KMeansScratch,
): void {
  for (let chunk = firstChunk; chunk < endChunk; chunk++) {
    switch (phase) {
      case 'column-sums':
        columnSumsChunk(workspace, chunk, scratch);
        break;
      case 'column-squares':
        columnSquaresChunk(workspace, chunk);
        break;
      case 'seed-first':
        seedFirstChunk(workspace, chunk);
        break;
      case 'seed-candidates':
        seedCandidatesChunk(workspace, chunk, scratch);
        break;
      case 'lloyd':
        lloydChunk(workspace, chunk, scratch);
        break;
      case 'hamerly':
        hamerlyChunk(workspace, chunk, scratch);
        break;
      case 'measure':
        measureChunk(workspace, chunk);
        break;
      default:
        assertNever(phase);
    }
  }
}

/**
 * Drives `steps` in the calling thread: each yielded phase runs over every chunk before the driver
 * resumes. Returns the driver's result.
 */
export function runStepsInThread<T>(workspace: KMeansWorkspace, steps: Generator<KMeansPhase, T, void>): T {
  const scratch = createKMeansScratch(workspace);
  for (;;) {
    const step = steps.next();
    if (step.done === true) return step.value;
    runKMeansPhase(workspace, step.value, 0, workspace.chunkCount, scratch);
  }
}

/** Phase `column-sums`: OUT the chunk's column sums of x in the first d values of its partial slot. */
function columnSumsChunk(workspace: KMeansWorkspace, chunk: number, scratch: KMeansScratch): void {
  const { data, d, partials, partialStride } = workspace;
  const sums = scratch.changes;
  sums.fill(0);
  sumColumns(data, d, chunkStart(chunk), chunkEnd(workspace, chunk), sums);
  // Summed in scratch and stored once (see lloydChunk); the loop lives in its own function (see
  // measureFirstPick in init.ts).
  partials.set(sums.subarray(0, d), chunk * partialStride);
}

function sumColumns(data: Float64Array, d: number, start: number, end: number, outSums: Float64Array): void {
  for (let i = start, offset = start * d; i < end; i++, offset += d) {
    for (let j = 0; j < d; j++) outSums[j]! += data[offset + j]!;
  }
}

/** Phase `column-squares`: OUT Σ over the chunk's rows and columns of (x − shift)², first value of its slot. */
function columnSquaresChunk(workspace: KMeansWorkspace, chunk: number): void {
  const { data, d, shift, partials, partialStride } = workspace;
  // The loop lives in its own function and the store here (see measureFirstPick in init.ts).
  partials[chunk * partialStride] = sumSquaredDeviations(data, d, shift, chunkStart(chunk), chunkEnd(workspace, chunk));
}

function sumSquaredDeviations(data: Float64Array, d: number, shift: Float64Array, start: number, end: number): number {
  let sumSquares = 0;
  for (let i = start, offset = start * d; i < end; i++, offset += d) {
    for (let j = 0; j < d; j++) {
      const diff = data[offset + j]! - shift[j]!;
      sumSquares += diff * diff;
    }
  }
  return sumSquares;
}

function assertNever(value: never): never {
  throw new Error(`unknown k-means phase ${String(value)}`);
}
