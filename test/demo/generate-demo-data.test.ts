import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { generateInsuranceBook, insuranceBookToCsv } from '../../src/demo/insurance-book.ts';

const script = fileURLToPath(new URL('../../scripts/generate-demo-data.ts', import.meta.url));
const outDir = mkdtempSync(join(tmpdir(), 'demo-data-'));

function runScript(args: string[]) {
  return spawnSync(process.execPath, [script, ...args], { encoding: 'utf8' });
}

describe('scripts/generate-demo-data.ts', () => {
  afterAll(() => rmSync(outDir, { recursive: true, force: true }));

  it('writes the customers, products and interactions CSV of the requested book to the output directory', () => {
    const result = runScript(['--customers', '120', '--seed', '9', '--out', outDir]);
    expect(result.status, result.stderr).toBe(0);
    const expected = insuranceBookToCsv(generateInsuranceBook({ customers: 120, seed: 9 }));
    for (const table of ['customers', 'products', 'interactions'] as const) {
      expect(readFileSync(join(outDir, `${table}.csv`), 'utf8')).toBe(expected[table]);
    }
  });

  it('rejects a customer count that is not a positive integer with usage help', () => {
    const result = runScript(['--customers', 'many', '--out', outDir]);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('--customers must be an integer');
    expect(result.stderr).toContain('usage:');
  });
});
