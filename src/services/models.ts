import { ConflictError, NotFoundError, ValidationError } from '../domain/errors.ts';
import type { FairnessAudit } from '../domain/fairness.ts';
import type { ActivationChange, ModelFilter, ModelRepository, Page, PersonaRepository } from '../domain/repositories.ts';
import type { ModelArtifacts, ModelSummary } from '../domain/model.ts';
import type { ModelAlias, ModelEvent } from '../domain/model-history.ts';
import { modelRefOf, NO_EVENTS } from '../domain/events.ts';
import type { EventPublisher } from '../domain/events.ts';
import type { Persona } from '../domain/persona.ts';
import { matchPersonas } from './persona-continuity.ts';
import type { PersonaMatching } from './persona-continuity.ts';
import type { ModelRegistry } from './registry.ts';
import type { MergeRequest, TrainingProgress, TrainingRequest, TrainingRunOptions, TrainingRunner } from './training.ts';

export type GovernanceMode = 'standard' | 'strict';

/** The reason given to activate a version whose fairness audit does not pass (strict mode). */
export interface FairnessOverride {
  reason: string;
}

export interface ModelDetail extends ModelSummary {
  personas: Persona[];
  map: ModelArtifacts['map'];
}

/** What an alias is set to: a version number of the name, or a version's id (which must be of that name). */
export type AliasTarget = { version: number } | { modelId: string };

/**
 * Model versions: training, listing, activation and rollback (through the registry, so serving
 * follows), deletion, history and aliases. `actor` is the name of the API key making a change; it
 * is recorded in the name's history.
 */
export class ModelService {
  private readonly models: ModelRepository;
  private readonly personas: PersonaRepository;
  private readonly registry: ModelRegistry;
  private readonly training: TrainingRunner;
  /** Receives model.trained and model.activated (webhooks); storing an event never fails the change. */
  private readonly events: EventPublisher;
  /** strict: activation needs a passing fairness audit or an override with a reason. */
  private readonly governanceMode: GovernanceMode;

  constructor(
    models: ModelRepository,
    personas: PersonaRepository,
    registry: ModelRegistry,
    training: TrainingRunner,
    events: EventPublisher = NO_EVENTS,
    options: { governanceMode?: GovernanceMode } = {},
  ) {
    this.models = models;
    this.personas = personas;
    this.registry = registry;
    this.training = training;
    this.events = events;
    this.governanceMode = options.governanceMode ?? 'standard';
  }

  /** @param options for a background job: its id (stored with the model) and how to stop the training */
  async train(request: TrainingRequest, onProgress?: (progress: TrainingProgress) => void, options: TrainingRunOptions = {}): Promise<ModelDetail> {
    const model = await this.training.train(request, onProgress, options);
    return this.trained(await this.detail(model));
  }

  /** A new version with the given personas merged into one (see TrainingService.merge). */
  async merge(request: MergeRequest, onProgress?: (progress: TrainingProgress) => void): Promise<ModelDetail> {
    const model = await this.training.merge(request, onProgress);
    return this.trained(await this.detail(model));
  }

  private async trained(model: ModelDetail): Promise<ModelDetail> {
    await this.events.publish({ type: 'model.trained', data: { model: modelRefOf(model), algorithm: model.algorithm, personas: model.personas.length } });
    return model;
  }

  private async activated(change: ActivationChange, reason: 'activation' | 'rollback'): Promise<ActivationChange> {
    const previous = change.previous ? modelRefOf(change.previous) : null;
    await this.events.publish({ type: 'model.activated', data: { model: modelRefOf(change.activated), previous, reason } });
    return change;
  }

  list(filter: ModelFilter, page: Page) {
    return this.models.list(filter, page);
  }

  async get(id: string): Promise<ModelDetail> {
    const model = await this.models.findById(id);
    if (!model) throw new NotFoundError(`model ${id} does not exist`);
    return this.detail(model);
  }

  private async detail(model: ModelSummary): Promise<ModelDetail> {
    const [personas, artifacts] = await Promise.all([this.personas.listByModel(model.id), this.models.findArtifacts(model.id)]);
    return { ...model, personas, map: artifacts?.map ?? null };
  }

  /** How the personas of two versions correspond (Hungarian matching in their shared feature space). */
  async compare(id: string, otherId: string): Promise<{ from: ModelSummary; to: ModelSummary } & PersonaMatching> {
    const [from, to] = await Promise.all([this.get(id), this.get(otherId)]);
    return { from, to, ...matchPersonas(from.personas, to.personas) };
  }

