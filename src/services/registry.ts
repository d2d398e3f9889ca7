/**
 * The models this replica serves, compiled in memory. Active models are loaded at start and swapped
 * atomically on activation (a request sees either the old or the new model object, never a mix);
 * other versions named with ?model= are loaded on first use and kept in a small cache for shadow tests.
 */
import { NoActiveModelError, NotFoundError } from '../domain/errors.ts';
import type { ModelSummary } from '../domain/model.ts';
import type { ModelRepository } from '../domain/repositories.ts';
import { compileModel } from './compiled-model.ts';
import type { CompiledModel } from './compiled-model.ts';

/** Non-active versions kept compiled for ?model= requests. */
const INACTIVE_CACHE_SIZE = 8;
const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const NAME_AT_VERSION = /^(.+)@(\d+)$/;

export interface RegistryOptions {
  /** Model name served without ?model= (null: the most recently activated model). */
  defaultModelName: string | null;
}

export class ModelRegistry {
  private readonly models: ModelRepository;
  private readonly options: RegistryOptions;
  private activeByName = new Map<string, CompiledModel>();
  private defaultModel: CompiledModel | null = null;
  private readonly inactiveCache = new Map<string, CompiledModel>();

  constructor(models: ModelRepository, options: RegistryOptions) {
    this.models = models;
    this.options = options;
  }

  /** Loads and compiles every active version (start-up). */
  async loadActive(): Promise<void> {
    const ids = await this.models.listActiveIds();
    const compiled = await Promise.all(ids.map((id) => this.loadCompiled(id)));
    this.publish(new Map(compiled.map((model) => [model.name, model])));
  }

  /** Activates a version in the database, then swaps it in. */
  async activate(id: string): Promise<{ activated: ModelSummary; previous: ModelSummary | null }> {
    const result = await this.models.activate(id);
    const compiled = { ...(this.inactiveCache.get(id) ?? (await this.loadCompiled(id))), activatedAt: result.activated.activatedAt };
    this.inactiveCache.delete(id);
    // Concurrent activations of one name commit in order of their activation time, but may finish
    // loading in another order: the latest activation wins in memory as it does in the database.
    const current = this.activeByName.get(compiled.name);
    if (!current || (current.activatedAt?.getTime() ?? 0) <= (compiled.activatedAt?.getTime() ?? 0)) {
      const next = new Map(this.activeByName);
      next.set(compiled.name, compiled);
      this.publish(next);
    }
    return result;
  }

  /** Recompiles a version this replica serves or caches (after an edit of its personas). */
  async refresh(id: string): Promise<void> {
    const active = [...this.activeByName.values()].find((model) => model.id === id);
    if (active) {
      const next = new Map(this.activeByName);
      next.set(active.name, { ...(await this.loadCompiled(id)), activatedAt: active.activatedAt });
      this.publish(next);
    }
    if (this.inactiveCache.has(id)) this.inactiveCache.set(id, await this.loadCompiled(id));
  }

  /** Drops a deleted version from the caches. */
  forget(id: string): void {
    this.inactiveCache.delete(id);
  }

  /** Active models, most recently activated first. */
  active(): CompiledModel[] {
    return [...this.activeByName.values()].sort(byActivationDesc);
  }

  /** The model served without ?model=, or null when none is active. */
  get default(): CompiledModel | null {
    return this.defaultModel;
  }

  /**
   * Resolves `?model=`: a model id, a model name (its active version) or `name@version`.
   * Without a reference, the default model.
   */
  async resolve(reference?: string): Promise<CompiledModel> {
    if (reference === undefined) {
      if (!this.defaultModel) {
        throw new NoActiveModelError(
          this.options.defaultModelName
            ? `model ${this.options.defaultModelName} has no active version; activate one with POST /v1/models/{id}/activate`
            : 'no model is active; train one with POST /v1/models and activate it with POST /v1/models/{id}/activate',
        );
      }
      return this.defaultModel;
    }
    const active = this.activeByName.get(reference);
    if (active) return active;
    for (const model of this.activeByName.values()) if (model.id === reference) return model;
    const id = await this.findVersionId(reference);
    const cached = this.inactiveCache.get(id);
    if (cached) return cached;
    const compiled = await this.loadCompiled(id);
    this.inactiveCache.set(id, compiled);
    if (this.inactiveCache.size > INACTIVE_CACHE_SIZE) this.inactiveCache.delete(this.inactiveCache.keys().next().value!);
    return compiled;
  }

  private async findVersionId(reference: string): Promise<string> {
    if (UUID_PATTERN.test(reference)) {
      const model = await this.models.findById(reference);
      if (model) return model.id;
      throw new NotFoundError(`model ${reference} does not exist`);
    }
    const match = NAME_AT_VERSION.exec(reference);
    if (match) {
      const model = await this.models.findByNameAndVersion(match[1]!, Number(match[2]));
      if (model) return model.id;
      throw new NotFoundError(`model ${match[1]} has no version ${match[2]}`);
    }
    const { total } = await this.models.list({ name: reference }, { limit: 1, offset: 0 });
    if (total > 0) throw new NoActiveModelError(`model ${reference} has no active version`);
    throw new NotFoundError(`no model is named ${reference}`);
  }

  private async loadCompiled(id: string): Promise<CompiledModel> {
    const stored = await this.models.loadStored(id);
    if (!stored) throw new NotFoundError(`model ${id} does not exist`);
    return compileModel(stored);
  }

  private publish(activeByName: Map<string, CompiledModel>): void {
    const preferred = this.options.defaultModelName ? activeByName.get(this.options.defaultModelName) : undefined;
    const fallback = this.options.defaultModelName ? null : ([...activeByName.values()].sort(byActivationDesc)[0] ?? null);
    // Both fields are replaced together, synchronously: no request can observe one without the other.
    this.activeByName = activeByName;
    this.defaultModel = preferred ?? fallback;
  }
}

function byActivationDesc(a: CompiledModel, b: CompiledModel): number {
  return (b.activatedAt?.getTime() ?? 0) - (a.activatedAt?.getTime() ?? 0);
}
