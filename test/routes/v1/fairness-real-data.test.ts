/**
 * The fairness audit on a real dataset with demographic columns: IBM's Telco Customer Churn
 * (../shared/data/telco_customers), with gender, SeniorCitizen, Partner and Dependents declared
 * protected and personas trained on usage and contract columns. Population counts below were counted
 * from the CSV with Python's csv module, independently of the service.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FairnessReport, ModelDetail } from '../../../src/schemas/models.ts';
import { buildTestApp } from '../../helpers/app.ts';
import type { TestApp } from '../../helpers/app.ts';
import { trainOnCsv } from '../../helpers/factories.ts';
import { readShared } from '../../helpers/shared-data.ts';

const FEATURES = ['tenure', 'MonthlyCharges', 'TotalCharges', 'Contract', 'InternetService', 'PaymentMethod'];

describe('fairness audit of Telco Customer Churn', () => {
  let t: TestApp;
  let model: ReturnType<typeof ModelDetail.parse>;
  let report: ReturnType<typeof FairnessReport.parse>;

  beforeAll(async () => {
    t = await buildTestApp();
    model = ModelDetail.parse(
      await trainOnCsv(t.app, t.admin, '/v1/datasets?name=telco&protectedAttributes=gender,SeniorCitizen,Partner,Dependents', readShared('data/telco_customers/WA_Fn-UseC_-Telco-Customer-Churn.csv'), {
        name: 'telco', features: FEATURES, k: 4, seed: 0,
      }),
    );
    const response = await t.app.inject({ method: 'GET', url: `/v1/models/${model.id}/fairness`, headers: t.admin });
    expect(response.statusCode).toBe(200);
    report = FairnessReport.parse(response.json());
  }, 180_000);
  afterAll(async () => t?.close());

  it('audits the four declared attributes with their population shares', () => {
    expect(report.status).toBe('audited');
    expect(model.parameters.protectedAttributes).toEqual(['gender', 'SeniorCitizen', 'Partner', 'Dependents']);
    const groups = Object.fromEntries(report.protectedAttributes.map((attribute) => [attribute.name, Object.fromEntries(attribute.groups.map((group) => [group.group, group.customers]))]));
    expect(groups).toEqual({
      gender: { Female: 3488, Male: 3555 },
      SeniorCitizen: { 0: 5901, 1: 1142 },
      Partner: { Yes: 3402, No: 3641 },
      Dependents: { No: 4933, Yes: 2110 },
    });
  });

  it('finds gender independent of the personas and not predictable from the features', () => {
    const composition = report.checks!.composition.attributes.find((attribute) => attribute.attribute === 'gender')!;
    expect(composition.verdict).toBe('pass');
    expect(composition.cramersVCorrected).toBeLessThan(0.05);
    const proxies = report.checks!.proxies.attributes.find((attribute) => attribute.attribute === 'gender')!;
    expect(proxies.proxies).toEqual([]);
    expect(Math.abs(proxies.classifier.lift)).toBeLessThan(0.05);
  });

  it('reports every persona and every group, with shares that add up', () => {
    for (const attribute of report.checks!.composition.attributes) {
      expect(attribute.personas).toHaveLength(4);
      const counted = attribute.personas.reduce((sum, persona) => sum + persona.customers, 0);
      expect(counted).toBe(7043);
      for (const persona of attribute.personas) expect(persona.groups.reduce((sum, group) => sum + group.share, 0)).toBeCloseTo(1, 10);
    }
    expect(['pass', 'review', 'fail']).toContain(report.verdict);
  });
});
