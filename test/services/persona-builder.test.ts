import { describe, expect, it } from 'vitest';
import { customerTableFromRows } from '../../src/domain/customer-table.ts';
import type { CustomerAttributes } from '../../src/domain/dataset.ts';
import type { PersonaQuality } from '../../src/domain/persona.ts';
import { profileColumns } from '../../src/services/columns.ts';
import { columnRequests, fitFeatureSchema, resolveFeatureRequests } from '../../src/services/features.ts';
import { buildPersonas, namingBrief } from '../../src/services/persona-builder.ts';
import type { PersonaBuildInput } from '../../src/services/persona-builder.ts';

// Persona 0: young renters; 1: seniors who own; 2: a data-quality group (two customers).
const rows: CustomerAttributes[] = [
  ...Array.from({ length: 10 }, (_, i) => ({ age: 24 + (i % 4), home_ownership: 'rent' })),
  ...Array.from({ length: 10 }, (_, i) => ({ age: 66 + (i % 5), home_ownership: 'own' })),
  { age: 45, home_ownership: 'mortgage' },
  { age: 46, home_ownership: 'mortgage' },
];
const labels = Int32Array.from(rows.map((_, i) => (i < 10 ? 0 : i < 20 ? 1 : 2)));
const profiles = profileColumns(Object.keys(rows[0]!), rows);
const features = resolveFeatureRequests(profiles, undefined, []);
const table = customerTableFromRows(rows, columnRequests(profiles, features));
const schema = fitFeatureSchema(profiles, table, features, { scaling: 'standard', transform: 'none', clip: false, categoricalWeight: Math.SQRT1_2 });
const quality = (isDataQuality: boolean): PersonaQuality => ({ stability: null, isStable: null, isDataQuality, reasons: isDataQuality ? ['tiny'] : [], distanceThreshold: 1, nearDuplicateOf: null });

/** Dense centres on a line at the given positions, every persona with spread 1. */
function input(positions: number[]): PersonaBuildInput {
  return {
    schema,
    table,
    labels,
    k: 3,
    denseCenters: { data: Float64Array.from(positions), rows: 3, cols: 1 },
    denseSpread: Float64Array.from([1, 1, 1]),
    quality: [quality(false), quality(false), quality(true)],
    valueColumns: { value: null, tenure: null },
    drivers: null,
  };
}

describe('buildPersonas', () => {
  const [renters, seniors, dataQuality] = buildPersonas(input([-3, 3, 0.1]));

  it('names, describes and keys each persona from its traits', () => {
    expect(renters!.name).toBe('Young Renters');
    expect(renters!.key).toBe('young-renters');
    expect(seniors!.name).toBe('Senior Homeowners');
    expect(renters!.description).toMatch(/^Young Renters are 45% of customers \(10 of 22\)\./);
  });

  it('proposes strategies to customer personas and none to a data-quality group', () => {
    expect(renters!.strategies.map((strategy) => strategy.id)).toContain('renters-cover');
    expect(dataQuality!.quality.isDataQuality).toBe(true);
    expect(dataQuality!.strategies).toEqual([]);
  });

  it('flags no near-duplicate when the centres are farther apart than the members spread', () => {
    expect([renters, seniors].map((persona) => persona!.quality.nearDuplicateOf)).toEqual([null, null]);
  });

  it('flags two personas whose centres are closer than their members are to them, each pointing at the other', () => {
    const [first, second] = buildPersonas(input([0, 0.6, 5]));
    expect(first!.quality.nearDuplicateOf).toMatchObject({ key: 'senior-homeowners', distance: 0.6 });
    expect(first!.quality.nearDuplicateOf!.reason).toMatch(/closer than their members typically are to them \(1\.00\): consider merging them/);
    expect(second!.quality.nearDuplicateOf?.key).toBe('young-renters');
  });

  it('takes names and taglines chosen elsewhere (an LLM) but keeps the keys of the deterministic names', () => {
    const personas = buildPersonas(input([0, 0.6, 5]), { names: ['City Starters', 'Golden Owners', 'Odd Ones'], taglines: ['a', 'b', 'c'] });
    expect(personas.map((persona) => [persona.name, persona.key, persona.tagline])).toEqual([
      ['City Starters', 'young-renters', 'a'],
      ['Golden Owners', 'senior-homeowners', 'b'],
      ['Odd Ones', personas[2]!.key, 'c'],
    ]);
    expect(personas[0]!.quality.nearDuplicateOf).toMatchObject({ key: 'senior-homeowners', name: 'Golden Owners' });
    expect(personas[0]!.description).toMatch(/^City Starters are/);
  });
});

describe('namingBrief', () => {
  it('tells an LLM only aggregates: index, deterministic name, share and trait sentences', () => {
    const brief = namingBrief(input([-3, 3, 0.1]));
    expect(brief[0]).toEqual({
      index: 0,
      deterministicName: 'Young Renters',
      share: 10 / 22,
      traits: [
        { feature: 'home_ownership', direction: 'category', detail: 'home ownership is rent for 100% (45% overall)' },
        { feature: 'age', direction: 'lower', detail: 'age averages 25.3 against 46.5 overall (1.0 sd lower)' },
      ],
    });
  });
});
