import { describe, expect, it } from 'vitest';
import type { ModelSummary, StoredModel } from '../../src/domain/model.ts';
import type { ModelRepository } from '../../src/domain/repositories.ts';
import { ModelRegistry } from '../../src/services/registry.ts';

function storedModel(id: string, name: string, version: number, activatedAt: Date | null = null): StoredModel {
  return {
    id,
    name,
    version,
    status: activatedAt ? 'active' : 'candidate',
    algorithm: 'kmeans',
    parameters: {
      algorithm: 'kmeans',
      requestedAlgorithm: 'kmeans',
      k: 1,
      kRange: null,
      seed: 0,
      nInit: 1,
      features: ['x'],
      exclude: [],
      categoricalWeight: 1,
      covarianceType: null,
      gamma: null,
      stabilityResamples: 0,
    mergedFrom: null,
    },
    metrics: {} as StoredModel['metrics'],
    datasetId: null,
    createdAt: new Date(0),
    activatedAt,
    featureSchema: {
      features: [{ name: 'x', kind: 'numeric', column: 0, transform: 'none', scaling: 'standard', clip: null, center: 0, scale: 1, median: 0, mean: 0, std: 1, missingRate: 0 }],
      encodedColumns: 1,
      ignoredColumns: [],
    },
    artifacts: { distanceThresholds: [], map: null },
    centroids: { data: new Float64Array([0]), rows: 1, cols: 1 },
    personas: [{ id: `${id}-p0`, index: 0, key: 'p0', name: 'P0' }],
  };
}

/** Models in memory; loadStored waits for a per-id gate so a test can choose the order loads finish in. */
function fakeModels(models: StoredModel[]) {
  const byId = new Map(models.map((m) => [m.id, m]));
  const gates = new Map<string, () => void>();
  let clock = 1_000;
  const repository: Partial<ModelRepository> = {
    async listActiveIds() {
      return [...byId.values()].filter((m) => m.status === 'active').sort((a, b) => b.activatedAt!.getTime() - a.activatedAt!.getTime()).map((m) => m.id);
    },
    async loadStored(id) {
      if (gates.has(id)) await new Promise<void>((resolve) => gates.set(id, resolve));
      return byId.get(id) ?? null;
    },
    async activate(id) {
      const model = byId.get(id)!;
      const previous = [...byId.values()].find((m) => m.name === model.name && m.status === 'active') ?? null;
      if (previous) previous.status = 'inactive';
      model.status = 'active';
      model.activatedAt = new Date(clock++);
      return { activated: model as ModelSummary, previous: previous as ModelSummary | null };
    },
  };
  return { repository: repository as ModelRepository, hold: (id: string) => gates.set(id, () => {}), release: (id: string) => gates.get(id)!() };
}

describe('ModelRegistry', () => {
  it('serves the most recently activated model by default', async () => {
    const { repository } = fakeModels([storedModel('a', 'alpha', 1, new Date(10)), storedModel('b', 'beta', 1, new Date(20))]);
    const registry = new ModelRegistry(repository, { defaultModelName: null });
    await registry.loadActive();
    expect(registry.default?.id).toBe('b');
    expect((await registry.resolve('alpha')).id).toBe('a');
  });

  it('keeps the later activation in memory when two loads finish in the opposite order', async () => {
    const { repository, hold, release } = fakeModels([storedModel('v1', 'm', 1), storedModel('v2', 'm', 2)]);
    const registry = new ModelRegistry(repository, { defaultModelName: null });
    hold('v1');
    const first = registry.activate('v1');
    await new Promise((resolve) => setTimeout(resolve, 0));
    await registry.activate('v2');
    release('v1');
    await first;
    expect(registry.default?.id).toBe('v2');
    expect(registry.active().map((m) => m.id)).toEqual(['v2']);
  });

  it('answers no-active-model until something is activated, naming the pinned default', async () => {
    const { repository } = fakeModels([storedModel('a', 'alpha', 1)]);
    const registry = new ModelRegistry(repository, { defaultModelName: 'alpha' });
    await registry.loadActive();
    await expect(registry.resolve()).rejects.toThrow('model alpha has no active version');
    await registry.activate('a');
    expect((await registry.resolve()).id).toBe('a');
  });
});
