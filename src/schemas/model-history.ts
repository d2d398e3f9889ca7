import { z } from 'zod';
import { ALIAS_PATTERN } from '../domain/model-history.ts';
import { PageQuery, Timestamp } from './common.ts';

export const ModelNameParams = z.object({ name: z.string().min(1).max(100).describe('Model name') });

export const AliasName = z
  .string()
  .regex(ALIAS_PATTERN, 'a lower-case letter, then up to 39 lower-case letters, digits, "_" or "-"')
  .describe('Alias (champion, challenger…); it starts with a letter, so it never reads as a version number')
  .meta({ examples: ['champion'] });

export const AliasParams = ModelNameParams.extend({ alias: AliasName });

export const HistoryQuery = PageQuery.strict();

const VersionReference = z.object({ id: z.uuid(), version: z.number().int() }).meta({ id: 'VersionReference' });

export const ModelEvent = z
  .object({
    kind: z.enum(['activated', 'rolled_back', 'deleted', 'alias_set', 'alias_removed']),
    from: VersionReference.nullable().describe(
      'activated, rolled_back: the version active before (null: none); deleted: the deleted version; alias_set: where the alias pointed before (null: new); alias_removed: where it pointed',
    ),
    to: VersionReference.nullable().describe('activated, rolled_back: the version made active; alias_set: where the alias points now; otherwise null'),
    alias: z.string().nullable().describe('The alias, for alias events'),
    actor: z.string().describe('Name of the API key that made the change'),
    reason: z.string().nullable().describe('The reason given to override a check (an activation whose fairness audit did not pass, in strict governance mode); otherwise null'),
    at: Timestamp.describe('When, by the database clock'),
  })
  .meta({ id: 'ModelEvent' });

export const SetAliasRequest = z
  .object({
    version: z.number().int().positive().optional().describe('A version number of this model name'),
    modelId: z.uuid().optional().describe('Or the id of one of its versions'),
  })
  .strict()
  .superRefine((body, context) => {
    if (body.version !== undefined && body.modelId !== undefined) context.addIssue({ code: 'custom', path: ['modelId'], message: 'give version or modelId, not both' });
    if (body.version === undefined && body.modelId === undefined) context.addIssue({ code: 'custom', path: ['version'], message: 'give version or modelId' });
  })
  .meta({ examples: [{ version: 3 }] });

export const ModelAlias = z
  .object({
    name: z.string().describe('Model name'),
    alias: z.string(),
    model: VersionReference.describe('The version `?model=name@alias` serves'),
    updatedAt: Timestamp,
    updatedBy: z.string().describe('Name of the API key that last set it'),
  })
  .meta({ id: 'ModelAlias' });

export const SetAliasResult = ModelAlias.extend({ previous: VersionReference.nullable().describe('Where the alias pointed before (null: it is new)') });
