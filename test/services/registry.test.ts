import { describe, expect, it } from 'vitest';
import type { ModelSummary, StoredModel } from '../../src/domain/model.ts';
import type { ModelAlias } from '../../src/domain/model-history.ts';
import type { ModelChange, ModelChangeFeed, ModelRepository } from '../../src/domain/repositories.ts';
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
      protectedAttributes: [],
      includeProtected: null,
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

/**
 * Models in memory, standing for the shared database. `loadStored` waits for a per-id gate and
 * `listServingState` for the 'state' gate (after taking its snapshot), so a test can choose the order
 * in which reads finish; `elsewhere` changes the data as another replica would.
 */
function fakeModels(models: StoredModel[]) {
  const byId = new Map(models.map((m) => [m.id, m]));
  const gates = new Map<string, () => void>();
  const waitFor = async (gate: string) => {
    if (gates.has(gate)) await new Promise<void>((resolve) => gates.set(gate, resolve));
  };
  const calls = { listServingState: 0, findAlias: 0 };
  const aliases = new Map<string, ModelAlias>();
  let clock = 1_000;
  const activate = (id: string) => {
    const model = byId.get(id)!;
    const previous = [...byId.values()].find((m) => m.name === model.name && m.status === 'active') ?? null;
    if (previous) previous.status = 'inactive';
    model.status = 'active';
    model.activatedAt = new Date(clock++);
    return { activated: { ...model } as ModelSummary, previous: previous as ModelSummary | null };
  };
  const repository: Partial<ModelRepository> = {
    async listServingState(otherIds) {
      calls.listServingState++;
      const snapshot = [...byId.values()]
        .filter((m) => m.status === 'active' || otherIds.includes(m.id))
        .map((m) => ({ id: m.id, name: m.name, isActive: m.status === 'active', activatedAt: m.activatedAt, personas: m.personas.map(({ id, key, name }) => ({ id, key, name })) }));
      await waitFor('state');
      return snapshot;
    },
    async loadStored(id) {
      await waitFor(id);
      const model = byId.get(id);
      return model ? { ...model, personas: model.personas.map((p) => ({ ...p })) } : null;
    },
    async findById(id) {
      return byId.get(id) ?? null;
    },
    async activate(id) {
      return activate(id);
    },
    async listAliases() {
      return [...aliases.values()];
    },
    async findAlias(name, alias) {
      calls.findAlias++;
      return aliases.get(`${name}@${alias}`) ?? null;
    },
    async list(filter) {
      const items = [...byId.values()].filter((m) => m.name === filter.name);
      return { items, total: items.length };
    },
  };
  return {
    repository: repository as ModelRepository,
    calls,
    hold: (gate: string) => gates.set(gate, () => {}),
    release: (gate: string) => {
      const open = gates.get(gate)!;
      gates.delete(gate);
      open();
    },
    elsewhere: {
      activate,
      rename: (modelId: string, name: string) => (byId.get(modelId)!.personas[0]!.name = name),
      delete: (modelId: string) => byId.delete(modelId),
      setAlias: (alias: string, modelId: string) => {
        const { name, version } = byId.get(modelId)!;
        aliases.set(`${name}@${alias}`, { modelName: name, alias, modelId, version, updatedAt: new Date(clock++), updatedBy: 'test' });
      },
    },
  };
}

const tick = () => new Promise((resolve) => setTimeout(resolve, 0));

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
    const first = registry.activate('v1', 'test');
    await new Promise((resolve) => setTimeout(resolve, 0));
    await registry.activate('v2', 'test');
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
    await registry.activate('a', 'test');
    expect((await registry.resolve()).id).toBe('a');
  });
});

describe('ModelRegistry.resolve with aliases', () => {
  it('serves name@alias from the aliases read at the last sync, without a query', async () => {
    const { repository, elsewhere, calls } = fakeModels([storedModel('v1', 'm', 1, new Date(10)), storedModel('v2', 'm', 2)]);
    elsewhere.setAlias('challenger', 'v2');
    const registry = new ModelRegistry(repository, { defaultModelName: null });
    await registry.loadActive();
    expect((await registry.resolve('m@challenger')).id).toBe('v2');
    expect(calls.findAlias).toBe(0);
  });

  it('looks up an alias set since the last sync, and follows it once synchronized', async () => {
    const { repository, elsewhere } = fakeModels([storedModel('v1', 'm', 1, new Date(10)), storedModel('v2', 'm', 2)]);
    const registry = new ModelRegistry(repository, { defaultModelName: null });
    await registry.loadActive();
    elsewhere.setAlias('champion', 'v1');
    const champion = await registry.resolve('m@champion');
    expect(champion.id).toBe('v1');
    expect(champion).toBe(registry.default);
    elsewhere.setAlias('champion', 'v2');
    await registry.synchronize();
    expect((await registry.resolve('m@champion')).id).toBe('v2');
  });

  it('tells an unknown alias from an unknown name', async () => {
    const { repository } = fakeModels([storedModel('v1', 'm', 1, new Date(10))]);
    const registry = new ModelRegistry(repository, { defaultModelName: null });
    await registry.loadActive();
    await expect(registry.resolve('m@challenger')).rejects.toThrow('model m has no alias challenger');
    await expect(registry.resolve('other@challenger')).rejects.toThrow('no model is named other');
  });
});

