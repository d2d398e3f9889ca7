/**
 * The fairness audit on synthetic customers: a zip-like region that predicts a protected group, with
 * personas built on it (the proxy is named, composition and steering fail), the same shapes with the
 * group independent of everything (every check passes), and a four-fifths ratio computed by hand.
 */
import { describe, expect, it } from 'vitest';
import { customerTableFromRows } from '../../src/domain/customer-table.ts';
import type { CustomerAttributes } from '../../src/domain/dataset.ts';
import { DEFAULT_FAIRNESS_THRESHOLDS } from '../../src/domain/fairness.ts';
import type { FeatureSpec } from '../../src/domain/model.ts';
import type { NewRecommendation } from '../../src/domain/persona.ts';
import { createRandom } from '../../src/engine/index.ts';
import { auditFairness } from '../../src/services/fairness.ts';
import type { FairnessInput } from '../../src/services/fairness.ts';

const REGIONS = ['R1', 'R2', 'R3', 'R4'];
const FEATURES: FeatureSpec[] = [
  { name: 'region', kind: 'categorical', column: 0, categories: REGIONS, mode: 'R1', weight: 1, missingRate: 0 },
  { name: 'spend', kind: 'numeric', column: 4, transform: 'none', scaling: 'standard', clip: null, center: 100, scale: 20, median: 100, mean: 100, std: 20, missingRate: 0 },
];
const PERSONAS = [
  { index: 0, key: 'north', name: 'Northerners', strategies: [{ id: 'loyalty-programme', title: 'Loyalty programme' }] },
  { index: 1, key: 'south', name: 'Southerners', strategies: [{ id: 'premium-upsell', title: 'Premium upsell to affluent low spenders' }] },
];
const NO_RECOMMENDATIONS: NewRecommendation[][] = [[], []];

/**
 * Customers with a region, a spend and a protected `group`; the personas are built on the region
 * (R1, R2 → persona 0; R3, R4 → persona 1), as a clustering on a zip-like column would. With
 * `proxy`, group A lives in R1/R2 and group B in R3/R4 nine times in ten; otherwise the group is a
 * coin flip independent of both features.
 */
function customers(n: number, proxy: boolean, seed: number) {
  const random = createRandom(seed);
  const rows: CustomerAttributes[] = [];
  for (let i = 0; i < n; i++) {
    const group = random.nextFloat() < 0.5 ? 'A' : 'B';
    const north = proxy ? (group === 'A') === random.nextFloat() < 0.9 : random.nextFloat() < 0.5;
    const region = REGIONS[(north ? 0 : 2) + random.nextInt(2)]!;
    rows.push({ region, spend: 100 + 20 * random.nextGaussian(), group });
  }
  const table = customerTableFromRows(rows, [
    { name: 'region', kind: 'categorical' },
    { name: 'spend', kind: 'numeric' },
    { name: 'group', kind: 'categorical' },
  ]);
  const labels = Int32Array.from(rows, (row) => (row.region === 'R1' || row.region === 'R2' ? 0 : 1));
  // The encoding the model would use: one-hot region, standardized spend.
  const encoded = new Float64Array(n * 5);
  rows.forEach((row, i) => {
    encoded[i * 5 + REGIONS.indexOf(row.region as string)] = 1;
    encoded[i * 5 + 4] = ((row.spend as number) - 100) / 20;
  });
  return { table, labels, encoded: { data: encoded, rows: n, cols: 5 } };
}

function input(data: ReturnType<typeof customers>, overrides: Partial<FairnessInput> = {}): FairnessInput {
  return {
    ...data,
    protectedAttributes: ['group'],
    features: FEATURES,
    personas: PERSONAS,
    recommendations: NO_RECOMMENDATIONS,
    highCostProducts: [],
    highCostStrategies: new Set(['premium-upsell']),
    thresholds: DEFAULT_FAIRNESS_THRESHOLDS,
    seed: 0,
    now: new Date('2026-11-26T12:00:00Z'),
    ...overrides,
  };
}

