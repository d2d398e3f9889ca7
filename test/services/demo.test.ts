import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateInsuranceBook, PLANTED_SEGMENTS } from '../../src/demo/insurance-book.ts';
import type { PlantedSegment } from '../../src/demo/insurance-book.ts';
import { adjustedRandIndex } from '../../src/engine/index.ts';
import { assignCustomer } from '../../src/services/assignment.ts';
import { DEMO_MODEL_NAME } from '../../src/services/demo.ts';
import { buildTestApp } from '../helpers/app.ts';
import type { TestApp } from '../helpers/app.ts';

describe('the demo model on the seeded insurance book', () => {
  let t: TestApp;
  /** Planted segment → the persona most of its customers are assigned to. */
  let personaOf: Map<PlantedSegment, { name: string; key: string }>;
  let agreement: number;

  beforeAll(async () => {
    t = await buildTestApp();
    const seeded = await t.app.services.demo.seedIfEmpty();
    expect(seeded).not.toBeNull();
    const model = await t.app.services.registry.resolve();
    const book = generateInsuranceBook({ customers: 5_000, seed: 42 });
    const assigned = Int32Array.from(book.customers.map(({ customer_id: _id, ...attributes }) => assignCustomer(model, attributes).personaIndex));
    const planted = Int32Array.from(book.plantedSegments.map((segment) => PLANTED_SEGMENTS.indexOf(segment)));
    agreement = adjustedRandIndex(planted, assigned);
    personaOf = new Map(
      PLANTED_SEGMENTS.map((segment, s) => {
        const counts = new Array<number>(model.k).fill(0);
        planted.forEach((p, i) => {
          if (p === s) counts[assigned[i]!]!++;
        });
        return [segment, model.personas[counts.indexOf(Math.max(...counts))]!];
      }),
    );
  });
  afterAll(async () => t.close());

  it('is active under its name after seeding an empty database, and seeding again does nothing', async () => {
    expect(t.app.services.registry.default?.name).toBe(DEMO_MODEL_NAME);
    expect(await t.app.services.demo.seedIfEmpty()).toBeNull();
  });

  it('recovers the five planted segments (adjusted Rand index above 0.85)', () => {
    expect(agreement).toBeGreaterThan(0.85);
    expect(new Set([...personaOf.values()].map((p) => p.key)).size).toBe(5);
  });

  it('names each planted segment after its planted traits', () => {
    expect(personaOf.get('young_urban_renters')!.name).toMatch(/^Young .*Renters$/);
    expect(personaOf.get('new_families')!.name).toMatch(/Families|Homebuyers|Married/);
    expect(personaOf.get('affluent_bundlers')!.name).toMatch(/Affluent/);
    expect(personaOf.get('high_claim')!.name).toMatch(/High-Claim/);
    expect(personaOf.get('empty_nesters')!.name).toMatch(/^Senior /);
  });

  it('recommends each segment its signature product first among well-supported ones', async () => {
    const expected: Partial<Record<PlantedSegment, string[]>> = {
      young_urban_renters: ['HOME-RENTERS', 'MOTOR-BIKE', 'TRAVEL-SINGLE'],
      empty_nesters: ['LIFE-ANNUITY', 'HOME-OWNERS', 'TRAVEL-ANNUAL'],
    };
    const { personas } = await t.app.services.personas.list();
    for (const [segment, products] of Object.entries(expected)) {
      const persona = personas.find((p) => p.key === personaOf.get(segment as PlantedSegment)!.key)!;
      const page = await t.app.services.personas.recommendations(persona.id, { minSupport: 20, limit: 3, offset: 0 });
      expect(products, `${segment}: ${page.items.map((r) => r.product.id).join(', ')}`).toContain(page.items[0]!.product.id);
    }
  });
});
