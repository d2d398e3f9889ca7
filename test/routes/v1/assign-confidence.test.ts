/**
 * /v1/assign on the demo insurance book (five planted segments, numeric and categorical features):
 * calibrated confidence, runners-up, cold start with 1, 3 and all features, explanations whose
 * contributions add up, and next questions that find the persona sooner than a fixed order.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateInsuranceBook } from '../../../src/demo/insurance-book.ts';
import type { DemoCustomer } from '../../../src/demo/insurance-book.ts';
import { AssignResponse } from '../../../src/schemas/assign.ts';
import { ModelDetail } from '../../../src/schemas/models.ts';
import { assignCustomer } from '../../../src/services/assignment.ts';
import type { CompiledModel } from '../../../src/services/compiled-model.ts';
import { buildTestApp } from '../../helpers/app.ts';
import type { TestApp } from '../../helpers/app.ts';

/** Customers the model never saw: another seed of the same generator. */
const heldOut = generateInsuranceBook({ customers: 300, seed: 2027 }).customers.map(({ customer_id: _id, ...attributes }) => attributes);

describe('POST /v1/assign: confidence, cold start, explanations and next questions', () => {
  let t: TestApp;
  let model: CompiledModel;
  let detail: ReturnType<typeof ModelDetail.parse>;

  beforeAll(async () => {
    t = await buildTestApp();
    await t.app.services.demo.seedIfEmpty();
    model = await t.app.services.registry.resolve();
    detail = ModelDetail.parse((await t.app.inject({ method: 'GET', url: `/v1/models/${model.id}`, headers: t.admin })).json());
  });
  afterAll(async () => t.close());

  const assign = async (attributes: Record<string, unknown>, query = '') => {
    const response = await t.app.inject({ method: 'POST', url: `/v1/assign${query}`, headers: t.admin, payload: { attributes } });
    expect(response.statusCode, response.body).toBe(200);
    return AssignResponse.parse(response.json());
  };
  const pick = (customer: Omit<DemoCustomer, 'customer_id'>, names: readonly string[]) => Object.fromEntries(names.map((name) => [name, customer[name as keyof typeof customer]]));
  const featureNames = () => model.features.map((feature) => feature.name);

  describe('calibration measured at training', () => {
    it('stores a temperature and a small expected calibration error on held-out partial customers', () => {
      const calibration = detail.metrics.calibration!;
      expect(calibration.method).toBe(model.mixture ? 'posterior' : 'temperature');
      expect(calibration.heldOutRows).toBeGreaterThan(1_000);
      expect(calibration.expectedCalibrationError).toBeLessThan(0.05);
      // Confidence tracks accuracy overall, and fewer features mean less of both.
      expect(Math.abs(calibration.meanConfidence - calibration.accuracy)).toBeLessThan(0.05);
      const byFeatures = calibration.byFeaturesGiven;
      expect(byFeatures[0]!.features).toBe(1);
      expect(byFeatures.at(-1)!.features).toBe(model.features.length);
      expect(byFeatures[0]!.meanConfidence).toBeLessThan(byFeatures.at(-1)!.meanConfidence);
      expect(byFeatures.at(-1)!.accuracy).toBe(1);
    });

    it('gives held-out customers confidences that track how often the persona is right', async () => {
      // Three answers each: the persona with three features is right about as often as the confidence says.
      const three = featureNames().slice(0, 3);
      let confidence = 0;
      let correct = 0;
      for (const customer of heldOut) {
        const full = assignCustomer(model, customer);
        const partial = assignCustomer(model, pick(customer, three));
        confidence += partial.confidence;
        correct += Number(partial.personaIndex === full.personaIndex);
      }
      expect(Math.abs(confidence / heldOut.length - correct / heldOut.length)).toBeLessThan(0.1);
    });
  });

  describe('cold start', () => {
    it('answers with 1, 3 and all features, with rising confidence and the features used and missing', async () => {
      const customer = heldOut[0]!;
      const names = featureNames();
      const answers = [];
      for (const count of [1, 3, names.length]) {
        const answer = await assign(pick(customer, names.slice(0, count)));
        expect(answer.featuresUsed).toEqual(names.slice(0, count));
        expect(answer.featuresMissing).toEqual(names.slice(count));
        answers.push(answer);
      }
      const mean = (count: number) => heldOut.reduce((sum, c) => sum + assignCustomer(model, pick(c, names.slice(0, count))).confidence, 0) / heldOut.length;
      expect(mean(1)).toBeLessThan(mean(3));
      expect(mean(3)).toBeLessThan(mean(names.length));
      expect(answers[0]!.nextQuestion!.feature).not.toBe(names[0]);
      expect(answers[2]!.nextQuestion).toBeUndefined();
    });

    it('reports the confidence as the persona’s probability, with up to three runners-up after it', async () => {
      const answer = await assign(pick(heldOut[1]!, featureNames().slice(0, 2)), '?include=probabilities');
      const probabilities = answer.probabilities!;
      expect(probabilities).toHaveLength(model.k);
      expect(probabilities.reduce((sum, entry) => sum + entry.probability, 0)).toBeCloseTo(1, 12);
      expect(probabilities[0]).toEqual({ persona: answer.persona, probability: answer.confidence });
      expect(answer.runnersUp).toEqual(probabilities.slice(1, 4));
    });

    it('names a missing feature as the next question, with the expected information gain of each', async () => {
      const answer = await assign({ age: 29 }, '?include=questions');
      const question = answer.nextQuestion!;
      const { ranking: _ranking, ...summary } = question;
      expect((await assign({ age: 29 })).nextQuestion).toEqual(summary);
      expect(answer.featuresMissing).toContain(question.feature);
      expect(question.ranking!.map((entry) => entry.feature).sort()).toEqual([...answer.featuresMissing].sort());
      expect(question.ranking![0]).toEqual({ feature: question.feature, expectedInformationGain: question.expectedInformationGain });
      expect(question.expectedInformationGain).toBeGreaterThan(0);
      expect(question.expectedInformationGain).toBeLessThanOrEqual(question.currentEntropy + 1e-12);
    });
  });

  describe('next questions', () => {
    /** Answers asked, one at a time, until the persona is the one the customer has with every feature. */
    function questionsUntilFullPersona(customer: Omit<DemoCustomer, 'customer_id'>, firstQuestion: string, next: (asked: string[], assignment: ReturnType<typeof assignCustomer>) => string): number {
      const target = assignCustomer(model, customer).personaIndex;
      const asked = [firstQuestion];
      for (;;) {
        const assignment = assignCustomer(model, pick(customer, asked));
        if (assignment.personaIndex === target) return asked.length;
        asked.push(next(asked, assignment));
      }
    }

    it.each([
      ['the schema order', (names: string[]) => names],
      ['the reverse order', (names: string[]) => [...names].reverse()],
    ])('reach the full-data persona in fewer questions on average than asking in %s', (_label, orderOf) => {
      const order = orderOf(featureNames());
      let fixed = 0;
      let suggested = 0;
      for (const customer of heldOut) {
        fixed += questionsUntilFullPersona(customer, order[0]!, (asked) => order[asked.length]!);
        suggested += questionsUntilFullPersona(customer, order[0]!, (_asked, assignment) => assignment.nextQuestion!.feature);
      }
      expect(suggested / heldOut.length).toBeLessThan(fixed / heldOut.length);
    });
  });

  describe('?include=recommendations', () => {
    it("adds the persona's five top products by confidence, as GET /v1/personas/:id/recommendations ranks them", async () => {
      const answer = await assign(heldOut[4]!, '?include=recommendations');
      const ranking = await t.app.inject({ method: 'GET', url: `/v1/personas/${answer.persona.id}/recommendations?rankBy=confidence&limit=5`, headers: t.admin });
      expect(answer.recommendations).toHaveLength(5);
      expect(answer.recommendations).toEqual(ranking.json().items);
      expect(answer.recommendations![0]!.reason).toContain(answer.persona.name);
      expect((await assign(heldOut[4]!)).recommendations).toBeUndefined();
    });

    it('recommends nothing to an unclassified customer', async () => {
      const outlier = { ...heldOut[4]!, age: 104, income: 5_000_000, claims_last_3y: 40, web_visits_month: 300 };
      const answer = await assign(outlier, '?include=recommendations');
      expect(answer.unclassified).toBe(true);
      expect(answer.recommendations).toEqual([]);
    });
  });

  describe('?explain=true', () => {
    it('splits the cost difference to the runner-up over the features given, in the customer’s own units', async () => {
      const customer = heldOut[3]!;
      const answer = await assign(customer, '?explain=true');
      const explanation = answer.explanation!;
      expect(explanation.versus).toEqual(answer.runnersUp[0]!.persona);
      expect(explanation.features.map((entry) => entry.feature).sort()).toEqual([...answer.featuresUsed].sort());
      const sum = explanation.features.reduce((total, entry) => total + entry.contribution, explanation.base);
      expect(sum).toBeCloseTo(explanation.total, 9);
      // Independently of the split: the probabilities are a softmax of −cost / T (or the posterior), so
      // the cost difference is T × log(p_chosen / p_runner-up).
      const temperature = detail.metrics.calibration!.temperature ?? 1;
      expect(explanation.total).toBeCloseTo(temperature * Math.log(answer.confidence / answer.runnersUp[0]!.probability), 6);
      expect(explanation.total).toBeGreaterThan(0);
      const magnitudes = explanation.features.map((entry) => Math.abs(entry.contribution));
      expect(magnitudes).toEqual([...magnitudes].sort((a, b) => b - a));
      const income = explanation.features.find((entry) => entry.feature === 'income')!;
      expect(income.value).toBe(customer.income);
      expect(income.text).toMatch(new RegExp(`^income [\\d,.]+ is .*(sd (below|above)|centre of) ${escape(answer.persona.name)} \\(typically [\\d,.]+\\) and .*${escape(explanation.versus.name)} \\(typically`));
    });

    it('is absent unless asked for', async () => {
      expect((await assign(heldOut[3]!)).explanation).toBeUndefined();
    });
  });
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
