/**
 * The models this replica serves, compiled in memory. Active models are loaded at start and swapped
 * atomically (a request sees either the old or the new model object, never a mix); other versions
 * named with ?model= are loaded on first use and kept in a small cache for shadow tests.
 *
 * Aliases (`name@champion`) are resolved through a map read with the active versions, so serving
 * them costs no query; an alias this replica does not know yet is looked up in the database.
 *
 * Replicas share nothing but the database. A change made here (activation, persona edit, deletion)
 * is applied here at once; changes made by other replicas arrive through a ModelChangeFeed and, as a
 * fallback, through a periodic check. Either way the registry runs one `synchronize()`: it reads what
 * serving depends on from the database and recompiles only what differs, so a lost, duplicated or
 * reordered announcement can delay a change but never apply a wrong one.
 */
import { NoActiveModelError, NotFoundError } from '../domain/errors.ts';
import { ALIAS_PATTERN } from '../domain/model-history.ts';
import type { ActivationChange, ModelChangeFeed, ModelRepository, ModelServingState } from '../domain/repositories.ts';
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

/** The part of a pino logger the registry uses. */
export interface RegistryLog {
  info(fields: object, message: string): void;
  warn(fields: object, message: string): void;
}

export interface FollowOptions {
  /** Period of the check that catches changes the feed missed; 0 turns it off. */
  intervalMs: number;
  log: RegistryLog;
}

export class ModelRegistry {
  private readonly models: ModelRepository;
  private readonly options: RegistryOptions;
  /** Replaced, never mutated: a sync can tell whether a name was swapped while it read the database. */
  private activeByName: ReadonlyMap<string, CompiledModel> = new Map();
  private defaultModel: CompiledModel | null = null;
  /** `name@alias` → version id, as of the last sync (and local changes). */
  private aliases: ReadonlyMap<string, string> = new Map();
  private readonly inactiveCache = new Map<string, CompiledModel>();
  /** The sync that runs or last ran; syncs run one at a time, so none publishes over a later one. */
  private currentSync: Promise<void> = Promise.resolve();
  /** A sync requested but not yet started: requests made meanwhile share it. */
  private queuedSync: Promise<void> | null = null;
  private following: { unsubscribe: () => void; timer: NodeJS.Timeout | null } | null = null;
  private syncLog: RegistryLog | null = null;

  constructor(models: ModelRepository, options: RegistryOptions) {
    this.models = models;
    this.options = options;
  }

  /** Loads and compiles every active version (start-up). */
  async loadActive(): Promise<void> {
    await this.synchronize();
  }

  /** Activates a version in the database, then swaps it in (other replicas follow through their feed). */
  async activate(id: string, actor: string, reason: string | null = null): Promise<ActivationChange> {
    return this.swapIn(await this.models.activate(id, actor, reason));
  }

  /** Returns `name` to its previously active version (see ModelRepository.rollback), then swaps it in. */
  async rollback(name: string, actor: string): Promise<ActivationChange> {
    return this.swapIn(await this.models.rollback(name, actor));
  }

  private async swapIn(result: ActivationChange): Promise<ActivationChange> {
    const id = result.activated.id;
    const compiled = { ...(this.inactiveCache.get(id) ?? (await this.loadCompiled(id))), activatedAt: result.activated.activatedAt };
    this.inactiveCache.delete(id);
    // Concurrent activations of one name commit in order of their activation time, but may finish
    // loading in another order: the latest activation wins in memory as it does in the database.
    const current = this.activeByName.get(compiled.name);
    if (!current || activationTime(current) <= activationTime(compiled)) {
      const next = new Map(this.activeByName);
      next.set(compiled.name, compiled);
      this.publish(next);
    }
    return result;
  }

  /** Drops a deleted version from the caches, with the aliases that pointed at it (the database dropped them). */
  forget(id: string): void {
    this.inactiveCache.delete(id);
    this.aliases = new Map([...this.aliases].filter(([, modelId]) => modelId !== id));
  }

  /**
   * Brings memory in line with the database: the active version of each name, and the personas of
   * every version held (active or cached). Compiles only what changed, then swaps the active set in
   * one assignment. Syncs run one at a time; a request made while one runs starts another after it
   * (that one may have read the database before the change that prompted the request).
   */
  synchronize(): Promise<void> {
    if (this.queuedSync) return this.queuedSync;
    const sync = this.currentSync
      .catch(() => {})
      .then(() => {
        this.queuedSync = null;
        return this.synchronizeOnce();
      });
    this.queuedSync = sync;
    this.currentSync = sync;
    return sync;
  }

  /**
   * Follows changes made by other replicas: each announcement from `feed` (null: none) and each
   * `intervalMs` trigger a synchronize(). Failures are logged and retried on the next trigger.
   */
  follow(feed: ModelChangeFeed | null, { intervalMs, log }: FollowOptions): void {
    if (this.following) throw new Error('the registry already follows model changes');
    const synchronizeInBackground = () => {
      this.synchronize().catch((err: unknown) => log.warn({ err }, 'model sync failed; retrying on the next change or check'));
    };
    const unsubscribe =
      feed?.subscribe({
        onChange: (change) => {
          log.info({ change: change.kind, modelId: change.modelId }, 'model changed on another replica');
          synchronizeInBackground();
        },
        onResync: synchronizeInBackground,
      }) ?? (() => {});
    const timer = intervalMs > 0 ? setInterval(synchronizeInBackground, intervalMs) : null;
    // The check must not keep a process alive that is otherwise done.
    timer?.unref();
    this.following = { unsubscribe, timer };
    this.syncLog = log;
  }

