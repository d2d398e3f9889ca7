import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeMatrix, encodeMatrix, MatrixCodecError } from '../../src/db/codec.ts';

describe('matrix codec', () => {
  it('decodes what it encoded, bit for bit', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 6 }), fc.integer({ min: 0, max: 6 }), fc.array(fc.double(), { minLength: 36, maxLength: 36 }), (rows, cols, values) => {
        const data = Float64Array.from(values.slice(0, rows * cols));
        const decoded = decodeMatrix(encodeMatrix({ data, rows, cols }));
        expect(decoded.rows).toBe(rows);
        expect(decoded.cols).toBe(cols);
        expect(Buffer.from(decoded.data.buffer)).toEqual(Buffer.from(data.buffer));
      }),
    );
  });

  it('rejects a truncated blob with the expected and actual sizes', () => {
    const bytes = encodeMatrix({ data: new Float64Array(6), rows: 2, cols: 3 });
    expect(() => decodeMatrix(bytes.subarray(0, bytes.length - 8))).toThrow(/2 × 3 needs 60 bytes, got 52/);
  });

  it('rejects a blob with a foreign header', () => {
    expect(() => decodeMatrix(new Uint8Array(16))).toThrow(MatrixCodecError);
  });
});
