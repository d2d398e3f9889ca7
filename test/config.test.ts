import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../src/config.ts';

describe('loadConfig', () => {
  it('fills every setting with its default from an empty environment', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      port: 3000,
      host: '0.0.0.0',
      databaseUrl: null,
      authDisabled: false,
      bodyLimitBytes: 1024 * 1024,
      uploadLimitBytes: 64 * 1024 * 1024,
      rateLimit: { enabled: true, max: 6000, windowMs: 60_000 },
      demoOnEmpty: true,
      defaultModel: null,
    });
  });

  it('reads the assignment log settings, with the log on for every assignment by default', () => {
    expect(loadConfig({}).assignmentLog).toEqual({ sampleRate: 1, flushIntervalMs: 1000, batchSize: 500, maxPending: 50_000 });
    expect(loadConfig({ ASSIGNMENT_LOG_SAMPLE_RATE: '0.25', ASSIGNMENT_LOG_BATCH_SIZE: '100' }).assignmentLog).toMatchObject({ sampleRate: 0.25, batchSize: 100 });
    expect(() => loadConfig({ ASSIGNMENT_LOG_SAMPLE_RATE: '1.5' })).toThrow(/ASSIGNMENT_LOG_SAMPLE_RATE/);
    expect(() => loadConfig({ ASSIGNMENT_LOG_BATCH_SIZE: '0' })).toThrow(/ASSIGNMENT_LOG_BATCH_SIZE/);
  });

  it('lowers training threads to nice 10 by default, and refuses values outside 0–19', () => {
    expect(loadConfig({}).trainingNice).toBe(10);
    expect(loadConfig({ TRAINING_NICE: '0' }).trainingNice).toBe(0);
    expect(() => loadConfig({ TRAINING_NICE: '20' })).toThrow(/TRAINING_NICE/);
  });

  it('runs standard governance with the documented fairness thresholds by default, and reads FAIRNESS_… and GOVERNANCE_MODE', () => {
    const defaults = loadConfig({});
    expect(defaults.governanceMode).toBe('standard');
    expect(defaults.fairness).toEqual({
      thresholds: { compositionReviewV: 0.1, compositionFailV: 0.3, fourFifthsReview: 0.9, fourFifthsFail: 0.8, proxyReviewLift: 0.1, proxyFailLift: 0.2, proxyFeatureV: 0.2, minGroupSize: 30 },
      highCostProducts: [],
    });
    const custom = loadConfig({
      GOVERNANCE_MODE: 'strict',
      FAIRNESS_COMPOSITION_REVIEW_V: '0.15',
      FAIRNESS_COMPOSITION_FAIL_V: '0.4',
      FAIRNESS_FOUR_FIFTHS_REVIEW: '0.95',
      FAIRNESS_FOUR_FIFTHS_FAIL: '0.75',
      FAIRNESS_PROXY_REVIEW_LIFT: '0.05',
      FAIRNESS_PROXY_FAIL_LIFT: '0.15',
      FAIRNESS_PROXY_FEATURE_V: '0.25',
      FAIRNESS_MIN_GROUP_SIZE: '50',
      FAIRNESS_HIGH_COST_PRODUCTS: 'GOLD, PLATINUM ,',
    });
    expect(custom.governanceMode).toBe('strict');
    expect(custom.fairness).toEqual({
      thresholds: { compositionReviewV: 0.15, compositionFailV: 0.4, fourFifthsReview: 0.95, fourFifthsFail: 0.75, proxyReviewLift: 0.05, proxyFailLift: 0.15, proxyFeatureV: 0.25, minGroupSize: 50 },
      highCostProducts: ['GOLD', 'PLATINUM'],
    });
    expect(() => loadConfig({ GOVERNANCE_MODE: 'lenient' })).toThrow(/GOVERNANCE_MODE/);
    expect(() => loadConfig({ FAIRNESS_FOUR_FIFTHS_FAIL: '1.2' })).toThrow(/FAIRNESS_FOUR_FIFTHS_FAIL/);
    expect(() => loadConfig({ FAIRNESS_MIN_GROUP_SIZE: '0' })).toThrow(/FAIRNESS_MIN_GROUP_SIZE/);
  });

  it('returns a frozen object', () => {
    expect(Object.isFrozen(loadConfig({}))).toBe(true);
  });

  it('reads booleans written as true/false, 1/0 and yes/no', () => {
    expect(loadConfig({ AUTH_DISABLED: 'true' }).authDisabled).toBe(true);
    expect(loadConfig({ AUTH_DISABLED: '1' }).authDisabled).toBe(true);
    expect(loadConfig({ AUTH_DISABLED: 'no' }).authDisabled).toBe(false);
  });

  it('checks for model changes every 5 s unless told otherwise, and listens on the database URL unless given another', () => {
    expect(loadConfig({})).toMatchObject({ modelSyncIntervalMs: 5000, modelChangesDatabaseUrl: null });
    expect(loadConfig({ MODEL_SYNC_INTERVAL_MS: '0', MODEL_CHANGES_DATABASE_URL: 'postgresql://db:5432/persona' })).toMatchObject({
      modelSyncIntervalMs: 0,
      modelChangesDatabaseUrl: 'postgresql://db:5432/persona',
    });
    expect(() => loadConfig({ MODEL_SYNC_INTERVAL_MS: '-1' })).toThrow(/MODEL_SYNC_INTERVAL_MS/);
  });

  it('treats empty variables as unset', () => {
    expect(loadConfig({ DATABASE_URL: '', PORT: '' })).toMatchObject({ databaseUrl: null, port: 3000 });
  });

  it('names every invalid variable and why, without echoing secret values', () => {
    const secret = 'mysql://root:hunter2@db/x';
    let error: unknown;
    try {
      loadConfig({ PORT: 'eighty', DATABASE_URL: secret, AUTH_DISABLED: 'maybe' });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems;
    expect(problems.map((p) => p.split(':')[0]).sort()).toEqual(['AUTH_DISABLED', 'DATABASE_URL', 'PORT']);
    expect((error as Error).message).not.toContain('hunter2');
  });
});
