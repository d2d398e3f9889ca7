import type { HealthRepository } from '../domain/repositories.ts';
import type { ModelRegistry } from './registry.ts';

export interface Readiness {
  isReady: boolean;
  checks: { database: 'ok' | 'unreachable'; model: 'ok' | 'none-active' };
  reason: string | null;
  model: { id: string; name: string; version: number } | null;
}

export class HealthService {
  private readonly health: HealthRepository;
  private readonly registry: ModelRegistry;

  constructor(health: HealthRepository, registry: ModelRegistry) {
    this.health = health;
    this.registry = registry;
  }

  /** Ready when the database answers and a model is loaded for /v1/assign. */
  async readiness(): Promise<Readiness> {
    const database = await this.health.ping().then(
      () => 'ok' as const,
      () => 'unreachable' as const,
    );
    const served = this.registry.default;
    const reasons = [
      database === 'unreachable' ? 'the database is unreachable' : null,
      served ? null : 'no model is active: train one with POST /v1/models and activate it',
    ].filter((reason) => reason !== null);
    return {
      isReady: reasons.length === 0,
      checks: { database, model: served ? 'ok' : 'none-active' },
      reason: reasons.length > 0 ? reasons.join('; ') : null,
      model: served ? { id: served.id, name: served.name, version: served.version } : null,
    };
  }
}
