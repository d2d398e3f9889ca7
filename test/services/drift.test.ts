import { describe, expect, it } from 'vitest';
import type { CustomerTable } from '../../src/domain/customer-table.ts';
import type { FeatureSchema } from '../../src/domain/model.ts';
import type { DriftCountRow, DriftRepository } from '../../src/domain/repositories.ts';
import type { CompiledModel } from '../../src/services/compiled-model.ts';
import { driftReport, DriftRecorder, measureDriftBaseline, PERSONA_SERIES } from '../../src/services/drift.ts';

const schema = {
  features: [
    { name: 'age', kind: 'numeric', column: 0, transform: 'none', scaling: 'standard', clip: null, center: 0, scale: 1, median: 0, mean: 0, std: 1, missingRate: 0 },
    { name: 'home', kind: 'categorical', column: 1, categories: ['rent', 'own'], mode: 'rent', weight: 1, missingRate: 0 },
  ],
  encodedColumns: 3,
  ignoredColumns: [],
} as FeatureSchema;
const table: CustomerTable = {
  size: 10,
  customerIds: Float64Array.from({ length: 10 }, (_, i) => i + 1),
  columns: new Map([
    ['age', { kind: 'numeric', values: Float64Array.of(20, 21, 22, 23, 24, 25, 26, 27, 28, Number.NaN), firstText: null }],
    // "castle" was too rare to become a training category: it counts in the "other" bin.
    ['home', { kind: 'categorical', codes: Int32Array.of(0, 0, 0, 1, 1, 2, -1, 0, 1, 0), labels: ['rent', 'own', 'castle'] }],
  ]),
};

describe('measureDriftBaseline', () => {
  const baseline = measureDriftBaseline(schema, table, Int32Array.of(0, 0, 0, 0, 1, 1, 1, 1, 1, 1), 2);

  it('bins numerics by training deciles over the values present, and categories with an "other" bin', () => {
    const [age, home] = baseline.features;
    expect(age).toMatchObject({ kind: 'numeric' });
    expect(age!.shares.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
    expect(age!.shares.length).toBe((age as { cuts: number[] }).cuts.length + 1);
    // 9 present values: rent 5, own 3, castle 1 (missing skipped).
    expect(home).toEqual({ name: 'home', kind: 'categorical', categories: ['rent', 'own'], shares: [5 / 9, 3 / 9, 1 / 9] });
    expect(baseline.personaShares).toEqual([0.4, 0.6]);
  });

  it('reports no drift for counts in the training proportions', () => {
    const rows = [
      ...baseline.features[1]!.shares.map((share, bin) => ({ feature: 'home', bin, count: share * 900 })),
      { feature: PERSONA_SERIES, bin: 0, count: 400 },
      { feature: PERSONA_SERIES, bin: 1, count: 600 },
    ];
    const report = driftReport(baseline, rows);
    expect(report.features[1]!.psi).toBeCloseTo(0, 12);
    expect(report.personas.psi).toBeCloseTo(0, 12);
    expect(report.features[0]!).toMatchObject({ observations: 0, psi: null, verdict: 'insufficient data' });
  });
});

describe('DriftRecorder', () => {
  const model = { id: 'm-1', k: 2, driftBaseline: measureDriftBaseline(schema, table, Int32Array.of(0, 0, 0, 0, 1, 1, 1, 1, 1, 1), 2) } as unknown as CompiledModel;

  it('counts bins of the values given only, and keeps counts whose write failed for the next flush', async () => {
    const written: DriftCountRow[][] = [];
    let failing = true;
    const repository: DriftRepository = {
      async addCounts(rows) {
        if (failing) throw new Error('database down');
        written.push([...rows]);
      },
      async sumCounts() {
        return [];
      },
      async claimAlert() {
        return true;
      },
    };
    const recorder = new DriftRecorder(repository, { isTimed: false, now: () => Date.parse('2026-11-24T10:30:00Z') });
    recorder.record(model, { age: 22, home: 'castle' }, 1);
    recorder.record(model, { home: null, other_column: 'x' }, 0);
    await expect(recorder.flush()).rejects.toThrow('database down');
    recorder.record(model, { home: 'own' }, 1);
    failing = false;
    await recorder.flush();
    const rows = written.flat();
    const count = (feature: string, bin: number) => rows.filter((row) => row.feature === feature && row.bin === bin).reduce((sum, row) => sum + row.count, 0);
    expect(count('home', 2)).toBe(1);
    expect(count('home', 1)).toBe(1);
    expect(count(PERSONA_SERIES, 0) + count(PERSONA_SERIES, 1)).toBe(3);
    expect(rows.filter((row) => row.feature === 'age').reduce((sum, row) => sum + row.count, 0)).toBe(1);
    expect(new Set(rows.map((row) => row.hour.toISOString()))).toEqual(new Set(['2026-11-24T10:00:00.000Z']));
  });
});
