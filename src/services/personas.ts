import { NotFoundError } from '../domain/errors.ts';
import type { Page, PersonaRepository } from '../domain/repositories.ts';
import type { ModelRegistry } from './registry.ts';

/** Persona reads: the personas of a model (the default one unless named) and their recommendations. */
export class PersonaService {
  private readonly personas: PersonaRepository;
  private readonly registry: ModelRegistry;

  constructor(personas: PersonaRepository, registry: ModelRegistry) {
    this.personas = personas;
    this.registry = registry;
  }

  /** @param modelReference model id, name (its active version) or name@version; default: the served model */
  async list(modelReference?: string) {
    const model = await this.registry.resolve(modelReference);
    return { model, personas: await this.personas.listByModel(model.id) };
  }

  async get(id: string) {
    const persona = await this.personas.findById(id);
    if (!persona) throw new NotFoundError(`persona ${id} does not exist`);
    return persona;
  }

  async recommendations(personaId: string, options: { minSupport: number } & Page) {
    await this.get(personaId);
    return this.personas.recommendations(personaId, options);
  }
}
