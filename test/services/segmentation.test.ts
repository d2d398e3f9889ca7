import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { CustomerAttributes } from '../../src/domain/dataset.ts';
import { adjustedRandIndex } from '../../src/engine/index.ts';
import { profileColumns } from '../../src/services/columns.ts';
import { customerTableFromRows } from '../../src/domain/customer-table.ts';
import { columnRequests, encodeRows, fitFeatureSchema, resolveFeatureRequests } from '../../src/services/features.ts';
import type { PreprocessingDefaults } from '../../src/services/features.ts';
import { chooseAlgorithm, computeSegmentation } from '../../src/services/segmentation.ts';
import type { SegmentationProgress, SegmentationRequest } from '../../src/services/segmentation.ts';
import { segmentCustomers } from '../helpers/factories.ts';

const defaults: PreprocessingDefaults = { scaling: 'standard', transform: 'none', clip: false, categoricalWeight: Math.SQRT1_2 };
const request: SegmentationRequest = { algorithm: 'kmeans', ks: [3], seed: 5, nInit: 3, covarianceType: 'diag', gamma: null, stabilityResamples: 0 };

function encode(rows: CustomerAttributes[], options: Partial<PreprocessingDefaults> = {}) {
  const profiles = profileColumns(Object.keys(rows[0]!), rows);
  const features = resolveFeatureRequests(profiles, undefined, []);
  const table = customerTableFromRows(rows, columnRequests(profiles, features));
  return encodeRows(fitFeatureSchema(profiles, table, features, { ...defaults, ...options }), table);
}

const customers = segmentCustomers(15).map(({ customer_id: _id, ...rest }) => rest as CustomerAttributes);

describe('computeSegmentation', () => {
  it('finds the same partition whatever the units of a numeric column (standardization makes scale irrelevant)', async () => {
    const reference = await computeSegmentation(encode(customers), request);
    await fc.assert(
      fc.asyncProperty(fc.double({ min: 1e-3, max: 1e6, noNaN: true }), async (factor) => {
        const rescaled = customers.map((row) => ({ ...row, income: (row.income as number) * factor, age: (row.age as number) / factor }));
        const result = await computeSegmentation(encode(rescaled), request);
        expect(adjustedRandIndex(result.labels, reference.labels)).toBe(1);
      }),
      { numRuns: 15 },
    );
  });

  it('assigns every training customer to the persona whose centre is nearest', async () => {
    const encoded = encode(customers);
    const result = await computeSegmentation(encoded, request);
    const { dense } = encoded;
    const centers = result.servingCenters;
    for (let i = 0; i < dense.rows; i++) {
      let nearest = 0;
      let best = Infinity;
      for (let c = 0; c < centers.rows; c++) {
        let sum = 0;
        for (let j = 0; j < dense.cols; j++) sum += (dense.data[i * dense.cols + j]! - centers.data[c * dense.cols + j]!) ** 2;
        if (sum < best) [best, nearest] = [sum, c];
      }
      expect(result.labels[i]).toBe(nearest);
    }
  });

  it('reports its progress: fitting per k, scoring, stability and the map', async () => {
    const phases: SegmentationProgress[] = [];
    await computeSegmentation(encode(customers), { ...request, ks: [2, 3], stabilityResamples: 2 }, (progress) => phases.push(progress));
    const summary = [...new Set(phases.map((p) => `${p.phase}${p.k ? `:${p.k}` : ''}`))];
    expect(summary).toEqual(['fitting:2', 'scoring:2', 'fitting:3', 'scoring:3', 'stability:3', 'map:3']);
    expect(phases.some((p) => p.phase === 'fitting' && p.iteration !== undefined)).toBe(true);
  });

  it('skips bootstrap stability, with a warning, when k is more than half of the customers', async () => {
    // 45 customers and k = 30: a resample of about 28 distinct customers could not hold 30 personas.
    const result = await computeSegmentation(encode(customers), { ...request, ks: [30], stabilityResamples: 5 });
    expect(result.metrics.stability).toBeNull();
    expect(result.metrics.warnings).toContainEqual(expect.stringMatching(/^stability was not assessed: k = 30 is more than half of the 45 customers/));
  });

  it('gives every persona a distance threshold at the 99th percentile of its members', async () => {
    const result = await computeSegmentation(encode(customers), request);
    result.artifacts.distanceThresholds.forEach((threshold, persona) => {
      const members = Array.from(result.distances).filter((_, i) => result.labels[i] === persona);
      expect(threshold).toBeLessThanOrEqual(Math.max(...members));
      expect(members.filter((distance) => distance <= threshold).length / members.length).toBeGreaterThanOrEqual(0.99 - 1 / members.length);
    });
  });

  it('flags a persona of imputed customers as a data-quality group', async () => {
    const withGaps = [...customers, ...Array.from({ length: 12 }, () => ({ age: null, income: null, home_ownership: null, web_visits: null }))];
    const result = await computeSegmentation(encode(withGaps), { ...request, ks: [4] });
    const flagged = result.quality.filter((quality) => quality.isDataQuality);
    expect(flagged).toHaveLength(1);
    expect(flagged[0]!.reasons.join(' ')).toMatch(/imputed/);
  });
});

describe('chooseAlgorithm', () => {
  it('turns auto into k-prototypes for mixed data and k-means for numeric data', () => {
    expect(chooseAlgorithm('auto', true).algorithm).toBe('kprototypes');
    expect(chooseAlgorithm('auto', false).algorithm).toBe('kmeans');
    expect(chooseAlgorithm('gmm', true)).toEqual({ algorithm: 'gmm', reason: 'algorithm gmm as requested' });
  });
});
