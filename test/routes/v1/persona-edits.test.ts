import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ModelComparison, ModelDetail } from '../../../src/schemas/models.ts';
import { Persona } from '../../../src/schemas/personas.ts';
import { buildTestApp } from '../../helpers/app.ts';
import type { TestApp } from '../../helpers/app.ts';
import { SEGMENTS, segmentUpload } from '../../helpers/factories.ts';

describe('persona edits and continuity across versions', () => {
  let t: TestApp;
  let first: ReturnType<typeof ModelDetail.parse>;
  let renters: { id: string; key: string };

  const train = async (variant: number, extra: Record<string, unknown> = {}) => {
    const upload = await t.app.inject({ method: 'POST', url: '/v1/datasets', headers: t.admin, payload: segmentUpload(20, variant) });
    const response = await t.app.inject({
      method: 'POST',
      url: '/v1/models?wait=true',
      headers: t.admin,
      payload: { name: 'continuity', datasetId: upload.json().id, k: 3, seed: variant + 1, stabilityResamples: 0, ...extra },
    });
    expect(response.statusCode, response.body).toBe(201);
    return ModelDetail.parse(response.json());
  };
  const assignRenter = async () =>
    (await t.app.inject({ method: 'POST', url: '/v1/assign?model=continuity', headers: t.admin, payload: { attributes: { age: SEGMENTS[0].age, home_ownership: 'rent' } } })).json();

  beforeAll(async () => {
    t = await buildTestApp();
    first = await train(0);
    await t.app.inject({ method: 'POST', url: `/v1/models/${first.id}/activate`, headers: t.admin });
    const assigned = await assignRenter();
    renters = { id: assigned.persona.id, key: assigned.persona.key };
  });
  afterAll(async () => t.close());

  describe('PATCH /v1/personas/:id', () => {
    it('renames a persona, records who and when, and serves the new name at once', async () => {
      const editor = await t.keyWith('admin');
      const response = await t.app.inject({ method: 'PATCH', url: `/v1/personas/${renters.id}`, headers: editor, payload: { name: 'City Starters', description: 'Young renters who live on their phones.' } });
      expect(response.statusCode, response.body).toBe(200);
      const persona = Persona.parse(response.json());
      expect(persona).toMatchObject({ name: 'City Starters', key: renters.key, description: 'Young renters who live on their phones.' });
      expect(persona.edits.name).toEqual({ by: 'test admin', at: expect.any(String) });
      expect(persona.edits.description).toBeDefined();
      expect(persona.edits.strategies).toBeUndefined();
      expect((await assignRenter()).persona.name).toBe('City Starters');
    });

    it('replaces the strategies with hand-written ones', async () => {
      const response = await t.app.inject({
        method: 'PATCH',
        url: `/v1/personas/${renters.id}`,
        headers: t.admin,
        payload: { strategies: [{ title: 'Student discount', description: 'Ten percent off the first year.' }] },
      });
      expect(response.json().strategies).toEqual([{ id: 'custom', title: 'Student discount', description: 'Ten percent off the first year.', trigger: 'set by hand' }]);
    });

    it('refuses a name another persona of the model has with 409', async () => {
      const other = first.personas.find((persona) => persona.id !== renters.id)!;
      const response = await t.app.inject({ method: 'PATCH', url: `/v1/personas/${other.id}`, headers: t.admin, payload: { name: 'City Starters' } });
      expect(response.statusCode).toBe(409);
      expect(response.json().type).toBe('/problems/conflict');
    });

    it('rejects an empty edit and unknown fields with pointers', async () => {
      expect((await t.app.inject({ method: 'PATCH', url: `/v1/personas/${renters.id}`, headers: t.admin, payload: {} })).statusCode).toBe(400);
      const unknown = await t.app.inject({ method: 'PATCH', url: `/v1/personas/${renters.id}`, headers: t.admin, payload: { colour: 'red' } });
      expect(unknown.json().errors[0]).toMatchObject({ pointer: '/colour' });
    });

    it('needs the admin scope', async () => {
      const reader = await t.keyWith('read');
      expect((await t.app.inject({ method: 'PATCH', url: `/v1/personas/${renters.id}`, headers: reader, payload: { name: 'X' } })).statusCode).toBe(403);
    });
  });

  describe('retraining', () => {
    it('lets the matching persona of a retrain on a perturbed copy inherit the key and the edits', async () => {
      const second = await train(1);
      expect(second.metrics.continuity).toMatchObject({ previousModelId: first.id, previousVersion: first.version, new: [], vanished: [] });
      expect(second.metrics.continuity!.matched).toHaveLength(3);
      const successor = second.personas.find((persona) => persona.key === renters.key)!;
      expect(successor).toMatchObject({ name: 'City Starters', description: 'Young renters who live on their phones.' });
      const full = Persona.parse((await t.app.inject({ method: 'GET', url: `/v1/personas/${successor.id}`, headers: t.admin })).json());
      expect(full.strategies.map((strategy) => strategy.title)).toEqual(['Student discount']);
      expect(full.edits.name?.by).toBe('test admin');
      // The personas nobody edited keep their generated names and their keys.
      for (const persona of first.personas.filter((p) => p.id !== renters.id)) {
        expect(second.personas.find((p) => p.key === persona.key)?.name).toBe(persona.name);
      }
    });

    it('reports new and vanished personas when the segmentation changes', async () => {
      const coarser = await train(2, { k: 2 });
      expect(coarser.metrics.continuity!.matched.length + coarser.metrics.continuity!.new.length).toBe(2);
      expect(coarser.metrics.continuity!.vanished.length).toBeGreaterThanOrEqual(1);
    });
  });

  describe('GET /v1/models/:id/compare/:otherId', () => {
    it('matches the personas of two versions with their distances', async () => {
      const other = await train(3);
      const response = await t.app.inject({ method: 'GET', url: `/v1/models/${first.id}/compare/${other.id}`, headers: t.admin });
      expect(response.statusCode).toBe(200);
      const comparison = ModelComparison.parse(response.json());
      expect(comparison.from).toEqual({ id: first.id, name: 'continuity', version: first.version });
      expect(comparison.matched).toHaveLength(3);
      for (const match of comparison.matched) {
        expect(match.from.key).toBe(match.to.key);
        expect(match.distance).toBeLessThan(0.3);
      }
      expect(comparison.sharedFeatures.sort()).toEqual(['age', 'home_ownership', 'income', 'web_visits']);
    });

    it('answers 404 for an unknown version', async () => {
      const response = await t.app.inject({ method: 'GET', url: `/v1/models/${first.id}/compare/00000000-0000-4000-8000-000000000000`, headers: t.admin });
      expect(response.statusCode).toBe(404);
    });
  });
});
