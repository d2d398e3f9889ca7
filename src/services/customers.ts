/**
 * A customer's persona history from the assignment log: which model versions placed them in which
 * persona and when, and the moves between personas over time (the cluster migration of one customer).
 * Customers are known by the caller's external id; the service holds no customer record of its own.
 */
import type { AssignmentHistoryItem, PersonaMigration } from '../domain/assignment-log.ts';
import type { AssignmentLogRepository, Page } from '../domain/repositories.ts';

export interface CustomerHistory {
  /** Newest first. */
  items: AssignmentHistoryItem[];
  /** Logged assignments of the customer over all pages. */
  total: number;
  /** Persona changes within `items`, oldest first. */
  migrations: PersonaMigration[];
}

export class CustomerHistoryService {
  private readonly assignmentLog: AssignmentLogRepository;

  constructor(assignmentLog: AssignmentLogRepository) {
    this.assignmentLog = assignmentLog;
  }

  /**
   * A page of the customer's logged assignments, newest first, with the migrations between them.
   * An external id never logged gives an empty history: ids are the caller's, not the service's.
   * @param options.modelName only assignments by versions of this model name
   */
  async assignments(externalId: string, options: { modelName?: string | undefined } & Page): Promise<CustomerHistory> {
    const page = await this.assignmentLog.historyOf(externalId, options);
    return { ...page, migrations: personaMigrations(page.items) };
  }
}

/**
 * Walks the assignments oldest to newest and reports each change of persona key between consecutive
 * assignments by the same model name. Different model names segment customers differently, so their
 * personas are never compared with each other.
 * @param newestFirst assignments in the order historyOf returns them
 * @returns migrations oldest first
 */
export function personaMigrations(newestFirst: readonly AssignmentHistoryItem[]): PersonaMigration[] {
  const migrations: PersonaMigration[] = [];
  const previousByModelName = new Map<string, AssignmentHistoryItem>();
  for (let index = newestFirst.length - 1; index >= 0; index--) {
    const current = newestFirst[index]!;
    const previous = previousByModelName.get(current.model.name);
    if (previous !== undefined && previous.persona.key !== current.persona.key) {
      migrations.push({
        modelName: current.model.name,
        at: current.assignedAt,
        from: { modelVersion: previous.model.version, persona: previous.persona },
        to: { modelVersion: current.model.version, persona: current.persona },
      });
    }
    previousByModelName.set(current.model.name, current);
  }
  return migrations;
}
