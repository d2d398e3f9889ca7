/**
 * Personas of real public datasets (../shared/data), trained through the API with the recipes of their
 * SOURCE.md: the reference segments are found, and named, explained and valued as their figures say.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_VOCABULARY } from '../../../src/domain/naming-vocabulary.ts';
import { ModelDetail } from '../../../src/schemas/models.ts';
import { Persona } from '../../../src/schemas/personas.ts';
import { buildTestApp } from '../../helpers/app.ts';
import type { TestApp } from '../../helpers/app.ts';
import { trainOnCsv } from '../../helpers/factories.ts';
import { readShared } from '../../helpers/shared-data.ts';

type PersonaDetail = ReturnType<typeof Persona.parse>;

/** Every vocabulary word in the name is backed by a trait of the right sign (no "Affluent" persona with a low income). */
function expectNameBackedByTraits(persona: PersonaDetail): void {
  const words = new Set(persona.name.split(' '));
  for (const entry of DEFAULT_VOCABULARY.numeric) {
    for (const [word, sign] of [[entry.high.text, 1], [entry.low.text, -1]] as const) {
      if (!words.has(word)) continue;
      const backing = persona.traits.filter((trait) => trait.kind === 'numeric' && entry.feature.test(trait.feature) && Math.sign(trait.zScore) === sign);
      expect(backing.length, `${persona.name}: "${word}" has no ${sign > 0 ? 'high' : 'low'} trait behind it`).toBeGreaterThan(0);
    }
  }
}

const zScore = (persona: PersonaDetail, feature: string) => {
  const trait = persona.traits.find((candidate) => candidate.feature === feature);
  if (trait?.kind !== 'numeric') throw new Error(`${feature} is not a numeric trait of ${persona.name}`);
  return trait.zScore;
};