  /** Stops following and waits for a sync in progress, so it does not outlive the database client. */
  async stopFollowing(): Promise<void> {
    if (!this.following) return;
    this.following.unsubscribe();
    if (this.following.timer) clearInterval(this.following.timer);
    this.following = null;
    await this.currentSync.catch(() => {});
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
   * Resolves `?model=`: a model id, a model name (its active version), `name@version` or
   * `name@alias`. Without a reference, the default model.
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
    // name@version or an alias may name the active version: serve the compiled copy in use.
    for (const model of this.activeByName.values()) if (model.id === id) return model;
    const cached = this.inactiveCache.get(id);
    if (cached) return cached;
    const compiled = await this.loadCompiled(id);
    this.inactiveCache.set(id, compiled);
    if (this.inactiveCache.size > INACTIVE_CACHE_SIZE) this.inactiveCache.delete(this.inactiveCache.keys().next().value!);
    return compiled;
  }

  private async synchronizeOnce(): Promise<void> {
    const before = this.activeByName;
    const cachedIds = [...this.inactiveCache.keys()];
    const [states, aliases] = await Promise.all([this.models.listServingState(cachedIds), this.models.listAliases()]);
    const held = new Map([...before.values(), ...this.inactiveCache.values()].map((model) => [model.id, model]));
    const stale = states.filter((state) => {
      const model = held.get(state.id);
      return !model || !servesState(model, state);
    });
    const recompiled = new Map<string, CompiledModel>();
    await Promise.all(
      stale.map(async (state) => {
        const stored = await this.models.loadStored(state.id);
        // Null: a cached version deleted since the read above; it is dropped below.
        if (stored) recompiled.set(state.id, compileModel(stored));
      }),
    );
    const latest = (state: ModelServingState) => recompiled.get(state.id) ?? held.get(state.id);

    const fromDatabase = new Map<string, CompiledModel>();
    for (const state of states) {
      const model = state.isActive ? latest(state) : undefined;
      if (model) fromDatabase.set(state.name, model);
    }
    const current = this.activeByName;
    const next = new Map(fromDatabase);
    for (const [name, model] of current) {
      if (model === before.get(name)) continue;
      // Swapped in by a local activation while this sync read the database: keep it unless the
      // database holds a later activation of the name.
      const read = next.get(name);
      if (!read || activationTime(read) <= activationTime(model)) next.set(name, model);
    }
    const isUnchanged = next.size === current.size && [...next].every(([name, model]) => current.get(name) === model);
    if (!isUnchanged) this.publish(next);
    this.aliases = new Map(aliases.map((alias) => [`${alias.modelName}@${alias.alias}`, alias.modelId]));

    const stateById = new Map(states.map((state) => [state.id, state]));
    const forgotten: string[] = [];
    for (const id of cachedIds) {
      const state = stateById.get(id);
      const model = state ? latest(state) : undefined;
      if (!model) forgotten.push(id);
      // An active version is served from the active set; the cache would only hold a stale copy.
      if (!model || state!.isActive) this.inactiveCache.delete(id);
      else if (recompiled.has(id) && this.inactiveCache.has(id)) this.inactiveCache.set(id, model);
    }
    if (!isUnchanged || forgotten.length > 0 || recompiled.size > 0) {
      this.syncLog?.info(
        {
          active: [...next.values()].map(({ id, name, version }) => ({ id, name, version })),
          reloaded: [...recompiled.values()].map(({ id, name, version }) => ({ id, name, version })),
          forgotten,
        },
        'models synchronized with the database',
      );
    }
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
    const at = reference.lastIndexOf('@');
    const alias = reference.slice(at + 1);
    if (at > 0 && ALIAS_PATTERN.test(alias)) {
      const name = reference.slice(0, at);
      // Not in the map: set on another replica a moment ago, or unknown.
      const id = this.aliases.get(reference) ?? (await this.models.findAlias(name, alias))?.modelId;
      if (id) return id;
      const { total } = await this.models.list({ name }, { limit: 1, offset: 0 });
      throw new NotFoundError(total > 0 ? `model ${name} has no alias ${alias}` : `no model is named ${name}`);
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

  private publish(activeByName: ReadonlyMap<string, CompiledModel>): void {
    const preferred = this.options.defaultModelName ? activeByName.get(this.options.defaultModelName) : undefined;
    const fallback = this.options.defaultModelName ? null : ([...activeByName.values()].sort(byActivationDesc)[0] ?? null);
    // Both fields are replaced together, synchronously: no request can observe one without the other.
    this.activeByName = activeByName;
    this.defaultModel = preferred ?? fallback;
  }
}

/** Whether a compiled model still matches the database: same activation, same personas. */
function servesState(model: CompiledModel, state: ModelServingState): boolean {
  if (state.isActive && activationTime(model) !== (state.activatedAt?.getTime() ?? 0)) return false;
  return (
    model.personas.length === state.personas.length &&
    model.personas.every((persona, i) => {
      const stored = state.personas[i]!;
      return persona.id === stored.id && persona.key === stored.key && persona.name === stored.name;
    })
  );
}

function activationTime(model: CompiledModel): number {
  return model.activatedAt?.getTime() ?? 0;
}

function byActivationDesc(a: CompiledModel, b: CompiledModel): number {
  return activationTime(b) - activationTime(a);
}
