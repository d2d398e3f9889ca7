import { ConflictError, NotFoundError } from '../domain/errors.ts';
import { FairnessAudit } from '../domain/fairness.ts';
import { Algorithm, FeatureSchema, ModelArtifacts, ModelMetrics, ModelParameters } from '../domain/model.ts';
import type { ModelSummary, StoredModel } from '../domain/model.ts';
import type { ModelAlias, ModelEvent, ModelEventKind, VersionReference } from '../domain/model-history.ts';
import type { ActivationChange, ModelFilter, ModelRepository, NewModel, Page } from '../domain/repositories.ts';
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

const eventSelect = {
  modelName: true,
  kind: true,
  fromModelId: true,
  fromVersion: true,
  toModelId: true,
  toVersion: true,
  alias: true,
  actor: true,
  reason: true,
  createdAt: true,
} as const;

type EventRow = Prisma.ModelEventGetPayload<{ select: typeof eventSelect }>;

function versionReference(id: string | null, version: number | null): VersionReference | null {
  return id === null || version === null ? null : { id, version };
}

function toEvent(row: EventRow): ModelEvent {
  return {
    modelName: row.modelName,
    kind: row.kind,
    from: versionReference(row.fromModelId, row.fromVersion),
    to: versionReference(row.toModelId, row.toVersion),
    alias: row.alias,
    actor: row.actor,
    reason: row.reason,
    at: row.createdAt,
  };
}

const aliasSelect = { modelName: true, alias: true, modelId: true, updatedAt: true, updatedBy: true, model: { select: { version: true } } } as const;

type AliasRow = Prisma.ModelAliasGetPayload<{ select: typeof aliasSelect }>;

function toAlias({ model, ...row }: AliasRow): ModelAlias {
  return { ...row, version: model.version };
}

/**
 * Every change to a name's lifecycle (activation, rollback, deletion, alias) takes this lock first,
 * so they serialize per name: activations commit in the order of their activation times, and the
 * name's events are inserted, numbered and timed in commit order.
 */
