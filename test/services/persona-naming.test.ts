import { describe, expect, it } from 'vitest';
import type { Trait } from '../../src/domain/persona.ts';
import { describePersona, distinguishingTraits, namePersonas, rfmSegment, slugify, taglineOf } from '../../src/services/persona-naming.ts';
import type { ProfiledPersona } from '../../src/services/persona-profiles.ts';

const numeric = (feature: string, zScore: number): Trait => ({ feature, kind: 'numeric', populationMean: 50, populationStd: 10, personaMean: 50 + 10 * zScore, zScore });
const categorical = (feature: string, value: string, personaShare: number, populationShare: number): Trait => ({
  feature,
  kind: 'categorical',
  categories: [
    { value, personaShare, populationShare, lift: personaShare / populationShare },
    { value: 'other', personaShare: 1 - personaShare, populationShare: 1 - populationShare, lift: (1 - personaShare) / (1 - populationShare) },
  ],
});
const persona = (index: number, size: number, traits: Trait[]): ProfiledPersona => ({ index, size, share: size / 100, traits, profile: { value: null, clv: null, snake: [] } });

describe('namePersonas', () => {
  it('names a persona from its strongest traits with the vocabulary, words in natural order', () => {
    const names = namePersonas([persona(0, 40, [numeric('age', -1.4), categorical('home_ownership', 'rent', 0.9, 0.3), numeric('web_visits', 1.2), categorical('region', 'urban', 0.85, 0.35)])]);
    expect(names).toEqual(['Young Urban Digital Renters']);
  });

  it('leaves out adjectives weaker than one standard deviation once it has two', () => {
    const names = namePersonas([persona(0, 40, [numeric('age', -1.4), numeric('web_visits', 1.2), categorical('region', 'urban', 0.75, 0.35)])]);
    expect(names).toEqual(['Young Digital Customers']);
  });

  it('gives an age trait among the top four a place in the name', () => {
    const names = namePersonas([persona(0, 10, [numeric('income', -2), numeric('spending_score', 1.8), numeric('age', -0.9)])]);
    expect(names[0]).toBe('Young Budget Big-Spending Customers');
  });

  it('makes up words for features the vocabulary does not know', () => {
    expect(namePersonas([persona(0, 10, [numeric('shoe_size', 2), numeric('hat_size', -1.5)])])).toEqual(['High Shoe Size Low Hat Size Customers']);
  });

  it('calls a persona without distinguishing traits mainstream', () => {
    expect(namePersonas([persona(0, 10, [numeric('age', 0.2), categorical('region', 'urban', 0.4, 0.35)])])).toEqual(['Mainstream Customers']);
  });

  it('keeps names unique within a model, the larger persona keeping the simpler name', () => {
    const twin = [numeric('age', 1.5), numeric('income', 1.2), numeric('claims', 0.6)];
    const names = namePersonas([persona(0, 10, twin), persona(1, 30, twin), persona(2, 20, [numeric('age', 0.1)]), persona(3, 5, [numeric('age', 0.1)])]);
    expect(names[1]).toBe('Senior Affluent Customers');
    expect(names[0]).toBe('Senior Affluent High-Claim Customers');
    expect(names[2]).toBe('Mainstream Customers');
    expect(names[3]).toBe('Mainstream Customers 2');
    expect(new Set(names).size).toBe(4);
  });

  it('uses a word once when two features call for it, the next trait taking the free place', () => {
    const names = namePersonas([persona(0, 10, [numeric('MntWines', -1.6), numeric('NumStorePurchases', -1.5), numeric('Kidhome', 1.2), numeric('Income', -1.1)])]);
    expect(names).toEqual(['Budget Frugal Families']);
  });

  it('names yes/no categories through their column, and skips values that only repeat another column', () => {
    const traits = [
      categorical('TechSupport', 'No', 0.99, 0.49),
      categorical('OnlineBackup', 'No internet service', 0.98, 0.22),
      categorical('InternetService', 'No', 0.98, 0.22),
      categorical('PaperlessBilling', 'Yes', 0.95, 0.4),
    ];
    const [name] = namePersonas([persona(0, 10, traits)]);
    expect(name).toBe('Offline Paperless-Billing No-Tech-Support Customers');
    expect(distinguishingTraits(traits).map((trait) => trait.feature)).not.toContain('OnlineBackup');
  });

  it('is deterministic', () => {
    const profiles = [persona(0, 10, [numeric('age', 1)]), persona(1, 10, [numeric('age', -1)])];
    expect(namePersonas(profiles)).toEqual(namePersonas(profiles));
  });
});

describe('rfmSegment', () => {
  const rfm = (recency: number, frequency: number, monetary: number) => rfmSegment([numeric('recency_days', recency), numeric('frequency', frequency), numeric('monetary', monetary)]);

  it('names the usual RFM segments from the z-scores of recency, frequency and monetary value', () => {
    expect(rfm(-0.8, 1.2, 0.7)).toBe('Champions');
    expect(rfm(0, 0.5, 0)).toBe('Loyal Customers');
    expect(rfm(-0.7, -0.3, -0.2)).toBe('New Customers');
    expect(rfm(0.9, 0.1, 0)).toBe('At Risk');
    expect(rfm(1.2, -0.4, -0.2)).toBe('Hibernating');
    expect(rfm(-0.2, 0.1, 0)).toBe('Potential Loyalists');
    expect(rfm(0.2, -0.1, 0)).toBe('Need Attention');
  });

  it('needs recency and frequency among the features', () => {
    expect(rfmSegment([numeric('recency_days', -1), numeric('monetary', 1)])).toBeNull();
  });

  it('names RFM personas with their segment, unique within the model', () => {
    const champions = [numeric('recency_days', -0.8), numeric('frequency', 1.2), numeric('monetary', 0.7)];
    expect(namePersonas([persona(0, 30, champions), persona(1, 10, champions)])).toEqual(['Champions', 'Frequent Recent Champions']);
  });
});

describe('distinguishingTraits', () => {
  it('ranks numeric z-scores and standardized category shares on one scale, ignoring weak ones', () => {
    const traits = distinguishingTraits([numeric('age', 0.3), numeric('income', -1.1), categorical('home', 'rent', 0.9, 0.3)]);
    expect(traits.map((t) => t.feature)).toEqual(['home', 'income']);
    expect(traits[0]!.strength).toBeCloseTo((0.9 - 0.3) / Math.sqrt(0.3 * 0.7), 12);
  });
});

describe('describePersona', () => {
  it('states the size and the strongest traits in plain words', () => {
    expect(describePersona(persona(0, 25, [numeric('age', -1.2)]), 100, { name: 'Young Customers' })).toBe(
      'Young Customers are 25% of customers (25 of 100). Compared with everyone: age averages 38 against 50 overall (1.2 sd lower).',
    );
  });
});

describe('names and slugs', () => {
  it('writes yes/no categories of taglines with their column', () => {
    const profile = persona(0, 30, [categorical('TechSupport', 'No', 0.82, 0.49), categorical('InternetService', 'Fiber optic', 0.75, 0.44)]);
    expect(taglineOf(profile)).toBe('82% without tech support, 75% Fiber optic — 30% of customers');
  });

  it('makes URL-safe keys from names', () => {
    expect(slugify('Young Single Digital Renters')).toBe('young-single-digital-renters');
    expect(slugify('Affluent High-Premium Agent-Led Bundlers')).toBe('affluent-high-premium-agent-led-bundlers');
  });
});
