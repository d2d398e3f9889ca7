import { describe, expect, it } from 'vitest';
import type { AssignmentHistoryItem } from '../../src/domain/assignment-log.ts';
import { personaMigrations } from '../../src/services/customers.ts';

/** One logged assignment at minute `minute` by model `name` v`version`, persona keyed `key`. */
function item(minute: number, name: string, version: number, key: string): AssignmentHistoryItem {
  return {
    assignedAt: new Date(Date.UTC(2026, 10, 25, 10, minute)),
    model: { id: `${name}-v${version}`, name, version },
    persona: { id: `${name}-v${version}-${key}`, key, name: key },
    distance: 1,
    confidence: 0.8,
    unclassified: false,
  };
}

describe('personaMigrations', () => {
  it('reports each change of persona key between consecutive assignments of one model name, oldest first', () => {
    const oldestFirst = [
      item(0, 'crm', 1, 'renters'),
      item(1, 'crm', 2, 'renters'), // a retrain kept the key: no migration
      item(2, 'crm', 2, 'families'),
      item(3, 'churn', 1, 'loyal'), // another model name: never compared with crm's personas
      item(4, 'crm', 3, 'families'),
      item(5, 'crm', 3, 'renters'),
    ];
    const migrations = personaMigrations([...oldestFirst].reverse());
    expect(migrations.map((m) => `${m.at.getUTCMinutes()} ${m.modelName} v${m.from.modelVersion} ${m.from.persona.key} → v${m.to.modelVersion} ${m.to.persona.key}`)).toEqual([
      '2 crm v2 renters → v2 families',
      '5 crm v3 families → v3 renters',
    ]);
  });

  it('finds no migration in an empty or single-assignment history', () => {
    expect(personaMigrations([])).toEqual([]);
    expect(personaMigrations([item(0, 'crm', 1, 'renters')])).toEqual([]);
  });
});
