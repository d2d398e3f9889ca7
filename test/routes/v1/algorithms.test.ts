/**
 * Every algorithm end to end through the API: trained on the planted segments, stored, activated
 * and answering /v1/assign in its own way.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AssignResponse } from '../../../src/schemas/assign.ts';
import { ModelDetail } from '../../../src/schemas/models.ts';
import { buildTestApp } from '../../helpers/app.ts';
import type { TestApp } from '../../helpers/app.ts';
import { SEGMENTS, segmentUpload } from '../../helpers/factories.ts';

describe('algorithms through /v1/models and /v1/assign', () => {
  let t: TestApp;
  let datasetId: string;
  let numericDatasetId: string;

  beforeAll(async () => {
    t = await buildTestApp();
    datasetId = (await t.app.inject({ method: 'POST', url: '/v1/datasets', headers: t.admin, payload: segmentUpload() })).json().id;
    const numeric = segmentUpload().customers.map(({ home_ownership: _home, ...rest }) => rest);
    numericDatasetId = (await t.app.inject({ method: 'POST', url: '/v1/datasets', headers: t.admin, payload: numeric })).json().id;
  });
  afterAll(async () => t.close());

  async function trainAndActivate(payload: Record<string, unknown>) {
    const response = await t.app.inject({ method: 'POST', url: '/v1/models?wait=true', headers: t.admin, payload: { datasetId, k: 3, seed: 3, ...payload } });
    expect(response.statusCode, response.body).toBe(201);
    const model = ModelDetail.parse(response.json());
    await t.app.inject({ method: 'POST', url: `/v1/models/${model.id}/activate`, headers: t.admin });
    return model;
  }

  const assign = async (model: string, attributes: Record<string, unknown>) => {
    const response = await t.app.inject({ method: 'POST', url: `/v1/assign?model=${model}&include=probabilities`, headers: t.admin, payload: { attributes } });
    expect(response.statusCode, response.body).toBe(200);
    return AssignResponse.parse(response.json());
  };
  const segment = (s: number) => ({ age: SEGMENTS[s]!.age, income: SEGMENTS[s]!.income, home_ownership: SEGMENTS[s]!.home, web_visits: [14, 6, 2][s]! });

  describe('k-prototypes', () => {
    it('trains on mixed data with gamma and modes, and recovers the three segments', async () => {
      const model = await trainAndActivate({ name: 'mixed-kproto', algorithm: 'kprototypes' });
      expect(model).toMatchObject({ algorithm: 'kprototypes', parameters: { algorithm: 'kprototypes', requestedAlgorithm: 'kprototypes' } });
      expect(model.metrics).toMatchObject({ k: 3, gamma: expect.any(Number), cost: expect.any(Number) });
      expect(model.metrics.sizes.sort()).toEqual([20, 20, 20]);
    });

    it('assigns a mixed-type customer, and a categorical answer alone', async () => {
      const full = await Promise.all([0, 1, 2].map((s) => assign('mixed-kproto', segment(s))));
      expect(new Set(full.map((a) => a.persona.id)).size).toBe(3);
      const renters = await assign('mixed-kproto', { home_ownership: 'rent' });
      expect(renters.persona.id).toBe(full[0]!.persona.id);
      expect(renters.featuresUsed).toEqual(['home_ownership']);
    });

    it('counts an unseen category as a mismatch with every mode, with a warning', async () => {
      const answer = await assign('mixed-kproto', { age: 68, home_ownership: 'castle' });
      expect(answer.warnings).toHaveLength(1);
    });
  });

  describe('Gaussian mixture', () => {
    it('trains with BIC and log-likelihood, choosing k by the lowest BIC over a range', async () => {
      const model = await trainAndActivate({ name: 'mixture', algorithm: 'gmm', k: undefined, kRange: [2, 4], covarianceType: 'diag' });
      expect(model).toMatchObject({ algorithm: 'gmm', parameters: { covarianceType: 'diag' } });
      expect(model.metrics.selection.criterion).toBe('bic');
      const bics = model.metrics.kSelection.map((entry) => entry.bic!);
      expect(model.metrics.bic).toBe(Math.min(...bics));
      expect(model.metrics.k).toBe(3);
      expect(model.metrics.logLikelihood).toEqual(expect.any(Number));
    });

    it('answers /v1/assign with membership probabilities of every persona, most likely first', async () => {
      const answer = await assign('mixture', segment(2));
      expect(answer.probabilities).toHaveLength(3);
      const probabilities = answer.probabilities!.map((p) => p.probability);
      expect(probabilities.reduce((a, b) => a + b)).toBeCloseTo(1, 12);
      expect(probabilities).toEqual([...probabilities].sort((a, b) => b - a));
      expect(answer.probabilities![0]!.persona.id).toBe(answer.persona.id);
      // The confidence is the mixture's posterior of the persona; the runners-up follow it.
      expect(answer.confidence).toBe(probabilities[0]);
      expect(answer.runnersUp.map((entry) => entry.probability)).toEqual(probabilities.slice(1));
    });

    it('gives split membership to a customer between two personas', async () => {
      const between = { age: (SEGMENTS[1].age + SEGMENTS[2].age) / 2 };
      const answer = await assign('mixture', between);
      expect(answer.probabilities![0]!.probability).toBeLessThan(0.999);
      expect(answer.featuresUsed).toEqual(['age']);
    });
  });

  describe('algorithm auto', () => {
    it('chooses k-prototypes when a feature is categorical and says why', async () => {
      const model = await trainAndActivate({ name: 'auto-mixed', algorithm: 'auto' });
      expect(model.algorithm).toBe('kprototypes');
      expect(model.metrics.selection.reason).toContain('categorical');
    });

    it('chooses k-means when every feature is numeric', async () => {
      const model = await trainAndActivate({ name: 'auto-numeric', algorithm: 'auto', datasetId: numericDatasetId });
      expect(model.algorithm).toBe('kmeans');
    });
  });

  describe('model quality', () => {
    it('reports bootstrap stability per persona and overall, and stores the 2-D map', async () => {
      const model = await trainAndActivate({ name: 'stable', algorithm: 'kmeans', stabilityResamples: 5 });
      expect(model.metrics.stability).toMatchObject({ resamples: 5, unstablePersonas: 0 });
      expect(model.metrics.stability!.meanAdjustedRandIndex).toBeGreaterThan(0.95);
      for (const persona of model.personas) expect(persona.quality).toMatchObject({ isStable: true, isDataQuality: false, stability: expect.any(Number) });
      const detail = (await t.app.inject({ method: 'GET', url: `/v1/models/${model.id}`, headers: t.admin })).json();
      expect(detail.map.centroids).toHaveLength(3);
      expect(detail.map.sample.length).toBeGreaterThan(0);
      expect(detail.map.explainedVarianceRatio[0]).toBeGreaterThan(detail.map.explainedVarianceRatio[1]);
    });
  });

  describe('unclassified customers', () => {
    it('flags a customer far beyond every persona as unclassified, with the reason', async () => {
      await trainAndActivate({ name: 'outliers', algorithm: 'kmeans' });
      const typical = await assign('outliers', segment(1));
      expect(typical.unclassified).toBe(false);
      const outlier = await assign('outliers', { age: 30, income: 900_000, web_visits: 60 });
      expect(outlier.unclassified).toBe(true);
      expect(outlier.unclassifiedReason).toMatch(/beyond the [\d.]+ that 99% of its members are within/);
    });
  });
});

describe('training off the event loop', () => {
  it('spends the CPU of a training in a worker thread, and /v1/assign answers meanwhile', async () => {
    const t = await buildTestApp();
    try {
      const upload = await t.app.inject({ method: 'POST', url: '/v1/datasets', headers: t.admin, payload: segmentUpload(2_000) });
      const datasetId = upload.json().id;
      const first = await t.app.inject({ method: 'POST', url: '/v1/models?wait=true', headers: t.admin, payload: { name: 'serving', datasetId, k: 3, stabilityResamples: 0 } });
      await t.app.inject({ method: 'POST', url: `/v1/models/${first.json().id}/activate`, headers: t.admin });

      const threadBefore = process.threadCpuUsage();
      const processBefore = process.cpuUsage();
      let isTrainingDone = false;
      const training = t.app
        .inject({ method: 'POST', url: '/v1/models?wait=true', headers: t.admin, payload: { name: 'busy', datasetId, kRange: [2, 8], nInit: 5, stabilityResamples: 40 } })
        .then((response) => {
          isTrainingDone = true;
          return response;
        });
      let answeredDuringTraining = 0;
      while (!isTrainingDone) {
        const response = await t.app.inject({ method: 'POST', url: '/v1/assign', headers: t.admin, payload: { attributes: { age: 30 } } });
        expect(response.statusCode).toBe(200);
        if (!isTrainingDone) answeredDuringTraining++;
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
      const thread = process.threadCpuUsage(threadBefore);
      const whole = process.cpuUsage(processBefore);
      const trained = await training;
      expect(trained.statusCode).toBe(201);
      // The training's CPU is spent by other threads of the process (the training worker), not by the
      // thread that serves requests, which meanwhile kept answering.
      const mainThreadMs = (thread.user + thread.system) / 1000;
      const otherThreadsMs = (whole.user + whole.system) / 1000 - mainThreadMs;
      expect(otherThreadsMs).toBeGreaterThan(mainThreadMs);
      expect(answeredDuringTraining).toBeGreaterThan(0);
    } finally {
      await t.close();
    }
  });
});
