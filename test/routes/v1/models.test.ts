import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ActivationResult, Model, ModelDetail } from '../../../src/schemas/models.ts';
import { buildTestApp } from '../../helpers/app.ts';
import type { TestApp } from '../../helpers/app.ts';
import { segmentUpload } from '../../helpers/factories.ts';

describe('/v1/models', () => {
  let t: TestApp;
  let datasetId: string;

  beforeAll(async () => {
    t = await buildTestApp();
    const upload = await t.app.inject({ method: 'POST', url: '/v1/datasets', headers: t.admin, payload: segmentUpload() });
    datasetId = upload.json().id;
  });
  afterAll(async () => t.close());

  const train = (payload: Record<string, unknown>) => t.app.inject({ method: 'POST', url: '/v1/models?wait=true', headers: t.admin, payload: { datasetId, ...payload } });
  const activate = (id: string) => t.app.inject({ method: 'POST', url: `/v1/models/${id}/activate`, headers: t.admin });

  describe('POST /v1/models', () => {
    it('trains k-means with the given k and returns the model with metrics and named personas', async () => {
      const response = await train({ name: 'train-k', k: 3, seed: 1 });
      expect(response.statusCode).toBe(201);
      expect(response.headers.location).toBe(`/v1/models/${response.json().id}`);
      const model = ModelDetail.parse(response.json());
      expect(model).toMatchObject({ name: 'train-k', version: 1, status: 'candidate', algorithm: 'kmeans', datasetId });
      expect(model.metrics.k).toBe(3);
      expect(model.metrics.sizes.sort()).toEqual([20, 20, 20]);
      expect(model.metrics.silhouette).toBeGreaterThan(0.6);
      expect(model.metrics.inertia).toBeGreaterThan(0);
      expect(model.parameters).toMatchObject({ k: 3, kRange: null, seed: 1, features: ['age', 'income', 'home_ownership', 'web_visits'] });
      expect(model.personas).toHaveLength(3);
      expect(new Set(model.personas.map((p) => p.name)).size).toBe(3);
      expect(model.personas.every((p) => p.key === p.name.toLowerCase().replaceAll(' ', '-'))).toBe(true);
    });

    it('names the planted segments after their traits', async () => {
      const model = (await train({ name: 'train-names', k: 3, seed: 3 })).json();
      const names = model.personas.map((p: { name: string }) => p.name);
      expect(names).toEqual(expect.arrayContaining([expect.stringMatching(/Young.*Renters/), expect.stringMatching(/Senior/)]));
    });

    it('chooses k by silhouette over kRange and reports every k tried', async () => {
      const model = ModelDetail.parse((await train({ name: 'train-range', kRange: [2, 5] })).json());
      expect(model.metrics.k).toBe(3);
      expect(model.metrics.kSelection.map((entry) => entry.k)).toEqual([2, 3, 4, 5]);
      const best = Math.max(...model.metrics.kSelection.map((entry) => entry.silhouette));
      expect(model.metrics.silhouette).toBe(best);
    });

    it('trains on the requested features only', async () => {
      const model = ModelDetail.parse((await train({ name: 'train-features', k: 3, features: ['age', 'income'] })).json());
      expect(model.parameters.features).toEqual(['age', 'income']);
    });

    it('adds a version under an existing name', async () => {
      await train({ name: 'train-versions', k: 2 });
      const second = (await train({ name: 'train-versions', k: 3 })).json();
      expect(second.version).toBe(2);
    });

    it('gives the same centroids and labels for the same seed', async () => {
      const a = ModelDetail.parse((await train({ name: 'train-seed-a', k: 3, seed: 11 })).json());
      const b = ModelDetail.parse((await train({ name: 'train-seed-b', k: 3, seed: 11 })).json());
      expect(b.metrics.inertia).toBe(a.metrics.inertia);
      expect(b.personas.map((p) => [p.name, p.size])).toEqual(a.personas.map((p) => [p.name, p.size]));
    });

    it('rejects unknown and unusable features with pointers into /features', async () => {
      const response = await train({ name: 'bad-features', k: 2, features: ['age', 'shoe_size'] });
      expect(response.statusCode).toBe(400);
      expect(response.json().errors).toEqual([
        { location: 'body', pointer: '/features/1', code: 'unknown_column', message: 'the dataset has no column "shoe_size"' },
      ]);
    });

    it('rejects k with kRange, k below 2 and unknown fields, all at once', async () => {
      const response = await train({ name: 'bad', k: 1, kRange: [2, 3], colour: 'red' });
      expect(response.statusCode).toBe(400);
      const pointers = response.json().errors.map((e: { pointer: string }) => e.pointer);
      expect(pointers).toEqual(expect.arrayContaining(['/k', '/colour']));
    });

    it('rejects more personas than customers', async () => {
      const small = await t.app.inject({ method: 'POST', url: '/v1/datasets', headers: t.admin, payload: [{ x: 1 }, { x: 2 }, { x: 3 }] });
      const response = await t.app.inject({ method: 'POST', url: '/v1/models?wait=true', headers: t.admin, payload: { name: 'too-many', datasetId: small.json().id, k: 3 } });
      expect(response.statusCode).toBe(400);
      expect(response.json().errors[0]).toMatchObject({ pointer: '/k', code: 'too_many_personas' });
    });

    it('answers 422 with a pointer for an unknown dataset', async () => {
      const response = await t.app.inject({
        method: 'POST',
        url: '/v1/models?wait=true',
        headers: t.admin,
        payload: { name: 'ghost', datasetId: '00000000-0000-4000-8000-000000000000', k: 2 },
      });
      expect(response.statusCode).toBe(422);
      expect(response.json()).toMatchObject({ type: '/problems/unprocessable-data', errors: [{ pointer: '/datasetId' }] });
    });
  });

  describe('POST /v1/models/:id/activate', () => {
    it('makes the version active and the previously active one inactive, atomically', async () => {
      const v1 = (await train({ name: 'act', k: 3 })).json();
      const v2 = (await train({ name: 'act', k: 2 })).json();
      expect((await activate(v1.id)).statusCode).toBe(200);
      const response = await activate(v2.id);
      const result = ActivationResult.parse(response.json());
      expect(result.activated).toMatchObject({ id: v2.id, status: 'active' });
      expect(result.previous).toMatchObject({ id: v1.id, status: 'inactive' });
      const active = await t.app.inject({ method: 'GET', url: '/v1/models?name=act&status=active', headers: t.admin });
      expect(active.json().items.map((m: { id: string }) => m.id)).toEqual([v2.id]);
    });

    it('leaves exactly one active version when two activations race', async () => {
      const versions = await Promise.all([train({ name: 'race', k: 2 }), train({ name: 'race', k: 3 }), train({ name: 'race', k: 4 })]);
      const ids = versions.map((v) => v.json().id as string);
      const results = await Promise.all(ids.map(activate));
      expect(results.every((r) => r.statusCode === 200)).toBe(true);
      const active = await t.app.inject({ method: 'GET', url: '/v1/models?name=race&status=active', headers: t.admin });
      expect(active.json().total).toBe(1);
      expect(t.app.services.registry.active().filter((m) => m.name === 'race').map((m) => m.id)).toEqual(active.json().items.map((m: { id: string }) => m.id));
    });

    it('answers 404 for an unknown model', async () => {
      const response = await activate('00000000-0000-4000-8000-000000000000');
      expect(response.statusCode).toBe(404);
    });
  });

  describe('GET /v1/models', () => {
    it('lists versions filtered by name, newest version first, with paging', async () => {
      await train({ name: 'listed', k: 2 });
      await train({ name: 'listed', k: 3 });
      const response = await t.app.inject({ method: 'GET', url: '/v1/models?name=listed&limit=1', headers: t.admin });
      expect(response.statusCode).toBe(200);
      const page = response.json();
      expect(page).toMatchObject({ total: 2, limit: 1, offset: 0 });
      expect(Model.parse(page.items[0]).version).toBe(2);
    });

    it('rejects an unknown status with a pointer into the query', async () => {
      const response = await t.app.inject({ method: 'GET', url: '/v1/models?status=retired', headers: t.admin });
      expect(response.statusCode).toBe(400);
      expect(response.json().errors[0]).toMatchObject({ location: 'query', pointer: '/status' });
    });
  });

  describe('GET /v1/models/:id', () => {
    it('returns the version with its personas', async () => {
      const created = (await train({ name: 'detail', k: 3 })).json();
      const response = await t.app.inject({ method: 'GET', url: `/v1/models/${created.id}`, headers: t.admin });
      expect(ModelDetail.parse(response.json()).personas.map((p) => p.id)).toEqual(created.personas.map((p: { id: string }) => p.id));
    });

    it('answers 404 with a problem document for an unknown id', async () => {
      const response = await t.app.inject({ method: 'GET', url: '/v1/models/00000000-0000-4000-8000-000000000000', headers: t.admin });
      expect(response.statusCode).toBe(404);
      expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(response.json().detail).toBe('model 00000000-0000-4000-8000-000000000000 does not exist');
    });
  });

  describe('DELETE /v1/models/:id', () => {
    it('deletes an inactive version and its personas', async () => {
      const created = (await train({ name: 'deleted', k: 2 })).json();
      const response = await t.app.inject({ method: 'DELETE', url: `/v1/models/${created.id}`, headers: t.admin });
      expect(response.statusCode).toBe(204);
      expect((await t.app.inject({ method: 'GET', url: `/v1/models/${created.id}`, headers: t.admin })).statusCode).toBe(404);
      expect((await t.app.inject({ method: 'GET', url: `/v1/personas/${created.personas[0].id}`, headers: t.admin })).statusCode).toBe(404);
    });

    it('refuses to delete the active version with 409', async () => {
      const created = (await train({ name: 'kept', k: 2 })).json();
      await activate(created.id);
      const response = await t.app.inject({ method: 'DELETE', url: `/v1/models/${created.id}`, headers: t.admin });
      expect(response.statusCode).toBe(409);
      expect(response.json().type).toBe('/problems/conflict');
    });
  });
});
