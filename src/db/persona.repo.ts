import { z } from 'zod';
import { PersonaDrivers, PersonaEdits, PersonaProfile, PersonaQuality, Strategy, Trait } from '../domain/persona.ts';
import type { Persona, Recommendation } from '../domain/persona.ts';
import { ConflictError, NotFoundError } from '../domain/errors.ts';
import type { PersonaEdit, PersonaRepository } from '../domain/repositories.ts';
import type { Database } from './client.ts';
import type { Prisma } from './generated/client.ts';
import { announceModelChange } from './model-changes.ts';
import { isRecordNotFound, isUniqueViolation } from './prisma-errors.ts';

const Traits = z.array(Trait);
const Strategies = z.array(Strategy);

const personaSelect = {
  id: true,
  modelId: true,
  index: true,
  key: true,
  name: true,
  tagline: true,
  description: true,
  traits: true,
  profile: true,
  drivers: true,
  strategies: true,
  edits: true,
  size: true,
  share: true,
  centroid: true,
  quality: true,
} as const;

function toPersona(row: Prisma.PersonaGetPayload<{ select: typeof personaSelect }>): Persona {
  return {
    ...row,
    traits: Traits.parse(row.traits),
    quality: PersonaQuality.parse(row.quality),
    profile: PersonaProfile.parse(row.profile),
    drivers: PersonaDrivers.parse(row.drivers),
    strategies: Strategies.parse(row.strategies),
    edits: PersonaEdits.parse(row.edits),
  };
}

export interface PersonaRepositoryOptions {
  /** Names the announcing replica in change announcements (null: a process that serves nothing). */
  replicaId?: string | null;
}

/** A stored product ranking with its product, as GET /v1/personas/:id/recommendations and POST /v1/recommendations read it. */
export const recommendationSelect = {
  rank: true,
  support: true,
  personaRate: true,
  overallRate: true,
  lift: true,
  buyers: true,
  product: { select: { externalId: true, name: true, category: true, price: true } },
} as const;

type RecommendationRow = Omit<Recommendation, 'product'> & { product: { externalId: string; name: string; category: string | null; price: number | null } };

export function toRecommendation({ product, ...figures }: RecommendationRow): Recommendation {
  return { ...figures, product: { id: product.externalId, name: product.name, category: product.category, price: product.price } };
}

export function createPersonaRepository(db: Database, { replicaId = null }: PersonaRepositoryOptions = {}): PersonaRepository {
  return {
    async listByModel(modelId: string) {
      const rows = await db.persona.findMany({ where: { modelId }, select: personaSelect, orderBy: { index: 'asc' } });
      return rows.map(toPersona);
    },

    async findById(id: string) {
      const row = await db.persona.findUnique({ where: { id }, select: personaSelect });
      return row ? toPersona(row) : null;
    },

    async update(id: string, edit: PersonaEdit) {
      try {
        const row = await db.$transaction(async (tx) => {
          const updated = await tx.persona.update({
            where: { id },
            data: {
              ...(edit.name === undefined ? {} : { name: edit.name }),
              ...(edit.description === undefined ? {} : { description: edit.description }),
              ...(edit.strategies === undefined ? {} : { strategies: edit.strategies }),
              edits: edit.edits,
            },
            select: personaSelect,
          });
          // Replicas serving the model pick up a new name; other edits cost them one cheap check.
          await announceModelChange(tx, { kind: 'edited', modelId: updated.modelId, replica: replicaId });
          return updated;
        });
        return toPersona(row);
      } catch (error) {
        if (isUniqueViolation(error)) throw new ConflictError(`another persona of this model is already named "${edit.name}"`);
        if (isRecordNotFound(error)) throw new NotFoundError(`persona ${id} does not exist`);
        throw error;
      }
    },

    async recommendations(personaId, { minSupport, rankBy, limit, offset }) {
      const where = { personaId, support: { gte: minSupport } };
      const [rows, total] = await Promise.all([
        db.personaRecommendation.findMany({
          where,
          // Lift order is served by the (persona_id, rank) index; confidence order sorts the persona's
          // few hundred stored rows found by the same index.
          orderBy: rankBy === 'lift' ? { rank: 'asc' } : [{ personaRate: 'desc' }, { buyers: 'desc' }, { rank: 'asc' }],
          take: limit,
          skip: offset,
          select: recommendationSelect,
        }),
        db.personaRecommendation.count({ where }),
      ]);
      return {
        items: rows.map(toRecommendation),
        total,
      };
    },
  };
}
