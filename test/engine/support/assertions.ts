// Assertion helpers for engine tests: exact distances, bit-level and relative comparisons, error checks.
import { expect } from 'vitest';
import type { DenseMatrix } from '../../../src/engine/index.ts';
import { EngineInputError } from '../../../src/engine/index.ts';

/** Exact squared Euclidean distance between row i of x and row c of centers. */
export function squaredDistance(x: DenseMatrix, i: number, centers: DenseMatrix, c: number): number {
  let sum = 0;
  for (let j = 0; j < x.cols; j++) {
    const diff = x.data[i * x.cols + j]! - centers.data[c * centers.cols + j]!;
    sum += diff * diff;
  }
  return sum;
}

/** True when the two arrays hold the same bytes (bit-for-bit equality, distinguishing −0 and NaN payloads). */
export function isBitIdentical(a: Float64Array | Int32Array, b: Float64Array | Int32Array): boolean {
  if (a.byteLength !== b.byteLength) return false;
  const bytesA = new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
  const bytesB = new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
  return bytesA.every((byte, i) => byte === bytesB[i]);
}

/** |actual − expected| ≤ rel · |expected|. */
export function isRelativelyClose(actual: number, expected: number, rel: number): boolean {
  return Math.abs(actual - expected) <= rel * Math.abs(expected);
}

/** Asserts that `run` throws an EngineInputError with this code and a message matching `message`. */
export function expectEngineError(run: () => unknown, code: string, message: RegExp): void {
  let caught: unknown;
  try {
    run();
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(EngineInputError);
  expect((caught as EngineInputError).code).toBe(code);
  expect((caught as EngineInputError).message).toMatch(message);
}
