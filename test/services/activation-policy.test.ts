import { describe, expect, it } from 'vitest';
import type { ModelMetrics } from '../../src/domain/model.ts';
import { decideActivation } from '../../src/services/activation-policy.ts';

const metrics = (overrides: Partial<ModelMetrics>) =>
  ({
    silhouette: 0.5,
    stability: { resamples: 10, seed: 1, meanAdjustedRandIndex: 0.9, unstablePersonas: 0 },
    continuity: { matched: [], new: [], vanished: [] },
    ...overrides,
  }) as unknown as ModelMetrics;

describe('decideActivation (the when-not-worse policy)', () => {
  it('activates the first version of a name', () => {
    expect(decideActivation(metrics({}), null)).toEqual({ activate: true, note: 'activated: no version was active' });
  });

  it('activates an equal or better version whose personas all carry over', () => {
    expect(decideActivation(metrics({ silhouette: 0.52 }), metrics({})).activate).toBe(true);
  });

  it('keeps a version with a lower silhouette or stability, or with personas that do not carry over, saying why', () => {
    expect(decideActivation(metrics({ silhouette: 0.49 }), metrics({})).note).toBe("kept as a candidate: its silhouette 0.490 is below the active version's 0.500");
    const lessStable = metrics({ stability: { resamples: 10, seed: 1, meanAdjustedRandIndex: 0.7, unstablePersonas: 1 } });
    expect(decideActivation(lessStable, metrics({})).note).toMatch(/stability \(mean ARI 0.700\) is below the active version's 0.900/);
    const split = metrics({ continuity: { matched: [], new: [{ key: 'a', name: 'Young Savers' }], vanished: [], sharedFeatures: [] } });
    expect(decideActivation(split, metrics({}))).toEqual({ activate: false, note: 'kept as a candidate: not every persona carries over (new "Young Savers")' });
    expect(decideActivation(metrics({ continuity: null }), metrics({})).activate).toBe(false);
  });

  it('keeps any version as a candidate when strict governance refuses it (a failing or missing fairness audit), whatever its quality', () => {
    const refused = { allowed: false, note: 'strict governance: the fairness audit of nightly v2 is "fail" — composition fail: …' };
    expect(decideActivation(metrics({ silhouette: 0.9 }), metrics({}), refused)).toEqual({ activate: false, note: `kept as a candidate: ${refused.note}` });
    expect(decideActivation(metrics({}), null, refused).activate).toBe(false);
    expect(decideActivation(metrics({}), null, { allowed: true, note: 'strict governance: the fairness audit of nightly v1 passes' }).activate).toBe(true);
  });
});
