import { z } from 'zod';
import { Timestamp } from './common.ts';

export const TrainQuery = z
  .object({
    wait: z
      .stringbool()
      .default(false)
      .describe('true: train in the request and answer 201 with the model (small data); default: answer 202 at once with a background job'),
  })
  .strict();

export const Job = z
  .object({
    id: z.uuid(),
    kind: z.literal('train'),
    status: z.enum(['queued', 'running', 'completed', 'failed', 'cancelled']),
    phase: z.string().nullable().describe('The training phase: loading, encoding, fitting, scoring, stability, map, profiling, saving, done'),
    progress: z.record(z.string(), z.unknown()).nullable().describe('The latest progress report of the phase (algorithm, k, iteration…), written about once a second'),
    attempts: z.number().int().describe('Attempts started; a job whose replica died mid-training is retried once'),
    cancelRequested: z.boolean(),
    model: z.object({ id: z.uuid(), name: z.string(), version: z.number().int() }).nullable().describe('The trained version, once completed'),
    error: z
      .object({ type: z.string(), title: z.string(), status: z.number().int(), detail: z.string() })
      .nullable()
      .describe('Why the job failed (or why its last attempt failed, while it waits for its retry)'),
    createdBy: z.string().describe('The API key that submitted it, or "schedule <model name>"'),
    activationPolicy: z.enum(['candidate', 'when-not-worse']).describe('What happens to the new version: kept as a candidate, or activated when its quality holds (scheduled retrains)'),
    activationNote: z.string().nullable().describe('What the when-not-worse policy decided, and why'),
    createdAt: Timestamp,
    startedAt: Timestamp.nullable(),
    finishedAt: Timestamp.nullable(),
    durationMs: z.number().int().nullable().describe('From the start of the last attempt to the end'),
  })
  .meta({ id: 'Job' });