  /**
   * Makes the version active. In strict governance mode a version whose fairness audit is not `pass`
   * (or that was not audited) is refused with a ConflictError naming the checks, unless `override`
   * gives a reason; a reason given is recorded with the activation in the name's history.
   */
  async activate(id: string, actor: string, options: { override?: FairnessOverride | undefined } = {}): Promise<ActivationChange> {
    const gate = await this.fairnessGate(id);
    const reason = options.override?.reason ?? null;
    if (!gate.allowed && reason === null) {
      throw new ConflictError(`${gate.note}; to activate it anyway, send { "override": { "reason": "…" } } (recorded in the model's history)`);
    }
    return this.activated(await this.registry.activate(id, actor, reason), 'activation');
  }

  /**
   * Whether strict governance lets the version be activated without an override: always in standard
   * mode; in strict mode only with a passing fairness audit. The note says why, in words.
   * @throws NotFoundError for an unknown version
   */
  async fairnessGate(id: string): Promise<{ allowed: boolean; note: string }> {
    if (this.governanceMode === 'standard') return { allowed: true, note: 'standard governance: no audit required' };
    const { model, audit } = await this.fairness(id);
    const version = `${model.name} v${model.version}`;
    if (!audit) return { allowed: false, note: `strict governance: ${version} was not audited for fairness (no protected attributes declared)` };
    if (audit.verdict !== 'pass') return { allowed: false, note: `strict governance: the fairness audit of ${version} is "${audit.verdict}" — ${audit.reason}` };
    return { allowed: true, note: `strict governance: the fairness audit of ${version} passes` };
  }

  /** The version and its stored fairness audit (null: not audited, no protected attribute was declared). */
  async fairness(id: string): Promise<{ model: ModelSummary; audit: FairnessAudit | null }> {
    const [model, stored] = await Promise.all([this.models.findById(id), this.models.findFairness(id)]);
    if (!model || !stored) throw new NotFoundError(`model ${id} does not exist`);
    return { model, audit: stored.audit };
  }

  /**
   * Activates the version of `name` that was active before the current one; a second rollback
   * returns to where the first started. Deleted versions are skipped.
   * @throws NotFoundError for an unknown name; ConflictError when no previously active version is left
   */
  async rollback(name: string, actor: string): Promise<ActivationChange> {
    return this.activated(await this.registry.rollback(name, actor), 'rollback');
  }

  async delete(id: string, actor: string): Promise<void> {
    await this.models.delete(id, actor);
    this.registry.forget(id);
  }

  /** The name's activations, rollbacks, deletions and alias changes, newest first; NotFoundError for a name never seen. */
  async history(name: string, page: Page): Promise<{ items: ModelEvent[]; total: number }> {
    const history = await this.models.history(name, page);
    // A name whose versions were all deleted keeps its history.
    if (history.total === 0) await this.requireName(name);
    return history;
  }

  async listAliases(name: string): Promise<ModelAlias[]> {
    await this.requireName(name);
    return this.models.listAliases(name);
  }

  /**
   * Points an alias of `name` at one of its versions; `?model=name@alias` serves that version on
   * every replica once this returns here, and within the change feed's delay elsewhere.
   * @throws NotFoundError for an unknown name; ValidationError (pointer /version or /modelId) for a
   *   version that does not exist or is not of this name
   */
  async setAlias(name: string, alias: string, target: AliasTarget, actor: string): Promise<{ alias: ModelAlias; previous: ModelAlias | null }> {
    await this.requireName(name);
    const modelId = await this.versionOf(name, target);
    const result = await this.models.setAlias(name, alias, modelId, actor);
    // Runs after any sync in progress, so this replica resolves the alias anew before answering.
    await this.registry.synchronize();
    return result;
  }

  /** Removes an alias; NotFoundError when the name or the alias does not exist. */
  async removeAlias(name: string, alias: string, actor: string): Promise<ModelAlias> {
    await this.requireName(name);
    const removed = await this.models.removeAlias(name, alias, actor);
    if (!removed) throw new NotFoundError(`model ${name} has no alias ${alias}`);
    await this.registry.synchronize();
    return removed;
  }

  private async requireName(name: string): Promise<void> {
    const { total } = await this.models.list({ name }, { limit: 1, offset: 0 });
    if (total === 0) throw new NotFoundError(`no model is named ${name}`);
  }

  private async versionOf(name: string, target: AliasTarget): Promise<string> {
    if ('version' in target) {
      const model = await this.models.findByNameAndVersion(name, target.version);
      if (model) return model.id;
      throw new ValidationError(`model ${name} has no version ${target.version}`, [
        { location: 'body', pointer: '/version', code: 'unknown_version', message: `${name} has no version ${target.version}` },
      ]);
    }
    const model = await this.models.findById(target.modelId);
    if (model?.name === name) return model.id;
    const message = model ? `model ${target.modelId} is version ${model.version} of ${model.name}, not a version of ${name}` : `model ${target.modelId} does not exist`;
    throw new ValidationError(message, [{ location: 'body', pointer: '/modelId', code: model ? 'other_model_name' : 'unknown_model', message }]);
  }
}
