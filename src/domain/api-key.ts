import { z } from 'zod';

export const ApiKeyScope = z.enum(['assign', 'read', 'admin']);
export type ApiKeyScope = z.infer<typeof ApiKeyScope>;

/** Who is calling: the API key's identity and scopes (never the key itself). */
export interface Principal {
  keyId: string | null;
  name: string;
  scopes: readonly ApiKeyScope[];
}

export interface ApiKeyRecord {
  id: string;
  name: string;
  prefix: string;
  scopes: ApiKeyScope[];
  createdAt: Date;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
}

/** `admin` implies every scope; other scopes grant only themselves. */
export function hasScope(principal: Principal, required: ApiKeyScope): boolean {
  return principal.scopes.includes('admin') || principal.scopes.includes(required);
}
