import { ConflictError, NotFoundError } from '../domain/errors.ts';
import { Algorithm, FeatureSchema, ModelArtifacts, ModelMetrics, ModelParameters } from '../domain/model.ts';
import type { ModelSummary, StoredModel } from '../domain/model.ts';
import type { ModelFilter, ModelRepository, NewModel, Page } from '../domain/repositories.ts';
import type { Database } from './client.ts';
import { decodeMatrix, encodeMatrix } from './codec.ts';
import type { Prisma } from './generated/client.ts';
import { announceModelChange } from './model-changes.ts';
import { isUniqueViolation } from './prisma-errors.ts';

const summarySelect = {
  id: true,
  name: true,
  version: true,
  status: true,
  algorithm: true,
  parameters: true,
  metrics: true,
  datasetId: true,
  createdAt: true,
  activatedAt: true,
} as const;

type SummaryRow = Prisma.SegmentationModelGetPayload<{ select: typeof summarySelect }>;

function toSummary(row: SummaryRow): ModelSummary {
  return {
    id: row.id,
    name: row.name,
    version: row.version,
    status: row.status,
    algorithm: Algorithm.parse(row.algorithm),
    parameters: ModelParameters.parse(row.parameters),
    metrics: ModelMetrics.parse(row.metrics),
    datasetId: row.datasetId,
    createdAt: row.createdAt,
    activatedAt: row.activatedAt,
  };
}

// Two trainings of the same name can race for the next version number; the unique (name, version)
// index makes the loser fail, and it simply tries the following number.
const VERSION_RACE_ATTEMPTS = 5;

export interface ModelRepositoryOptions {
  /** Names the announcing replica in change announcements (null: a process that serves nothing). */
  replicaId?: string | null;
}

export function createModelRepository(db: Database, { replicaId = null }: ModelRepositoryOptions = {}): ModelRepository {
  async function findById(id: string): Promise<ModelSummary | null> {
    const row = await db.segmentationModel.findUnique({ where: { id }, select: summarySelect });
    return row ? toSummary(row) : null;
  }

  async function createOnce(model: NewModel): Promise<string> {
    return db.$transaction(
      async (tx) => {
        const latest = await tx.segmentationModel.aggregate({ where: { name: model.name }, _max: { version: true } });
        const created = await tx.segmentationModel.create({
          data: {
            name: model.name,
            version: (latest._max.version ?? 0) + 1,
            algorithm: model.algorithm,
            parameters: model.parameters,
            featureSchema: model.featureSchema,
            centroids: encodeMatrix(model.centroids),
            metrics: model.metrics,
            artifacts: model.artifacts,
            datasetId: model.datasetId,
          },
          select: { id: true },
        });
        for (const persona of model.personas) {
          const { recommendations, ...fields } = persona;
          await tx.persona.create({
            data: {
              ...fields,
              modelId: created.id,
              recommendations: { createMany: { data: recommendations } },
            },
            select: { id: true },
          });
        }
        return created.id;
      },
      { maxWait: 10_000, timeout: 60_000 },
    );
  }

  return {
    async create(model: NewModel) {
      for (let attempt = 1; ; attempt++) {
        try {
          return (await findById(await createOnce(model)))!;
        } catch (error) {
          if (!isUniqueViolation(error) || attempt >= VERSION_RACE_ATTEMPTS) throw error;
        }
      }
    },

    findById,

    async findByNameAndVersion(name: string, version: number) {
      const row = await db.segmentationModel.findUnique({ where: { name_version: { name, version } }, select: summarySelect });
      return row ? toSummary(row) : null;
    },

    async list(filter: ModelFilter, page: Page) {
      const where = { name: filter.name, status: filter.status };
      const [rows, total] = await Promise.all([
        db.segmentationModel.findMany({
          where,
          select: summarySelect,
          orderBy: [{ name: 'asc' }, { version: 'desc' }],
          take: page.limit,
          skip: page.offset,
        }),
        db.segmentationModel.count({ where }),
      ]);
      return { items: rows.map(toSummary), total };
    },

    async loadStored(id: string): Promise<StoredModel | null> {
      const row = await db.segmentationModel.findUnique({
        where: { id },
        select: {
          ...summarySelect,
          featureSchema: true,
          artifacts: true,
          centroids: true,
          personas: { select: { id: true, index: true, key: true, name: true }, orderBy: { index: 'asc' } },
        },
      });
      if (!row) return null;
      return {
        ...toSummary(row),
        featureSchema: FeatureSchema.parse(row.featureSchema),
        artifacts: ModelArtifacts.parse(row.artifacts),
        centroids: decodeMatrix(row.centroids),
        personas: row.personas,
      };
    },

    async findArtifacts(id: string) {
      const row = await db.segmentationModel.findUnique({ where: { id }, select: { artifacts: true } });
      return row ? ModelArtifacts.parse(row.artifacts) : null;
    },

    async listServingState(otherIds: readonly string[]) {
      // Served by the (status, activated_at) index and the persona (model_id, index) unique index.
      const rows = await db.segmentationModel.findMany({
        where: { OR: [{ status: 'active' }, { id: { in: [...otherIds] } }] },
        select: { id: true, name: true, status: true, activatedAt: true, personas: { select: { id: true, key: true, name: true }, orderBy: { index: 'asc' } } },
        orderBy: { activatedAt: 'desc' },
      });
      return rows.map(({ status, ...row }) => ({ ...row, isActive: status === 'active' }));
    },

    async activate(id: string) {
      return db.$transaction(async (tx) => {
        // Lock the target row so concurrent activations of one name serialize here.
        const [target] = await tx.$queryRaw<Array<{ name: string }>>`
          SELECT name FROM segmentation_model WHERE id = ${id}::uuid FOR UPDATE`;
        if (!target) throw new NotFoundError(`model ${id} does not exist`);
        await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext(${`model-activation:${target.name}`}))`;
        // The database's clock, read under the lock: later activations of a name get later times on
        // every replica, whatever the replicas' own clocks say (the registries order by this time).
        const [clock] = await tx.$queryRaw<Array<{ now: Date }>>`SELECT clock_timestamp() AS now`;
        const previous = await tx.segmentationModel.findFirst({
          where: { name: target.name, status: 'active', id: { not: id } },
          select: summarySelect,
        });
        if (previous) {
          await tx.segmentationModel.update({ where: { id: previous.id }, data: { status: 'inactive' } });
        }
        const activated = await tx.segmentationModel.update({
          where: { id },
          data: { status: 'active', activatedAt: clock!.now },
          select: summarySelect,
        });
        await announceModelChange(tx, { kind: 'activated', modelId: id, replica: replicaId });
        return {
          activated: toSummary(activated),
          previous: previous ? toSummary({ ...previous, status: 'inactive' }) : null,
        };
      });
    },

    async delete(id: string) {
      await db.$transaction(async (tx) => {
        const [row] = await tx.$queryRaw<Array<{ status: string; name: string; version: number }>>`
          SELECT status::text AS status, name, version FROM segmentation_model WHERE id = ${id}::uuid FOR UPDATE`;
        if (!row) throw new NotFoundError(`model ${id} does not exist`);
        if (row.status === 'active') {
          throw new ConflictError(`${row.name} version ${row.version} is the active version; activate another version before deleting it`);
        }
        await tx.segmentationModel.delete({ where: { id } });
        await announceModelChange(tx, { kind: 'deleted', modelId: id, replica: replicaId });
      });
    },
  };
}
