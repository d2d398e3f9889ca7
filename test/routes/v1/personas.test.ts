import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pageOf } from '../../../src/schemas/common.ts';
import { Persona, PersonaList, Recommendation } from '../../../src/schemas/personas.ts';
import { buildTestApp } from '../../helpers/app.ts';
import type { TestApp } from '../../helpers/app.ts';
import { SEGMENTS, trainSegmentModel } from '../../helpers/factories.ts';

describe('/v1/personas', () => {
  let t: TestApp;
  let model: { id: string; version: number; personas: Array<{ id: string; name: string }> };
  /** Persona id of each planted segment, found by assigning the segment's centre. */
  let personaOfSegment: string[];

  beforeAll(async () => {
    t = await buildTestApp();
    ({ model } = await trainSegmentModel(t.app, t.admin, { name: 'persona-model' }));
    personaOfSegment = await Promise.all(
      SEGMENTS.map(async (segment) => {
        const response = await t.app.inject({ method: 'POST', url: '/v1/assign', headers: t.admin, payload: { attributes: { age: segment.age, income: segment.income, home_ownership: segment.home } } });
        return response.json().persona.id as string;
      }),
    );
  });
  afterAll(async () => t.close());

  describe('GET /v1/personas', () => {
    it('lists the personas of the served model with their traits', async () => {
      const response = await t.app.inject({ method: 'GET', url: '/v1/personas', headers: t.admin });
      expect(response.statusCode).toBe(200);
      const list = PersonaList.parse(response.json());
      expect(list.model).toEqual({ id: model.id, name: 'persona-model', version: model.version });
      expect(list.items.map((p) => p.index)).toEqual([0, 1, 2]);
      expect(list.items.reduce((sum, p) => sum + p.share, 0)).toBeCloseTo(1, 10);
    });

    it('lists the personas of a model named with ?model=', async () => {
      const response = await t.app.inject({ method: 'GET', url: `/v1/personas?model=persona-model@${model.version}`, headers: t.admin });
      expect(response.json().items.map((p: { id: string }) => p.id).sort()).toEqual(model.personas.map((p) => p.id).sort());
    });

    it('answers 404 for a model name that does not exist', async () => {
      const response = await t.app.inject({ method: 'GET', url: '/v1/personas?model=nope', headers: t.admin });
      expect(response.statusCode).toBe(404);
      expect(response.json().detail).toBe('no model is named nope');
    });
  });

  describe('GET /v1/personas/:id', () => {
    it('gives per-feature traits: population and persona means with the z-score, category shares with lifts', async () => {
      const response = await t.app.inject({ method: 'GET', url: `/v1/personas/${personaOfSegment[0]}`, headers: t.admin });
      expect(response.statusCode).toBe(200);
      const persona = Persona.parse(response.json());
      expect(persona.size).toBe(20);
      const age = persona.traits.find((trait) => trait.feature === 'age');
      expect(age).toMatchObject({ kind: 'numeric', personaMean: expect.closeTo(25, 0) });
      if (age?.kind !== 'numeric') throw new Error('age is numeric');
      expect(age.zScore).toBeCloseTo((age.personaMean - age.populationMean) / age.populationStd, 12);
      expect(age.zScore).toBeLessThan(-1);
      const home = persona.traits.find((trait) => trait.feature === 'home_ownership');
      if (home?.kind !== 'categorical') throw new Error('home_ownership is categorical');
      const rent = home.categories.find((category) => category.value === 'rent')!;
      expect(rent).toEqual({ value: 'rent', personaShare: 1, populationShare: 1 / 3, lift: 3 });
      expect(persona.description).toMatch(new RegExp(`^${persona.name} are 33% of customers \\(20 of 60\\)\\. Compared with everyone: home ownership is rent for 100%`));
    });

    it('answers 404 for an unknown persona', async () => {
      const response = await t.app.inject({ method: 'GET', url: '/v1/personas/00000000-0000-4000-8000-000000000000', headers: t.admin });
      expect(response.statusCode).toBe(404);
      expect(response.json().type).toBe('/problems/not-found');
    });
  });

  describe('GET /v1/personas/:id/recommendations', () => {
    it("ranks the segment's own product first, by lift over all customers, with support and rates", async () => {
      const response = await t.app.inject({ method: 'GET', url: `/v1/personas/${personaOfSegment[1]}/recommendations`, headers: t.admin });
      expect(response.statusCode).toBe(200);
      const page = pageOf(Recommendation).parse(response.json());
      expect(page.items.map((r) => r.product.id)).toEqual(['TERM-LIFE', 'MOTOR']);
      const [own, motor] = page.items;
      // 16 of the 20 families bought term life; 16 of 60 customers overall.
      expect(own).toMatchObject({ rank: 1, support: 16, buyers: 16, personaRate: 0.8, lift: 3 });
      expect(own!.overallRate).toBeCloseTo(16 / 60, 12);
      expect(motor).toMatchObject({ rank: 2, support: 20, buyers: 60, personaRate: 1, overallRate: 1, lift: 1 });
      expect(page.total).toBe(2);
      const name = model.personas.find((persona) => persona.id === personaOfSegment[1])!.name;
      expect(page.items.map((r) => r.reason)).toEqual([`bought by 80% of ${name} vs 27% overall`, `bought by 100% of ${name} vs 100% overall`]);
    });

    it("ranks by the persona's purchase rate with rankBy=confidence", async () => {
      const response = await t.app.inject({ method: 'GET', url: `/v1/personas/${personaOfSegment[1]}/recommendations?rankBy=confidence`, headers: t.admin });
      const page = pageOf(Recommendation).parse(response.json());
      expect(page.items.map((r) => [r.rank, r.product.id, r.personaRate])).toEqual([
        [1, 'MOTOR', 1],
        [2, 'TERM-LIFE', 0.8],
      ]);
    });

    it('hides products below minSupport and pages with limit and offset', async () => {
      const strict = await t.app.inject({ method: 'GET', url: `/v1/personas/${personaOfSegment[1]}/recommendations?minSupport=17`, headers: t.admin });
      expect(strict.json().items.map((r: { rank: number; product: { id: string } }) => [r.rank, r.product.id])).toEqual([[1, 'MOTOR']]);
      const second = await t.app.inject({ method: 'GET', url: `/v1/personas/${personaOfSegment[1]}/recommendations?limit=1&offset=1`, headers: t.admin });
      expect(second.json()).toMatchObject({ total: 2, limit: 1, offset: 1, items: [{ rank: 2 }] });
    });

    it('rejects a minSupport below 1 with a pointer into the query', async () => {
      const response = await t.app.inject({ method: 'GET', url: `/v1/personas/${personaOfSegment[1]}/recommendations?minSupport=0`, headers: t.admin });
      expect(response.statusCode).toBe(400);
      expect(response.json().errors[0]).toMatchObject({ location: 'query', pointer: '/minSupport' });
    });
  });
});
