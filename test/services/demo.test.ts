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

  const personaDetail = async (segment: PlantedSegment) => {
    const { personas } = await t.app.services.personas.list();
    return personas.find((persona) => persona.key === personaOf.get(segment)!.key)!;
  };

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

  it('gives every persona a unique name', async () => {
    const { personas } = await t.app.services.personas.list();
    expect(new Set(personas.map((persona) => persona.name)).size).toBe(personas.length);
  });

  it('shows the young renters persona as young in its traits (age z below −1) as well as in its name', async () => {
    const persona = await personaDetail('young_urban_renters');
    const age = persona.traits.find((trait) => trait.feature === 'age');
    expect(age?.kind === 'numeric' && age.zScore).toBeLessThan(-1);
    expect(persona.name).toMatch(/^Young /);
  });

  it("explains each planted segment by one of the features it was planted on, with the surrogate's accuracy reported", async () => {
    // The columns each segment's generator sets apart most (see SEGMENT_PROFILES in src/demo/insurance-book.ts);
    // young renters hold one to three policies at 0.9 cover, the lowest premiums of the book.
    const planted: Record<PlantedSegment, string[]> = {
      young_urban_renters: ['age', 'annual_premium', 'home_ownership', 'web_visits_month', 'region', 'tenure_years', 'preferred_channel', 'marital_status'],
      new_families: ['dependents', 'marital_status', 'home_ownership', 'region'],
      affluent_bundlers: ['income', 'policy_count', 'annual_premium', 'preferred_channel'],
      high_claim: ['claims_last_3y', 'preferred_channel'],
      empty_nesters: ['age', 'tenure_years', 'home_ownership', 'preferred_channel', 'web_visits_month'],
    };
    for (const segment of PLANTED_SEGMENTS) {
      const persona = await personaDetail(segment);
      const top = persona.drivers.attributions[0]!;
      expect(planted[segment], `${segment}: top driver ${top.feature}`).toContain(top.feature);
      expect(top.attribution).toBeGreaterThan(0);
      expect(persona.drivers.rules.length).toBeGreaterThan(0);
    }
    const model = await t.app.services.models.get(t.app.services.registry.default!.id);
    expect(model.metrics.drivers?.heldOutAccuracy).toBeGreaterThan(0.9);
  });

  it('proposes the strategies their traits call for: renters cover to young renters, retirement products to empty nesters', async () => {
    const ids = async (segment: PlantedSegment) => (await personaDetail(segment)).strategies.map((strategy) => strategy.id);
    expect(await ids('young_urban_renters')).toContain('renters-cover');
    expect(await ids('young_urban_renters')).toContain('digital-channel');
    expect(await ids('empty_nesters')).toContain('retirement-empty-nesters');
    expect(await ids('new_families')).toContain('term-life-young-families');
    expect(await ids('high_claim')).toContain('claims-prevention');
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
