import { describe, expect, it } from 'vitest';
import type { PersonaProfile, Trait } from '../../src/domain/persona.ts';
import { compileStrategyLibrary, proposeStrategies, valueTier } from '../../src/domain/strategies.ts';

const numeric = (feature: string, zScore: number): Trait => ({ feature, kind: 'numeric', populationMean: 50, populationStd: 10, personaMean: 50 + 10 * zScore, zScore });
const categorical = (feature: string, value: string, personaShare: number, populationShare: number): Trait => ({
  feature,
  kind: 'categorical',
  categories: [{ value, personaShare, populationShare, lift: personaShare / populationShare }],
});
const withValue = (share: number, customers: number): PersonaProfile => ({ value: { column: 'annual_premium', mean: 1, share, index: share / customers }, clv: null, snake: [] });
const noValue: PersonaProfile = { value: null, clv: null, snake: [] };
const ids = (traits: Trait[], profile = noValue) => proposeStrategies(traits, profile).map((strategy) => strategy.id);

describe('proposeStrategies with the shipped library', () => {
  it('proposes reactivation for long recency with low frequency, and says which traits triggered it', () => {
    const [reactivation] = proposeStrategies([numeric('recency_days', 1.2), numeric('frequency', -0.4)], noValue);
    expect(reactivation).toMatchObject({ id: 'reactivation', trigger: 'recency days 1.2 sd above average; frequency 0.4 sd below average' });
  });

  it('needs every condition of a rule', () => {
    expect(ids([numeric('recency_days', 1.2), numeric('frequency', 0.4)])).not.toContain('reactivation');
  });

  it('proposes VIP retention to the top value tier', () => {
    expect(ids([], withValue(0.6, 0.2))).toEqual(['vip-retention']);
    expect(proposeStrategies([], withValue(0.6, 0.2))[0]!.trigger).toBe('value tier top: 60% of annual premium from a 20% share of customers');
  });

  it('proposes term life to young families, retirement products to empty nesters, renters cover to young renters', () => {
    expect(ids([numeric('dependents', 1.1), numeric('age', -0.8)])).toContain('term-life-young-families');
    expect(ids([numeric('age', 1.5), numeric('dependents', -0.4)])).toContain('retirement-empty-nesters');
    expect(ids([categorical('home_ownership', 'rent', 0.88, 0.3), numeric('age', -1.2)])).toContain('renters-cover');
  });

  it('proposes digital channels to heavy web users and advisors to agent-led customers', () => {
    expect(ids([numeric('web_visits_month', 1.4)])).toEqual(['digital-channel']);
    expect(ids([categorical('preferred_channel', 'agent', 0.7, 0.2)])).toEqual(['advisor-channel']);
  });
});

describe('strategy libraries', () => {
  it('puts an operator rule before the shipped ones', () => {
    const library = compileStrategyLibrary({ rules: [{ id: 'mine', title: 'Mine', description: 'Ours.', when: [{ feature: 'web', direction: 'high' }] }] }, { rules: [] });
    expect(proposeStrategies([numeric('web_visits', 1)], noValue, library).map((strategy) => strategy.id)).toEqual(['mine']);
  });

  it('rejects a rule without conditions or with an unknown key', () => {
    expect(() => compileStrategyLibrary({ rules: [{ id: 'x', title: 'X', description: 'X', when: [] }] })).toThrow();
    expect(() => compileStrategyLibrary({ rules: [{ id: 'x', title: 'X', description: 'X', when: [{ feature: 'age', direction: 'up' }] }] })).toThrow();
  });
});

describe('valueTier', () => {
  it('reads the value index: top from 1.5, high from 1.1, low up to 0.7', () => {
    expect(valueTier(withValue(0.32, 0.2))).toBe('top');
    expect(valueTier(withValue(0.24, 0.2))).toBe('high');
    expect(valueTier(withValue(0.2, 0.2))).toBe('average');
    expect(valueTier(withValue(0.1, 0.2))).toBe('low');
    expect(valueTier(noValue)).toBeNull();
  });
});