describe('ModelRegistry.synchronize', () => {
  it('serves a version another replica activated, and the rollback after it', async () => {
    const { repository, elsewhere } = fakeModels([storedModel('v1', 'm', 1, new Date(10)), storedModel('v2', 'm', 2)]);
    const registry = new ModelRegistry(repository, { defaultModelName: null });
    await registry.loadActive();
    elsewhere.activate('v2');
    await registry.synchronize();
    expect(registry.default?.id).toBe('v2');
    elsewhere.activate('v1');
    await registry.synchronize();
    expect(registry.default?.id).toBe('v1');
    expect(registry.active().map((m) => m.id)).toEqual(['v1']);
  });

  it('keeps a local activation that committed while a sync was reading the database', async () => {
    const { repository, hold, release } = fakeModels([storedModel('v1', 'm', 1, new Date(10)), storedModel('v2', 'm', 2)]);
    const registry = new ModelRegistry(repository, { defaultModelName: null });
    await registry.loadActive();
    hold('state');
    const sync = registry.synchronize();
    await tick();
    await registry.activate('v2', 'test');
    release('state');
    await sync;
    expect(registry.default?.id).toBe('v2');
  });

  it('picks up a persona renamed elsewhere and keeps the model object when nothing changed', async () => {
    const { repository, elsewhere } = fakeModels([storedModel('v1', 'm', 1, new Date(10))]);
    const registry = new ModelRegistry(repository, { defaultModelName: null });
    await registry.loadActive();
    const loaded = registry.default;
    await registry.synchronize();
    expect(registry.default).toBe(loaded);
    elsewhere.rename('v1', 'Renamed');
    await registry.synchronize();
    expect(registry.default?.personas[0]?.name).toBe('Renamed');
    expect(registry.default?.id).toBe('v1');
  });

  it('forgets a cached version deleted elsewhere', async () => {
    const v2 = '00000000-0000-4000-8000-000000000002';
    const { repository, elsewhere } = fakeModels([storedModel('v1', 'm', 1, new Date(10)), storedModel(v2, 'm', 2)]);
    const registry = new ModelRegistry(repository, { defaultModelName: null });
    await registry.loadActive();
    expect((await registry.resolve(v2)).id).toBe(v2);
    elsewhere.delete(v2);
    await registry.synchronize();
    await expect(registry.resolve(v2)).rejects.toThrow(`model ${v2} does not exist`);
  });

  it('runs one sync at a time, and requests made while one runs share the next', async () => {
    const { repository, calls, hold, release, elsewhere } = fakeModels([storedModel('v1', 'm', 1, new Date(10)), storedModel('v2', 'm', 2)]);
    const registry = new ModelRegistry(repository, { defaultModelName: null });
    await registry.loadActive();
    calls.listServingState = 0;
    hold('state');
    const running = registry.synchronize();
    await tick();
    elsewhere.activate('v2');
    const queued = [registry.synchronize(), registry.synchronize(), registry.synchronize()];
    expect(calls.listServingState).toBe(1);
    release('state');
    await Promise.all([running, ...queued]);
    expect(calls.listServingState).toBe(2);
    // The sync that ran first read the database before the activation; the shared one after it.
    expect(registry.default?.id).toBe('v2');
  });
});

describe('ModelRegistry.follow', () => {
  const log = { info: () => {}, warn: () => {} };

  /** A feed whose announcements the test makes. */
  function manualFeed() {
    const listeners = new Set<Parameters<ModelChangeFeed['subscribe']>[0]>();
    const feed: ModelChangeFeed = {
      subscribe(listener) {
        listeners.add(listener);
        return () => listeners.delete(listener);
      },
      async close() {},
    };
    return { feed, announce: (change: ModelChange) => listeners.forEach((listener) => listener.onChange(change)), listeners };
  }

  async function until(condition: () => boolean): Promise<void> {
    for (let waitedMs = 0; !condition(); waitedMs += 5) {
      if (waitedMs > 2_000) throw new Error('condition not met within 2 s');
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  }

  it('synchronizes when the feed announces a change from another replica', async () => {
    const { repository, elsewhere } = fakeModels([storedModel('v1', 'm', 1, new Date(10)), storedModel('v2', 'm', 2)]);
    const registry = new ModelRegistry(repository, { defaultModelName: null });
    const { feed, announce, listeners } = manualFeed();
    registry.follow(feed, { intervalMs: 0, log });
    await registry.loadActive();
    elsewhere.activate('v2');
    announce({ kind: 'activated', modelId: 'v2', replica: 'other' });
    await until(() => registry.default?.id === 'v2');
    await registry.stopFollowing();
    expect(listeners.size).toBe(0);
  });

  it('catches an unannounced change with the periodic check', async () => {
    const { repository, elsewhere } = fakeModels([storedModel('v1', 'm', 1, new Date(10)), storedModel('v2', 'm', 2)]);
    const registry = new ModelRegistry(repository, { defaultModelName: null });
    registry.follow(null, { intervalMs: 10, log });
    await registry.loadActive();
    elsewhere.activate('v2');
    await until(() => registry.default?.id === 'v2');
    await registry.stopFollowing();
  });

  it('logs a failed sync and recovers on the next check', async () => {
    const { repository, elsewhere } = fakeModels([storedModel('v1', 'm', 1, new Date(10)), storedModel('v2', 'm', 2)]);
    const registry = new ModelRegistry(repository, { defaultModelName: null });
    await registry.loadActive();
    const listServingState = repository.listServingState;
    let failures = 1;
    repository.listServingState = async (ids) => {
      if (failures-- > 0) throw new Error('connection lost');
      return listServingState(ids);
    };
    const warnings: string[] = [];
    registry.follow(null, { intervalMs: 10, log: { info: () => {}, warn: (_fields, message) => warnings.push(message) } });
    elsewhere.activate('v2');
    await until(() => registry.default?.id === 'v2');
    await registry.stopFollowing();
    expect(warnings).toEqual(['model sync failed; retrying on the next change or check']);
  });
});
