/**
 * Binary encoding of dense Float64 matrices for bytea columns (model centroids).
 *
 * Layout (little-endian): 4-byte magic "PSM1" (persona-service matrix, version 1), uint32 rows,
 * uint32 cols, then rows × cols float64 values row-major. The header lets a reader reject a
 * truncated or foreign blob instead of silently reinterpreting it.
 */

/** A dense row-major Float64 matrix (the shape of the engine's DenseMatrix). */
export interface Float64Matrix {
  data: Float64Array;
  rows: number;
  cols: number;
}

const MAGIC = 0x314d5350; // "PSM1" read as little-endian uint32
const HEADER_BYTES = 12;

export class MatrixCodecError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MatrixCodecError';
  }
}

export function encodeMatrix(matrix: Float64Matrix): Uint8Array<ArrayBuffer> {
  const bytes = new Uint8Array(HEADER_BYTES + matrix.data.length * 8);
  const view = new DataView(bytes.buffer);
  view.setUint32(0, MAGIC, true);
  view.setUint32(4, matrix.rows, true);
  view.setUint32(8, matrix.cols, true);
  for (let i = 0; i < matrix.data.length; i++) view.setFloat64(HEADER_BYTES + i * 8, matrix.data[i]!, true);
  return bytes;
}

export function decodeMatrix(bytes: Uint8Array): Float64Matrix {
  if (bytes.byteLength < HEADER_BYTES) throw new MatrixCodecError(`matrix blob has ${bytes.byteLength} bytes, shorter than its header`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (view.getUint32(0, true) !== MAGIC) throw new MatrixCodecError('matrix blob has an unknown header');
  const rows = view.getUint32(4, true);
  const cols = view.getUint32(8, true);
  const expected = HEADER_BYTES + rows * cols * 8;
  if (bytes.byteLength !== expected) {
    throw new MatrixCodecError(`matrix blob of ${rows} × ${cols} needs ${expected} bytes, got ${bytes.byteLength}`);
  }
  const data = new Float64Array(rows * cols);
  for (let i = 0; i < data.length; i++) data[i] = view.getFloat64(HEADER_BYTES + i * 8, true);
  return { data, rows, cols };
}