describe('personas of real datasets', () => {
  let t: TestApp;

  /** Uploads a CSV, trains one model and returns its personas in full. */
  const trainOn = async (csv: string, query: string, training: Record<string, unknown>) => {
    const model = ModelDetail.parse(await trainOnCsv(t.app, t.admin, `/v1/datasets?${query}`, csv, training));
    const personas = await Promise.all(
      model.personas.map(async (summary) => Persona.parse((await t.app.inject({ method: 'GET', url: `/v1/personas/${summary.id}`, headers: t.admin })).json())),
    );
    return { model, personas };
  };

  beforeAll(async () => {
    t = await buildTestApp();
  });
  afterAll(async () => t.close());

  describe('Telco Customer Churn: tenure and charges, k = 4 (SOURCE.md recipe)', () => {
    let model: ReturnType<typeof ModelDetail.parse>;
    let personas: PersonaDetail[];
    /** The persona closest to each reference group of SOURCE.md, by its mean tenure and monthly charges. */
    const reference = {
      newExpensive: { size: 2276, tenure: 15.42, monthly: 80.78 },
      newCheap: { size: 1703, tenure: 10.21, monthly: 31.78 },
      longExpensive: { size: 1904, tenure: 59.53, monthly: 93.31 },
      longCheap: { size: 1160, tenure: 53.57, monthly: 34.91 },
    };
    const personaFor = (group: keyof typeof reference) => {
      const { tenure, monthly } = reference[group];
      const mean = (persona: PersonaDetail, feature: string) => {
        const trait = persona.traits.find((candidate) => candidate.feature === feature);
        return trait?.kind === 'numeric' ? trait.personaMean : NaN;
      };
      return personas.reduce((best, persona) =>
        Math.hypot(mean(persona, 'tenure') - tenure, mean(persona, 'MonthlyCharges') - monthly) < Math.hypot(mean(best, 'tenure') - tenure, mean(best, 'MonthlyCharges') - monthly) ? persona : best,
      );
    };

    beforeAll(async () => {
      ({ model, personas } = await trainOn(readShared('data/telco_customers/WA_Fn-UseC_-Telco-Customer-Churn.csv'), 'name=telco&valueColumn=MonthlyCharges&tenureColumn=tenure&tenureUnit=months', {
        name: 'telco',
        features: ['tenure', 'MonthlyCharges', 'TotalCharges'],
        k: 4,
        seed: 0,
        nInit: 10,
        preprocessing: { transform: 'none', clip: false },
      }));
    }, 120_000);

    it('finds the four reference groups (sizes within 1%)', () => {
      for (const group of Object.keys(reference) as Array<keyof typeof reference>) {
        expect(Math.abs(personaFor(group).size - reference[group].size)).toBeLessThan(reference[group].size * 0.01);
      }
    });

    it('names each group after its tenure and charges', () => {
      expect(personaFor('newExpensive').name).toBe('New Big-Spending Customers');
      expect(personaFor('newCheap').name).toBe('Frugal New Customers');
      expect(personaFor('longExpensive').name).toBe('Big-Spending Long-Standing Customers');
      expect(personaFor('longCheap').name).toBe('Frugal Long-Standing Customers');
      for (const persona of personas) expectNameBackedByTraits(persona);
      expect(new Set(personas.map((persona) => persona.name)).size).toBe(4);
    });

    it("reports each group's share of the monthly charges (the declared value column), as the reference means give", () => {
      const total = Object.values(reference).reduce((sum, group) => sum + group.size * group.monthly, 0);
      for (const group of Object.keys(reference) as Array<keyof typeof reference>) {
        const expected = (reference[group].size * reference[group].monthly) / total;
        expect(personaFor(group).profile.value?.share).toBeCloseTo(expected, 2);
      }
      expect(personaFor('longExpensive').tagline).toMatch(/27% of customers, 39% of monthly charges$/);
    });

    it('realises the monthly charges over the tenure: close to what each group was actually charged (TotalCharges)', () => {
      for (const persona of personas) {
        const charged = persona.traits.find((trait) => trait.feature === 'TotalCharges');
        expect(persona.profile.clv?.formula).toBe('MonthlyCharges × 12 × tenure in years');
        expect(charged?.kind === 'numeric' && Math.abs(persona.profile.clv!.mean / charged.personaMean - 1)).toBeLessThan(0.05);
      }
    });

    it('explains the groups with a faithful surrogate and precise rules', () => {
      expect(model.metrics.drivers?.heldOutAccuracy).toBeGreaterThan(0.95);
      for (const persona of personas) {
        expect(persona.drivers.rules[0]!.precision).toBeGreaterThan(0.9);
        // A rule wrong more often than right describes nobody and is not shown.
        for (const rule of persona.drivers.rules) expect(rule.precision).toBeGreaterThanOrEqual(0.5);
      }
      // New customers are told apart by tenure and charges, never by the total (their product).
      expect(['tenure', 'MonthlyCharges']).toContain(personaFor('newCheap').drivers.attributions[0]!.feature);
    });

    it('proposes early-life retention to the new customers only', () => {
      const hasRetention = (persona: PersonaDetail) => persona.strategies.some((strategy) => strategy.id === 'early-life-retention');
      expect(hasRetention(personaFor('newExpensive'))).toBe(true);
      expect(hasRetention(personaFor('newCheap'))).toBe(true);
      expect(hasRetention(personaFor('longExpensive'))).toBe(false);
      expect(hasRetention(personaFor('longCheap'))).toBe(false);
    });
  });

  describe('Telco Customer Churn: every column, k-prototypes', () => {
    let personas: PersonaDetail[];

    beforeAll(async () => {
      ({ personas } = await trainOn(readShared('data/telco_customers/WA_Fn-UseC_-Telco-Customer-Churn.csv'), 'name=telco-mixed', {
        name: 'telco-mixed',
        algorithm: 'kprototypes',
        exclude: ['Churn', 'gender'],
        k: 4,
        seed: 0,
      }));
    }, 120_000);

    it('names the customers without internet service "Offline", not after the columns that only repeat it', () => {
      const offline = personas.find((persona) => persona.traits.some((trait) => trait.kind === 'categorical' && trait.feature === 'InternetService' && trait.categories.find((c) => c.value === 'No')!.personaShare > 0.9))!;
      expect(offline.name).toMatch(/Offline/);
      for (const persona of personas) expect(persona.name).not.toMatch(/No-Internet-Service|No Internet Service/);
    });

    it('names the senior citizens "Senior", their top driver being SeniorCitizen', () => {
      const seniors = personas.find((persona) => zScore(persona, 'SeniorCitizen') > 2)!;
      expect(seniors.name).toMatch(/^Senior /);
      expect(seniors.drivers.attributions[0]!.feature).toBe('SeniorCitizen');
    });

    it('writes yes/no categories with their column in names and taglines', () => {
      for (const persona of personas) {
        expect(persona.name).not.toMatch(/\b(No|Yes)\b(?!-)/);
        expect(persona.tagline).not.toMatch(/\d+% (No|Yes)\b/);
      }
      expect(new Set(personas.map((persona) => persona.name)).size).toBe(4);
    });
  });

  describe('Online Retail invoices: RFM from transactions, k = 4', () => {
    let personas: PersonaDetail[];
    const named = (name: string) => personas.find((persona) => persona.name === name)!;

    beforeAll(async () => {
      const trained = await trainOnCsv(t.app, t.admin, '/v1/datasets/from-transactions?name=retail-rfm', readShared('data/online_retail_invoices/OnlineRetail_invoice_level.csv'), {
        name: 'retail-rfm', features: ['recency_days', 'frequency', 'monetary'], preprocessing: { transform: 'log1p', clip: false }, k: 4, seed: 0, nInit: 10,
      });
      personas = await Promise.all(
        ModelDetail.parse(trained).personas.map(async (summary) => Persona.parse((await t.app.inject({ method: 'GET', url: `/v1/personas/${summary.id}`, headers: t.admin })).json())),
      );
    }, 120_000);

    it('gives the personas the usual RFM segment names, each backed by its recency and frequency', () => {
      expect(personas.map((persona) => persona.name).sort()).toEqual(['Champions', 'Hibernating', 'New Customers', 'Potential Loyalists']);
      expect(zScore(named('Champions'), 'recency_days')).toBeLessThan(-0.3);
      expect(zScore(named('Champions'), 'frequency')).toBeGreaterThan(0.5);
      expect(zScore(named('Hibernating'), 'recency_days')).toBeGreaterThan(0.5);
      expect(zScore(named('New Customers'), 'frequency')).toBeLessThan(0);
    });

    it('shows the champions holding most of the money, the monetary value being realised as is', () => {
      const champions = named('Champions');
      expect(champions.profile.value!.share).toBeGreaterThan(0.5);
      expect(champions.profile.value!.index).toBeGreaterThan(3);
      expect(champions.profile.clv).toEqual({ mean: champions.profile.value!.mean, formula: 'monetary (a lifetime value)', tenureColumn: null });
    });

    it('proposes VIP retention to the champions and reactivation to the hibernating', () => {
      const ids = (name: string) => named(name).strategies.map((strategy) => strategy.id);
      expect(ids('Champions')).toContain('vip-retention');
      expect(ids('Hibernating')).toContain('reactivation');
      expect(ids('Champions')).not.toContain('reactivation');
    });
  });

  describe('Customer Personality Analysis: 22 numeric columns, k = 2 (SOURCE.md recipe)', () => {
    let personas: PersonaDetail[];
    const columns = ['Year_Birth', 'Income', 'Kidhome', 'Teenhome', 'Recency', 'MntWines', 'MntFruits', 'MntMeatProducts', 'MntFishProducts', 'MntSweetProducts', 'MntGoldProds',
      'NumDealsPurchases', 'NumWebPurchases', 'NumCatalogPurchases', 'NumStorePurchases', 'NumWebVisitsMonth', 'AcceptedCmp3', 'AcceptedCmp4', 'AcceptedCmp5', 'AcceptedCmp1', 'AcceptedCmp2', 'Complain'];
    const highSpenders = () => personas.find((persona) => zScore(persona, 'MntWines') > 0)!;
    const lowSpenders = () => personas.find((persona) => zScore(persona, 'MntWines') < 0)!;

    beforeAll(async () => {
      ({ personas } = await trainOn(readShared('data/customer_personality/marketing_campaign.csv'), 'name=personality', {
        name: 'personality',
        features: columns,
        k: 2,
        seed: 0,
        nInit: 10,
        preprocessing: { transform: 'none', clip: false },
      }));
    }, 120_000);

    it('splits 1,343 low spenders from 897 high spenders (±1%)', () => {
      expect(Math.abs(lowSpenders().size - 1343)).toBeLessThan(14);
      expect(Math.abs(highSpenders().size - 897)).toBeLessThan(9);
    });

    it('names the high spenders for their spending and the low spenders for their children and budget', () => {
      expect(highSpenders().name).toMatch(/Big-Spending/);
      expect(lowSpenders().name).toMatch(/Families|Budget|Frugal/);
      for (const persona of personas) {
        expectNameBackedByTraits(persona);
        expect(persona.name.split(' ').length).toBe(new Set(persona.name.split(' ')).size);
      }
    });

    it('shows the reference means: income 72,140 against 38,921, wine 605 against 103 (±2%)', () => {
      const mean = (persona: PersonaDetail, feature: string) => {
        const trait = persona.traits.find((candidate) => candidate.feature === feature);
        return trait?.kind === 'numeric' ? trait.personaMean : NaN;
      };
      const within2Percent = (actual: number, expected: number) => expect(Math.abs(actual / expected - 1)).toBeLessThan(0.02);
      within2Percent(mean(highSpenders(), 'Income'), 72_140);
      within2Percent(mean(lowSpenders(), 'Income'), 38_921);
      within2Percent(mean(highSpenders(), 'MntWines'), 605);
      within2Percent(mean(lowSpenders(), 'MntWines'), 103);
    });

    it('writes the columns as people say them in descriptions', () => {
      expect(highSpenders().description).not.toMatch(/mntwines|numstorepurchases/i);
      expect(highSpenders().description).toMatch(/wines spend|store purchases|catalog purchases|meat products spend/);
    });
  });
});
