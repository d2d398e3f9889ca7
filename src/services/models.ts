import { NotFoundError } from '../domain/errors.ts';
import type { ModelFilter, ModelRepository, Page, PersonaRepository } from '../domain/repositories.ts';
import type { ModelArtifacts, ModelSummary } from '../domain/model.ts';
import type { Persona } from '../domain/persona.ts';
import { matchPersonas } from './persona-continuity.ts';
import type { PersonaMatching } from './persona-continuity.ts';
import type { ModelRegistry } from './registry.ts';
import type { MergeRequest, TrainingProgress, TrainingRequest, TrainingRunner } from './training.ts';

export interface ModelDetail extends ModelSummary {
  personas: Persona[];
  map: ModelArtifacts['map'];
}

/** Model versions: training, listing, activation (through the registry, so serving follows) and deletion. */
export class ModelService {
  private readonly models: ModelRepository;
  private readonly personas: PersonaRepository;
  private readonly registry: ModelRegistry;
  private readonly training: TrainingRunner;

  constructor(models: ModelRepository, personas: PersonaRepository, registry: ModelRegistry, training: TrainingRunner) {
    this.models = models;
    this.personas = personas;
    this.registry = registry;
    this.training = training;
  }

  async train(request: TrainingRequest, onProgress?: (progress: TrainingProgress) => void): Promise<ModelDetail> {
    const model = await this.training.train(request, onProgress);
    return this.detail(model);
  }

  /** A new version with the given personas merged into one (see TrainingService.merge). */
  async merge(request: MergeRequest, onProgress?: (progress: TrainingProgress) => void): Promise<ModelDetail> {
    const model = await this.training.merge(request, onProgress);
    return this.detail(model);
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

  async activate(id: string): Promise<{ activated: ModelSummary; previous: ModelSummary | null }> {
    return this.registry.activate(id);
  }

  async delete(id: string): Promise<void> {
    await this.models.delete(id);
    this.registry.forget(id);
  }
}
