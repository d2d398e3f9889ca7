import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ModelDetail } from '../../../src/schemas/models.ts';
import { buildTestApp } from '../../helpers/app.ts';
import type { TestApp } from '../../helpers/app.ts';
import { SEGMENTS, segmentUpload } from '../../helpers/factories.ts';

type Detail = ReturnType<typeof ModelDetail.parse>;

/** Three planted segments of 40 customers: k = 4 must split one of them, k = 3 finds them. */
describe('near-duplicate personas and POST /v1/models/:id/merge', () => {
  let t: TestApp;
  let datasetId: string;

  const train = async (name: string, extra: Record<string, unknown>): Promise<Detail> => {
    const response = await t.app.inject({ method: 'POST', url: '/v1/models?wait=true', headers: t.admin, payload: { name, datasetId, seed: 3, stabilityResamples: 0, ...extra } });
    expect(response.statusCode, response.body).toBe(201);
    return ModelDetail.parse(response.json());
  };
  const merge = (modelId: string, personas: string[]) => t.app.inject({ method: 'POST', url: `/v1/models/${modelId}/merge`, headers: t.admin, payload: { personas } });
  /** The persona that has its near-duplicate flag set, with the one it points at. */
  const flaggedPair = (model: Detail) => {
    const flagged = model.personas.filter((persona) => persona.quality.nearDuplicateOf !== null);
    const first = flagged[0]!;
    const second = model.personas.find((persona) => persona.key === first.quality.nearDuplicateOf!.key)!;
    return { flagged, pair: [first, second] as const };
  };
  /** Which planted segment each persona holds, by assigning each segment's centre. */
  const sizesSorted = (model: Detail) => [...model.metrics.sizes].sort((a, b) => a - b);

  beforeAll(async () => {
    t = await buildTestApp();
    const upload = await t.app.inject({ method: 'POST', url: '/v1/datasets', headers: t.admin, payload: segmentUpload(40) });
    datasetId = upload.json().id;
  });
  afterAll(async () => t.close());

  describe('the merge hint', () => {
    it('flags none of three distinct personas', async () => {
      const model = await train('distinct', { k: 3 });
      expect(model.personas.map((persona) => persona.quality.nearDuplicateOf)).toEqual([null, null, null]);
    });

    it('flags the two halves of a segment split by k = 4, each pointing at the other with the distance and reason', async () => {
      const model = await train('split', { k: 4 });
      const { flagged, pair } = flaggedPair(model);
      expect(flagged).toHaveLength(2);
      const [a, b] = pair;
      expect(b.quality.nearDuplicateOf?.key).toBe(a.key);
      expect(a.quality.nearDuplicateOf?.reason).toMatch(/consider merging them/);
      // The halves together are one planted segment of 40.
      expect(a.size + b.size).toBe(40);
    });
  });

  describe.each(['kmeans', 'kprototypes', 'gmm'] as const)('merging a split segment (%s)', (algorithm) => {
    let split: Detail;
    let merged: Detail;

    beforeAll(async () => {
      split = await train(`merge-${algorithm}`, { k: 4, algorithm });
      const { pair } = flaggedPair(split);
      const response = await merge(split.id, [pair[0].id, pair[1].id]);
      expect(response.statusCode, response.body).toBe(201);
      expect(response.headers.location).toBe(`/v1/models/${response.json().id}`);
      merged = ModelDetail.parse(response.json());
    });

    it('stores a new candidate version of the same model with one persona fewer', () => {
      expect(merged.name).toBe(split.name);
      expect(merged.version).toBe(split.version + 1);
      expect(merged.status).toBe('candidate');
      expect(merged.algorithm).toBe(algorithm);
      expect(merged.metrics.k).toBe(3);
      expect(merged.personas).toHaveLength(3);
    });

    it('recovers the three planted segments', () => {
      expect(sizesSorted(merged)).toEqual([40, 40, 40]);
    });

    it('records what was merged and why k changed', () => {
      const { pair } = flaggedPair(split);
      expect(merged.parameters.mergedFrom?.modelId).toBe(split.id);
      expect(merged.parameters.mergedFrom?.version).toBe(split.version);
      expect(merged.parameters.mergedFrom?.personas.map((persona) => persona.id).sort()).toEqual([pair[0].id, pair[1].id].sort());
      expect(merged.metrics.selection.reason).toContain(`merged "${pair[0].name}" and "${pair[1].name}"`);
    });

    it('keeps the keys of the personas that were not merged, matched against the merged version', () => {
      const { pair } = flaggedPair(split);
      const untouched = split.personas.filter((persona) => persona.id !== pair[0].id && persona.id !== pair[1].id);
      const keys = merged.personas.map((persona) => persona.key);
      for (const persona of untouched) expect(keys).toContain(persona.key);
      expect(merged.metrics.continuity?.previousModelId).toBe(split.id);
    });

    it('serves the merged persona for the split segment once activated', async () => {
      await t.app.inject({ method: 'POST', url: `/v1/models/${merged.id}/activate`, headers: t.admin });
      const ids = await Promise.all(
        SEGMENTS.map(async (segment) => {
          const response = await t.app.inject({
            method: 'POST',
            url: `/v1/assign?model=merge-${algorithm}`,
            headers: t.admin,
            payload: { attributes: { age: segment.age, income: segment.income, home_ownership: segment.home } },
          });
          expect(response.statusCode, response.body).toBe(200);
          return response.json().persona.id as string;
        }),
      );
      expect(new Set(ids).size).toBe(3);
      for (const id of ids) expect(merged.personas.map((persona) => persona.id)).toContain(id);
    });
  });

  it('carries human edits of the other personas into the merged version', async () => {
    const split = await train('edited', { k: 4 });
    const { pair } = flaggedPair(split);
    const other = split.personas.find((persona) => persona.id !== pair[0].id && persona.id !== pair[1].id)!;
    const renamed = await t.app.inject({ method: 'PATCH', url: `/v1/personas/${other.id}`, headers: t.admin, payload: { name: 'Our Steady Core' } });
    expect(renamed.statusCode, renamed.body).toBe(200);
    const response = await merge(split.id, [pair[0].id, pair[1].id]);
    expect(response.statusCode, response.body).toBe(201);
    const names = ModelDetail.parse(response.json()).personas.map((persona) => persona.name);
    expect(names).toContain('Our Steady Core');
  });

  describe('bad requests', () => {
    let model: Detail;
    let otherModel: Detail;

    beforeAll(async () => {
      model = await train('bad-merges', { k: 3 });
      otherModel = await train('other', { k: 2 });
    });

    it('points at each id that is not a persona of the model, and at a repeated one', async () => {
      const [a, b] = model.personas;
      const response = await merge(model.id, [a!.id, otherModel.personas[0]!.id, a!.id, b!.id]);
      expect(response.statusCode).toBe(400);
      expect(response.headers['content-type']).toMatch(/application\/problem\+json/);
      const errors = response.json().errors as Array<{ pointer: string; code: string }>;
      expect(errors.map((error) => [error.pointer, error.code])).toEqual([
        ['/personas/1', 'unknown_persona'],
        ['/personas/2', 'duplicate_persona'],
      ]);
    });

    it('needs at least two personas', async () => {
      const response = await merge(model.id, [model.personas[0]!.id]);
      expect(response.statusCode).toBe(400);
      expect(response.json().errors[0].pointer).toBe('/personas');
    });

    it('refuses a merge that would leave a single persona', async () => {
      const response = await merge(otherModel.id, otherModel.personas.map((persona) => persona.id));
      expect(response.statusCode).toBe(422);
      expect(response.json().detail).toMatch(/would leave 1; a model needs at least two/);
    });

    it('answers 404 for an unknown model', async () => {
      const response = await merge('00000000-0000-4000-8000-000000000000', [model.personas[0]!.id, model.personas[1]!.id]);
      expect(response.statusCode).toBe(404);
    });

    it('is for admins only', async () => {
      const reader = await t.keyWith('read');
      const response = await t.app.inject({ method: 'POST', url: `/v1/models/${model.id}/merge`, headers: reader, payload: { personas: [model.personas[0]!.id, model.personas[1]!.id] } });
      expect(response.statusCode).toBe(403);
    });
  });
});
