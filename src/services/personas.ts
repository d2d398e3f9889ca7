import { NotFoundError } from '../domain/errors.ts';
import type { Persona, RankingRule, Strategy } from '../domain/persona.ts';
import type { Page, PersonaRepository } from '../domain/repositories.ts';
import { recommendationReason } from './recommendations.ts';
import type { ModelRegistry } from './registry.ts';

/** Persona reads: the personas of a model (the default one unless named) and their recommendations. */
export class PersonaService {
  private readonly personas: PersonaRepository;
  private readonly registry: ModelRegistry;

  constructor(personas: PersonaRepository, registry: ModelRegistry) {
    this.personas = personas;
    this.registry = registry;
  }

  /** @param modelReference model id, name (its active version), name@version or name@alias; default: the served model */
  async list(modelReference?: string) {
    const model = await this.registry.resolve(modelReference);
    return { model, personas: await this.personas.listByModel(model.id) };
  }

  async get(id: string) {
    const persona = await this.personas.findById(id);
    if (!persona) throw new NotFoundError(`persona ${id} does not exist`);
    return persona;
  }

  /**
   * A person's edit of the name, description or strategies. Recorded with who and when, so that the
   * persona of a retrained version that matches this one inherits it; serving picks the name up at once.
   */
  async edit(id: string, changes: { name?: string | undefined; description?: string | undefined; strategies?: Strategy[] | undefined }, editor: string): Promise<Persona> {
    const persona = await this.get(id);
    const stamp = { by: editor, at: new Date().toISOString() };
    const edits = { ...persona.edits };
    if (changes.name !== undefined) edits.name = stamp;
    if (changes.description !== undefined) edits.description = stamp;
    if (changes.strategies !== undefined) edits.strategies = stamp;
    const updated = await this.personas.update(id, { ...changes, edits });
    // Serving here picks up a new name before the response; other replicas hear of the edit on commit.
    await this.registry.synchronize();
    return updated;
  }

  /**
   * A page of the persona's products with at least `minSupport` persona buyers, in `rankBy` order
   * (default lift: what sets the persona apart);
   * `rank` is the position in that order (from 1, counting earlier pages), each with its reason.
   */
  async recommendations(personaId: string, options: { minSupport: number; rankBy?: RankingRule | undefined } & Page) {
    const persona = await this.get(personaId);
    const page = await this.personas.recommendations(personaId, { ...options, rankBy: options.rankBy ?? 'lift' });
    return {
      ...page,
      items: page.items.map((item, i) => ({ ...item, rank: options.offset + i + 1, reason: recommendationReason(persona.name, item) })),
    };
  }
}
