/** Domain objects → response DTOs (dates as ISO strings, only the fields the schemas allow). */
import type { ApiKeyRecord } from '../../domain/api-key.ts';
import type { DatasetSummary } from '../../domain/dataset.ts';
import type { ModelSummary } from '../../domain/model.ts';
import type { Persona } from '../../domain/persona.ts';

const iso = (date: Date | null): string | null => date?.toISOString() ?? null;

export function toDatasetDto(dataset: DatasetSummary) {
  return { ...dataset, createdAt: dataset.createdAt.toISOString() };
}

export function toModelDto(model: ModelSummary) {
  return { ...model, createdAt: model.createdAt.toISOString(), activatedAt: iso(model.activatedAt) };
}

export function toPersonaSummaryDto(persona: Persona) {
  const { id, index, key, name, tagline, description, size, share, quality } = persona;
  return { id, index, key, name, tagline, description, size, share, quality };
}

export function toPersonaDto(persona: Persona) {
  const { id, modelId, index, key, name, tagline, description, size, share, traits, profile, drivers, strategies, quality, edits } = persona;
  return { id, modelId, index, key, name, tagline, description, size, share, traits, profile, drivers, strategies, quality, edits };
}

export function toApiKeyDto(key: ApiKeyRecord) {
  return { ...key, createdAt: key.createdAt.toISOString(), lastUsedAt: iso(key.lastUsedAt), revokedAt: iso(key.revokedAt) };
}