async function lockModelName(tx: Prisma.TransactionClient, name: string): Promise<void> {
  await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext(${`model-activation:${name}`}))`;
}

/** The database's clock, read under the name's lock: later changes of a name get later times on every replica. */
async function databaseNow(tx: Prisma.TransactionClient): Promise<Date> {
  const [clock] = await tx.$queryRaw<Array<{ now: Date }>>`SELECT clock_timestamp() AS now`;
  return clock!.now;
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
            ...(model.fairness ? { fairness: model.fairness } : {}),
            datasetId: model.datasetId,
          },
          select: { id: true },
        });
        if (model.jobId !== undefined) {
          const claimed = await tx.trainingJob.updateMany({ where: { id: model.jobId, modelId: null }, data: { modelId: created.id, phase: 'saved' } });
          if (claimed.count !== 1) throw new ConflictError(`job ${model.jobId} already stored its model`);
          // A job that keeps its version as a candidate is done; one with an activation policy ends once it is applied.
          await tx.trainingJob.updateMany({ where: { id: model.jobId, activationPolicy: 'candidate' }, data: { status: 'completed', phase: 'done', finishedAt: new Date() } });
        }
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

  /** Takes the lock of the version's name; throws NotFoundError when the version does not exist (or no longer does once locked). */
  async function lockVersionName(tx: Prisma.TransactionClient, id: string): Promise<string> {
    const version = await tx.segmentationModel.findUnique({ where: { id }, select: { name: true } });
    if (version) {
      await lockModelName(tx, version.name);
      // A deletion that held the lock may have committed meanwhile; lock the row against other writers.
      const [locked] = await tx.$queryRaw<Array<{ id: string }>>`SELECT id FROM segmentation_model WHERE id = ${id}::uuid FOR UPDATE`;
      if (locked) return version.name;
    }
    throw new NotFoundError(`model ${id} does not exist`);
  }

  /** Makes `id` the active version of `name` (its lock held) and records the event. */
  async function switchActive(
    tx: Prisma.TransactionClient,
    name: string,
    id: string,
    kind: Extract<ModelEventKind, 'activated' | 'rolled_back'>,
    actor: string,
    reason: string | null = null,
  ): Promise<ActivationChange> {
    const now = await databaseNow(tx);
    const previous = await tx.segmentationModel.findFirst({ where: { name, status: 'active', id: { not: id } }, select: summarySelect });
    if (previous) {
      await tx.segmentationModel.update({ where: { id: previous.id }, data: { status: 'inactive' } });
    }
    const wasActive = !previous && (await tx.segmentationModel.count({ where: { id, status: 'active' } })) > 0;
    const activated = await tx.segmentationModel.update({ where: { id }, data: { status: 'active', activatedAt: now }, select: summarySelect });
    // Re-activating the active version refreshes it: recorded as a change from itself to itself.
    const from = previous ?? (wasActive ? activated : null);
    await tx.modelEvent.create({
      data: { modelName: name, kind, actor, reason, fromModelId: from?.id, fromVersion: from?.version, toModelId: id, toVersion: activated.version, createdAt: now },
      select: { id: true },
    });
    await announceModelChange(tx, { kind: 'activated', modelId: id, replica: replicaId });
    return { activated: toSummary(activated), previous: previous ? toSummary({ ...previous, status: 'inactive' }) : null };
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

    async activate(id: string, actor: string, reason: string | null = null) {
      return db.$transaction(async (tx) => {
        const name = await lockVersionName(tx, id);
        return switchActive(tx, name, id, 'activated', actor, reason);
      });
    },

    async findFairness(id: string) {
      const row = await db.segmentationModel.findUnique({ where: { id }, select: { fairness: true } });
      if (!row) return null;
      return { audit: row.fairness === null ? null : FairnessAudit.parse(row.fairness) };
    },

    async rollback(name: string, actor: string) {
      return db.$transaction(async (tx) => {
        await lockModelName(tx, name);
        const [versions, current] = await Promise.all([
          tx.segmentationModel.count({ where: { name } }),
          tx.segmentationModel.findFirst({ where: { name, status: 'active' }, select: { id: true } }),
        ]);
        if (versions === 0) throw new NotFoundError(`no model is named ${name}`);
        // Each activation's `from` is the version the one before it made active: newest first, these
        // are the versions previously active. The join skips versions deleted since.
        const [target] = await tx.$queryRaw<Array<{ id: string }>>`
          SELECT e.from_model_id AS id
          FROM model_event e JOIN segmentation_model m ON m.id = e.from_model_id
          WHERE e.model_name = ${name} AND e.kind IN ('activated', 'rolled_back')
            AND e.from_model_id IS DISTINCT FROM ${current?.id ?? null}::uuid
          ORDER BY e.created_at DESC, e.id DESC
          LIMIT 1`;
        if (!target) throw new ConflictError(`${name} has no previously active version to roll back to`);
        return switchActive(tx, name, target.id, 'rolled_back', actor);
      });
    },

    async delete(id: string, actor: string) {
      await db.$transaction(async (tx) => {
        const name = await lockVersionName(tx, id);
        const [row] = await tx.$queryRaw<Array<{ status: string; version: number }>>`
          SELECT status::text AS status, version FROM segmentation_model WHERE id = ${id}::uuid`;
        if (row!.status === 'active') {
          throw new ConflictError(`${name} version ${row!.version} is the active version; activate another version before deleting it`);
        }
        // The aliases go with the version (foreign key cascade); their removal is part of its history.
        const aliases = await tx.modelAlias.findMany({ where: { modelId: id }, select: { alias: true }, orderBy: { alias: 'asc' } });
        const deleted = { fromModelId: id, fromVersion: row!.version, actor, modelName: name };
        for (const { alias } of aliases) await tx.modelEvent.create({ data: { ...deleted, kind: 'alias_removed', alias }, select: { id: true } });
        await tx.segmentationModel.delete({ where: { id } });
        await tx.modelEvent.create({ data: { ...deleted, kind: 'deleted' }, select: { id: true } });
        await announceModelChange(tx, { kind: 'deleted', modelId: id, replica: replicaId });
      });
    },

    async history(name: string, page: Page) {
      // Served by the (model_name, created_at) index.
      const [rows, total] = await Promise.all([
        db.modelEvent.findMany({ where: { modelName: name }, select: eventSelect, orderBy: [{ createdAt: 'desc' }, { id: 'desc' }], take: page.limit, skip: page.offset }),
        db.modelEvent.count({ where: { modelName: name } }),
      ]);
      return { items: rows.map(toEvent), total };
    },

    async listAliases(name?: string) {
      const rows = await db.modelAlias.findMany({
        where: name === undefined ? {} : { modelName: name },
        select: aliasSelect,
        orderBy: [{ modelName: 'asc' }, { alias: 'asc' }],
      });
      return rows.map(toAlias);
    },

    async findAlias(name: string, alias: string) {
      const row = await db.modelAlias.findUnique({ where: { modelName_alias: { modelName: name, alias } }, select: aliasSelect });
      return row ? toAlias(row) : null;
    },

    async setAlias(name: string, alias: string, modelId: string, actor: string) {
      return db.$transaction(async (tx) => {
        await lockModelName(tx, name);
        // Under the name's lock no deletion can take the version away before commit.
        const target = await tx.segmentationModel.findUnique({ where: { id: modelId }, select: { name: true, version: true } });
        if (!target || target.name !== name) throw new ConflictError(`model ${modelId} is not a version of ${name}`);
        const key = { modelName_alias: { modelName: name, alias } };
        const before = await tx.modelAlias.findUnique({ where: key, select: aliasSelect });
        const previous = before ? toAlias(before) : null;
        if (previous?.modelId === modelId) return { alias: previous, previous };
        const fields = { modelId, updatedAt: await databaseNow(tx), updatedBy: actor };
        const saved = await tx.modelAlias.upsert({ where: key, create: { modelName: name, alias, ...fields }, update: fields, select: aliasSelect });
        await tx.modelEvent.create({
          data: { modelName: name, kind: 'alias_set', alias, actor, fromModelId: previous?.modelId, fromVersion: previous?.version, toModelId: modelId, toVersion: target.version },
          select: { id: true },
        });
        await announceModelChange(tx, { kind: 'alias', modelId, replica: replicaId });
        return { alias: toAlias(saved), previous };
      });
    },

    async removeAlias(name: string, alias: string, actor: string) {
      return db.$transaction(async (tx) => {
        await lockModelName(tx, name);
        const before = await tx.modelAlias.findUnique({ where: { modelName_alias: { modelName: name, alias } }, select: aliasSelect });
        if (!before) return null;
        const removed = toAlias(before);
        await tx.modelAlias.delete({ where: { modelName_alias: { modelName: name, alias } } });
        await tx.modelEvent.create({
          data: { modelName: name, kind: 'alias_removed', alias, actor, fromModelId: removed.modelId, fromVersion: removed.version },
          select: { id: true },
        });
        await announceModelChange(tx, { kind: 'alias', modelId: removed.modelId, replica: replicaId });
        return removed;
      });
    },
  };
}
