import type { ScheduleRepository } from '../domain/repositories.ts';
import type { ActivationPolicy, Schedule } from '../domain/schedules.ts';
import type { Database } from './client.ts';

type ScheduleRow = Omit<Schedule, 'training' | 'activationPolicy'> & { training: unknown; activationPolicy: string };

function toSchedule(row: ScheduleRow): Schedule {
  return { ...row, training: row.training as Record<string, unknown>, activationPolicy: row.activationPolicy as ActivationPolicy };
}

export function createScheduleRepository(db: Database): ScheduleRepository {
  return {
    async save(schedule) {
      const data = { ...schedule, training: schedule.training as object };
      return toSchedule(await db.trainingSchedule.upsert({ where: { modelName: schedule.modelName }, create: data, update: { ...data, lastRunAt: null, lastJobId: null } }));
    },

    async list() {
      return (await db.trainingSchedule.findMany({ orderBy: { modelName: 'asc' } })).map(toSchedule);
    },

    async find(modelName) {
      const row = await db.trainingSchedule.findUnique({ where: { modelName } });
      return row ? toSchedule(row) : null;
    },

    async delete(modelName) {
      return (await db.trainingSchedule.deleteMany({ where: { modelName } })).count === 1;
    },

    async claimDue(now, nextRunAfter) {
      return db.$transaction(async (tx) => {
        const due = await tx.$queryRaw<Array<{ model_name: string }>>`
          SELECT model_name FROM training_schedule WHERE next_run_at <= ${now} ORDER BY next_run_at FOR UPDATE SKIP LOCKED`;
        const claimed: Schedule[] = [];
        for (const { model_name: modelName } of due) {
          const row = await tx.trainingSchedule.findUniqueOrThrow({ where: { modelName } });
          // Runs missed while no replica was up are not made up: the next one is the first after now.
          await tx.trainingSchedule.update({ where: { modelName }, data: { nextRunAt: nextRunAfter(row.cron, now) } });
          claimed.push(toSchedule(row));
        }
        return claimed;
      });
    },

    async recordRun(modelName, at, jobId) {
      await db.trainingSchedule.updateMany({ where: { modelName }, data: { lastRunAt: at, lastJobId: jobId } });
    },

    async newestDatasetNamed(name) {
      return (await db.dataset.findFirst({ where: { name }, orderBy: { createdAt: 'desc' }, select: { id: true } }))?.id ?? null;
    },
  };
}
