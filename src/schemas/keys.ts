import { z } from 'zod';
import { ApiKeyScope } from '../domain/api-key.ts';
import { Timestamp } from './common.ts';

export const CreateKeyRequest = z
  .object({
    name: z.string().min(1).max(100).describe('Who or what uses the key, e.g. "crm-prod"'),
    scopes: z.array(ApiKeyScope).min(1).describe('assign: POST /v1/assign; read: GET endpoints; admin: everything'),
  })
  .strict()
  .meta({ examples: [{ name: 'crm-prod', scopes: ['assign'] }] });

export const ApiKey = z
  .object({
    id: z.uuid(),
    name: z.string(),
    prefix: z.string().describe('First characters of the key, to recognise it'),
    scopes: z.array(ApiKeyScope),
    createdAt: Timestamp,
    lastUsedAt: Timestamp.nullable(),
    revokedAt: Timestamp.nullable(),
  })
  .meta({ id: 'ApiKey' });

export const CreatedKey = ApiKey.extend({ key: z.string().describe('The key itself; shown only in this response') }).meta({
  examples: [
    {
      id: '5e0c1a2b-3d4e-4f5a-8b6c-7d8e9f0a1b2c',
      name: 'crm-prod',
      prefix: 'psk_Q2xh',
      scopes: ['assign'],
      createdAt: '2026-11-24T09:30:00.000Z',
      lastUsedAt: null,
      revokedAt: null,
      key: 'psk_Q2xhcmtzb24tZXhhbXBsZS1rZXktZG8tbm90LXVzZQ',
    },
  ],
});

export const CurrentKey = z
  .object({
    id: z.uuid().nullable().describe('The key’s id (null when authentication is disabled)'),
    name: z.string().describe('The key’s name, as the audit trail and model history record it'),
    scopes: z.array(ApiKeyScope).describe('What the key may do: admin implies read and assign'),
  })
  .meta({ id: 'CurrentKey' });
