import { z } from 'zod';
import { Timestamp } from './common.ts';

export const DriftQuery = z
  .object({
    from: Timestamp.optional().describe('Start of the window (hours are counted by their start); default: 7 days before `to`'),
    to: Timestamp.optional().describe('End of the window, exclusive; default: now'),
  })
  .strict();

const Verdict = z.enum(['stable', 'watch', 'drifted', 'insufficient data']).describe('PSI below 0.1 stable, from 0.1 watch, from 0.25 drifted; fewer than 100 assignments: insufficient data');

export const DriftReport = z
  .object({
    model: z.object({ id: z.uuid(), name: z.string(), version: z.number().int() }),
    from: Timestamp,
    to: Timestamp,
    observations: z.number().int().describe('Assignments counted in the window'),
    verdict: Verdict.describe('The worst verdict of the features and the persona mix'),
    features: z.array(
      z.object({
        feature: z.string(),
        observations: z.number().int().describe('Assignments that gave this feature'),
        psi: z.number().nullable().describe('Population stability index against the training distribution (null: no observation)'),
        verdict: Verdict,
        bins: z.array(z.object({ bin: z.string().describe('Decile range or category'), expected: z.number().describe('Share at training'), actual: z.number().describe('Share in the window') })),
      }),
    ),
    personas: z.object({
      psi: z.number().nullable(),
      verdict: Verdict,
      shares: z.array(
        z.object({
          persona: z.object({ id: z.uuid(), key: z.string(), name: z.string() }),
          expected: z.number().describe('Share of the training customers'),
          actual: z.number().describe('Share of the assignments in the window'),
          shift: z.number().describe('actual − expected'),
        }),
      ),
    }),
  })
  .meta({ id: 'DriftReport' });