describe('auditFairness', () => {
  describe('when a zip-like region predicts the protected group and the personas are built on it', () => {
    const audit = auditFairness(input(customers(2000, true, 1)));

    it('names region as the proxy of the group and fails the proxy check', () => {
      const [proxy] = audit.checks.proxies.attributes;
      expect(proxy!.proxies).toEqual(['region']);
      expect(proxy!.features.map((feature) => feature.feature)).toEqual(['region', 'spend']);
      expect(proxy!.features[0]!.cramersVCorrected).toBeGreaterThan(0.6);
      expect(proxy!.classifier.baseline).toBe(0.5);
      expect(proxy!.classifier.lift).toBeGreaterThan(0.3);
      expect(proxy!.verdict).toBe('fail');
      expect(proxy!.reason).toContain('region');
    });

    it('fails composition: each persona is mostly one group', () => {
      const [composition] = audit.checks.composition.attributes;
      expect(composition!.verdict).toBe('fail');
      expect(composition!.cramersVCorrected).toBeGreaterThan(0.6);
      expect(composition!.chiSquare.pValue).toBeLessThan(1e-6);
      const north = composition!.personas[0]!.groups.find((group) => group.group === 'A')!;
      expect(north.share).toBeGreaterThan(0.85);
      expect(north.ratio).toBeCloseTo(north.share / north.populationShare, 12);
      expect(composition!.reason).toMatch(/Cramér's V 0\.\d\d .* ≥ 0\.3/);
    });

    it('fails steering: the high-cost persona selects group B far more often', () => {
      expect(audit.highCostPersonas).toEqual([{ index: 1, key: 'south', name: 'Southerners', because: ['strategy "Premium upsell to affluent low spenders"'] }]);
      const [steering] = audit.checks.steering.attributes;
      expect(steering!.ratio).toBeLessThan(0.2);
      expect(steering!.verdict).toBe('fail');
      expect(audit.verdict).toBe('fail');
      expect(audit.reason).toBe('composition fail (group); steering fail (group); proxies fail (group)');
    });
  });

  describe('when the protected group is independent of the features', () => {
    const data = customers(2000, false, 2);
    // Persona 1 is high-cost through a product among its top five.
    const recommendations: NewRecommendation[][] = [[], [{ productId: 7n, rank: 3, support: 50, personaRate: 0.1, overallRate: 0.05, lift: 2, buyers: 60 }]];
    const audit = auditFairness(input(data, { recommendations, highCostProducts: [{ id: 7n, externalId: 'GOLD', name: 'Gold card' }], highCostStrategies: new Set() }));

    it('passes every check', () => {
      expect(audit.highCostPersonas).toEqual([{ index: 1, key: 'south', name: 'Southerners', because: ['product "Gold card" (GOLD) ranked 3'] }]);
      expect(audit.checks.composition.verdict).toBe('pass');
      expect(audit.checks.steering.verdict).toBe('pass');
      expect(audit.checks.proxies.verdict).toBe('pass');
      expect(audit.checks.proxies.attributes[0]!.proxies).toEqual([]);
      expect(audit.verdict).toBe('pass');
      expect(audit.reason).toBe('every check passes');
    });
  });

  it('computes the four-fifths ratio of selection rates as by hand', () => {
    // Group A: 100 customers, 30 in the high-cost persona 1 → 0.30; group B: 120, 48 → 0.40. 0.30 / 0.40 = 0.75.
    const rows: CustomerAttributes[] = [
      ...Array.from({ length: 100 }, (_, i) => ({ region: i < 30 ? 'R3' : 'R1', spend: 100, group: 'A' })),
      ...Array.from({ length: 120 }, (_, i) => ({ region: i < 48 ? 'R3' : 'R1', spend: 100, group: 'B' })),
    ];
    const table = customerTableFromRows(rows, [
      { name: 'region', kind: 'categorical' },
      { name: 'spend', kind: 'numeric' },
      { name: 'group', kind: 'categorical' },
    ]);
    const labels = Int32Array.from(rows, (row) => (row.region === 'R3' ? 1 : 0));
    const encoded = { data: Float64Array.from(rows.flatMap((row) => [row.region === 'R1' ? 1 : 0, 0, row.region === 'R3' ? 1 : 0, 0, 0])), rows: rows.length, cols: 5 };
    const audit = auditFairness(input({ table, labels, encoded }));
    const [steering] = audit.checks.steering.attributes;
    expect(steering!.groups).toEqual([
      { group: 'A', customers: 100, selected: 30, selectionRate: 0.3, counted: true },
      { group: 'B', customers: 120, selected: 48, selectionRate: 0.4, counted: true },
    ]);
    expect(steering!.ratio).toBeCloseTo(0.75, 12);
    expect(steering!.verdict).toBe('fail');
    expect(steering!.reason).toBe('four-fifths ratio 0.75 < 0.8: A 30% vs B 40% in high-cost personas');
    // At 0.7 the same ratio only needs a review (between fail and review thresholds).
    const lenient = auditFairness(input({ table, labels, encoded }, { thresholds: { ...DEFAULT_FAIRNESS_THRESHOLDS, fourFifthsFail: 0.7 } }));
    expect(lenient.checks.steering.verdict).toBe('review');
  });

  it('groups a numeric protected attribute with many values in quartile bands, and a 0/1 flag by value', () => {
    const random = createRandom(5);
    const rows: CustomerAttributes[] = Array.from({ length: 400 }, () => ({ region: REGIONS[random.nextInt(4)]!, spend: 100, age: 18 + random.nextInt(60), senior: random.nextFloat() < 0.2 ? 1 : 0 }));
    const table = customerTableFromRows(rows, [
      { name: 'region', kind: 'categorical' },
      { name: 'spend', kind: 'numeric' },
      { name: 'age', kind: 'numeric' },
      { name: 'senior', kind: 'numeric' },
    ]);
    const labels = Int32Array.from(rows, (row) => (row.region === 'R1' || row.region === 'R2' ? 0 : 1));
    const encoded = { data: Float64Array.from(rows.flatMap((row) => [...REGIONS.map((r) => (r === row.region ? 1 : 0)), 0])), rows: rows.length, cols: 5 };
    const audit = auditFairness(input({ table, labels, encoded }, { protectedAttributes: ['age', 'senior'] }));
    const [age, senior] = audit.protectedAttributes;
    expect(age!.grouping).toBe('quartile-bands');
    expect(age!.groups).toHaveLength(4);
    // Whole-number ages: inclusive whole-number bands from the youngest to the oldest.
    expect(age!.groups.map((group) => group.group)).toEqual([expect.stringMatching(/^18–\d+$/), expect.stringMatching(/^\d+–\d+$/), expect.stringMatching(/^\d+–\d+$/), expect.stringMatching(/^\d+–77$/)]);
    const bands = age!.groups.map((group) => group.group.split('–').map(Number) as [number, number]);
    for (let b = 1; b < bands.length; b++) expect(bands[b]![0]).toBe(bands[b - 1]![1] + 1);
    // Each band holds exactly the customers whose age lies in it.
    age!.groups.forEach((group, b) => expect(group.customers).toBe(rows.filter((row) => (row.age as number) >= bands[b]![0] && (row.age as number) <= bands[b]![1]).length));
    expect(age!.groups.reduce((sum, group) => sum + group.customers, 0)).toBe(400);
    expect(senior!.grouping).toBe('categories');
    expect(senior!.groups.map((group) => group.group)).toEqual(['0', '1']);
  });

  it('calls an attribute without any value not auditable (review), never a clean pass, without failing the training', () => {
    const rows: CustomerAttributes[] = Array.from({ length: 100 }, (_, i) => ({ region: REGIONS[i % 4]!, spend: i, group: null }));
    const table = customerTableFromRows(rows, [
      { name: 'region', kind: 'categorical' },
      { name: 'spend', kind: 'numeric' },
      { name: 'group', kind: 'categorical' },
    ]);
    const labels = Int32Array.from(rows, (_, i) => (i % 4 < 2 ? 0 : 1));
    const encoded = { data: Float64Array.from(rows.flatMap((row) => [...REGIONS.map((r) => (r === row.region ? 1 : 0)), 0])), rows: 100, cols: 5 };
    const audit = auditFairness(input({ table, labels, encoded }, { highCostStrategies: new Set() }));
    expect(audit.protectedAttributes[0]).toMatchObject({ name: 'group', groups: [], missing: 100 });
    expect(audit.checks.composition.attributes[0]).toMatchObject({ verdict: 'review', reason: 'cannot be audited: no group has 30 customers or more (100 without a value)' });
    expect(audit.checks.proxies.attributes[0]!.verdict).toBe('review');
    expect(audit.verdict).toBe('review');
  });

  it('splits a numeric attribute that is mostly its minimum into the minimum and the rest', () => {
    const rows: CustomerAttributes[] = Array.from({ length: 400 }, (_, i) => ({ region: REGIONS[i % 4]!, claims: i % 5 === 0 ? 1 + (i % 97) : 0 }));
    const most = Math.max(...rows.map((row) => row.claims as number));
    const table = customerTableFromRows(rows, [
      { name: 'region', kind: 'categorical' },
      { name: 'claims', kind: 'numeric' },
    ]);
    const labels = Int32Array.from(rows, (_, i) => (i % 4 < 2 ? 0 : 1));
    const encoded = { data: Float64Array.from(rows.flatMap((row) => REGIONS.map((r) => (r === row.region ? 1 : 0)))), rows: 400, cols: 4 };
    const audit = auditFairness(input({ table, labels, encoded }, { protectedAttributes: ['claims'], highCostStrategies: new Set() }));
    expect(audit.protectedAttributes[0]!.groups).toEqual([
      { group: '0', customers: 320, share: 0.8 },
      { group: `1–${most}`, customers: 80, share: 0.2 },
    ]);
  });
});

