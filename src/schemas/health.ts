import { z } from 'zod';

export const Liveness = z.object({ status: z.literal('ok') });

export const Readiness = z.object({
  status: z.enum(['ready', 'not-ready']),
  checks: z.object({ database: z.enum(['ok', 'unreachable']), model: z.enum(['ok', 'none-active']) }),
  reason: z.string().nullable().describe('Why the service is not ready'),
  model: z.object({ id: z.uuid(), name: z.string(), version: z.number().int() }).nullable().describe('The model /v1/assign serves by default'),
});
