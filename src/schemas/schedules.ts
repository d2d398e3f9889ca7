import { z } from 'zod';
import { Timestamp } from './common.ts';
import { TrainModelRequest } from './models.ts';

const ActivationPolicy = z
  .enum(['candidate', 'when-not-worse'])
  .describe('candidate (default): keep each new version for a person to activate; when-not-worse: activate it when its silhouette and stability are not below the active version’s and every persona matches one of the active version’s');

export const ScheduleRequest = z
  .object({
    modelName: TrainModelRequest.shape.name,
    cron: z.string().min(9).max(100).describe('Five fields, UTC: minute hour day-of-month month day-of-week, e.g. "0 3 * * *" for every day at 03:00'),
    datasetId: z.uuid().optional().describe('Train on this dataset'),
    datasetName: z.string().min(1).max(200).optional().describe('Or: train on the newest dataset of this name when the schedule fires'),
    training: z
      .record(z.string(), z.unknown())
      .default({})
      .describe('The training options (k or kRange, features, algorithm…) exactly as for POST /v1/models, without name and datasetId; checked when the schedule is saved'),
    activationPolicy: ActivationPolicy.default('candidate'),
  })
  .strict()
  .refine((schedule) => (schedule.datasetId === undefined) !== (schedule.datasetName === undefined), { message: 'give either datasetId or datasetName', path: ['datasetId'] })
  .meta({ examples: [{ modelName: 'churn-personas', cron: '0 3 * * 1', datasetName: 'crm-weekly-export', training: { kRange: [3, 8] }, activationPolicy: 'when-not-worse' }] });

export const Schedule = z
  .object({
    modelName: z.string(),
    cron: z.string(),
    datasetId: z.uuid().nullable(),
    datasetName: z.string().nullable(),
    training: z.record(z.string(), z.unknown()),
    activationPolicy: ActivationPolicy,
    createdBy: z.string(),
    createdAt: Timestamp,
    nextRunAt: Timestamp,
    lastRunAt: Timestamp.nullable(),
    lastJobId: z.uuid().nullable().describe('The job of the last run (GET /v1/jobs/{id}); null when it could not be submitted'),
  })
  .meta({ id: 'Schedule' });

export const ScheduleParams = z.object({ modelName: z.string().min(1).max(100) });
