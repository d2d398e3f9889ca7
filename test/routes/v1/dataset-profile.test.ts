/**
 * The data-quality report (issue 8, "Governance"): computed at upload and stored, served at
 * GET /v1/datasets/:id/profile, available as a dry run at POST /v1/datasets/profile, and enforced by
 * training, which refuses excluded columns with the report's reason.
 */
import { readFileSync } from 'node:fs';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Problem } from '../../../src/schemas/common.ts';
import { DataQualityReport, DatasetUploaded } from '../../../src/schemas/datasets.ts';
import { buildTestApp } from '../../helpers/app.ts';
import type { TestApp } from '../../helpers/app.ts';
import { readShared } from '../../helpers/shared-data.ts';

const fixture = (name: string) => readFileSync(new URL(`../../fixtures/data/${name}`, import.meta.url), 'utf8');
const DIRTY = fixture('quality-dirty.csv');
const CLEAN = fixture('quality-clean.csv');

/** Each column's flags: what the planted defects should produce, and nothing else. */
const flagsOf = (report: DataQualityReport) => Object.fromEntries(report.columns.map((column) => [column.name, column.flags]));
const columnOf = (report: DataQualityReport, name: string) => report.columns.find((column) => column.name === name)!;

describe('data-quality report', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await buildTestApp();
  });
  afterAll(async () => t.close());

  const uploadCsv = (csv: string, query = '', url = '/v1/datasets') =>
    t.app.inject({ method: 'POST', url: `${url}${query}`, headers: { ...t.admin, 'content-type': 'text/csv' }, payload: csv });
  const profileOf = async (id: string, headers: Record<string, string> = t.admin) => {
    const response = await t.app.inject({ method: 'GET', url: `/v1/datasets/${id}/profile`, headers });
    expect(response.statusCode, response.body).toBe(200);
    return DataQualityReport.parse(response.json());
  };
  const datasetCount = async () => (await t.app.inject({ method: 'GET', url: '/v1/datasets', headers: t.admin })).json().total as number;

  describe('POST /v1/datasets', () => {
    it('still rejects a repeated external id by default, pointing at the row and naming the keep-first option, and stores nothing', async () => {
      const before = await datasetCount();
      const response = await uploadCsv(DIRTY);
      expect(response.statusCode).toBe(400);
      expect(Problem.parse(response.json()).errors).toEqual([
        { location: 'body', pointer: '/30/customer_id', code: 'duplicate_id', message: 'id "C007" repeats record 6 (upload with duplicateIds=keep-first to keep the first)' },
      ]);
      expect(await datasetCount()).toBe(before);
    });

    it('keeps the first row of a repeated id with duplicateIds=keep-first and summarises the report in the answer', async () => {
      const response = await uploadCsv(DIRTY, '?duplicateIds=keep-first');
      expect(response.statusCode, response.body).toBe(201);
      const dataset = DatasetUploaded.parse(response.json());
      expect(dataset.counts.customers).toBe(30);
      expect(dataset.quality).toEqual({
        rows: { received: 31, stored: 30, duplicateIdRows: 1, duplicateIds: 1, duplicateRows: 1 },
        flags: ['duplicate-ids', 'duplicate-rows'],
        summary: { usable: 1, usableWithImputation: 2, excluded: 4, flaggedColumns: 6 },
      });
    });
  });

  describe('GET /v1/datasets/:id/profile', () => {
    it('flags each planted defect of the dirty file on its column, with a verdict and a reason', async () => {
      const id = DatasetUploaded.parse((await uploadCsv(DIRTY, '?duplicateIds=keep-first&name=dirty')).json()).id;
      const report = await profileOf(id);
      expect(flagsOf(report)).toEqual({
        ref: ['id-like'], // R-5013, R-5026…: every value different
        age: ['missing'], // one blank cell, one "N/A"
        income: ['sentinel'], // 999 three times
        country: ['constant'], // NL everywhere
        visits: ['mixed-types'], // numbers and "unknown"
        fax: ['mostly-missing'], // 21 of 30 blank
        plan: [],
      });
      expect(Object.fromEntries(report.columns.map((column) => [column.name, column.verdict]))).toEqual({
        ref: 'excluded',
        age: 'usable-with-imputation',
        income: 'usable-with-imputation',
        country: 'excluded',
        visits: 'excluded',
        fax: 'excluded',
        plan: 'usable',
      });
      expect(columnOf(report, 'age').missing).toEqual({ count: 2, share: 2 / 30 });
      expect(columnOf(report, 'income').numeric!.sentinels).toEqual([{ value: 999, count: 3, share: 0.1 }]);
      expect(report.rows).toEqual({ received: 31, stored: 30, duplicateIdRows: 1, duplicateIds: 1, duplicateRows: 1 });
      expect(report.flags).toEqual(['duplicate-ids', 'duplicate-rows']);
    });

    it('makes the dataset columns agree with the verdicts (excluded exactly when not usable, with the same reason)', async () => {
      const dataset = DatasetUploaded.parse((await uploadCsv(DIRTY, '?duplicateIds=keep-first')).json());
      const report = await profileOf(dataset.id);
      for (const column of dataset.columns) {
        const quality = columnOf(report, column.name);
        expect(column.isUsable, column.name).toBe(quality.verdict !== 'excluded');
        if (!column.isUsable) expect(column.reason, column.name).toBe(quality.reason);
      }
    });

    it('flags nothing in a clean file', async () => {
      const response = await uploadCsv(CLEAN);
      expect(response.statusCode).toBe(201);
      expect(DatasetUploaded.parse(response.json()).quality.flags).toEqual([]);
      const report = await profileOf(response.json().id);
      expect(flagsOf(report)).toEqual({ age: [], income: [], satisfaction: [], plan: [], region: [] });
      expect(report.columns.every((column) => column.verdict === 'usable')).toBe(true);
      expect(report.rows.duplicateRows).toBe(0);
    });

    it('answers the report stored at upload, unchanged on every request, to a read-only key', async () => {
      const id = (await uploadCsv(CLEAN)).json().id;
      const reader = await t.keyWith('read');
      expect(await profileOf(id, reader)).toEqual(await profileOf(id));
    });

    it('computes and stores the report of a dataset uploaded before reports existed on its first request', async () => {
      const id = DatasetUploaded.parse((await uploadCsv(DIRTY, '?duplicateIds=keep-first')).json()).id;
      const client = new pg.Client({ connectionString: t.database.url });
      await client.connect();
      try {
        await client.query('UPDATE dataset SET quality = NULL WHERE id = $1', [id]);
        // Requests arriving together get one report (computed once, stored once), not one each.
        const [report, ...others] = await Promise.all([profileOf(id), profileOf(id), profileOf(id)]);
        for (const other of others) expect(other).toEqual(report);
        // The dropped duplicate is no longer known; every column defect still is.
        expect(report.rows).toEqual({ received: 30, stored: 30, duplicateIdRows: 0, duplicateIds: 0, duplicateRows: 1 });
        expect(flagsOf(report)).toMatchObject({ ref: ['id-like'], age: ['missing'], income: ['sentinel'], country: ['constant'], fax: ['mostly-missing'] });
        const stored = await client.query<{ quality: unknown }>('SELECT quality FROM dataset WHERE id = $1', [id]);
        expect(stored.rows[0]!.quality).toEqual(report);
      } finally {
        await client.end();
      }
    });

    it('answers 404 for an unknown dataset', async () => {
      const response = await t.app.inject({ method: 'GET', url: '/v1/datasets/00000000-0000-4000-8000-000000000000/profile', headers: t.admin });
      expect(response.statusCode).toBe(404);
      expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    });

    it('reports the 11 blank TotalCharges of the Telco churn data (../shared/data/telco_customers) and nothing else on its columns', async () => {
      const response = await uploadCsv(readShared('data/telco_customers/WA_Fn-UseC_-Telco-Customer-Churn.csv'));
      expect(response.statusCode).toBe(201);
      const report = await profileOf(response.json().id);
      const totalCharges = columnOf(report, 'TotalCharges');
      expect(totalCharges).toMatchObject({ kind: 'numeric', flags: ['missing'], missing: { count: 11 }, verdict: 'usable-with-imputation' });
      expect(totalCharges.reason).toMatch(/^0\.2% of values are missing \(11 of 7043\); training fills them with the median$/);
      expect(report.columns.filter((column) => column.name !== 'TotalCharges' && column.flags.length > 0)).toEqual([]);
      // 22 customers repeat another's answers in every column but customerID (counted independently with Python's csv module).
      expect(report.rows.duplicateRows).toBe(22);
    });
  });

  describe('POST /v1/datasets/profile', () => {
    it('answers the report of an upload without storing it, counting repeated ids instead of rejecting them', async () => {
      const before = await datasetCount();
      const response = await uploadCsv(DIRTY, '', '/v1/datasets/profile');
      expect(response.statusCode, response.body).toBe(200);
      const report = DataQualityReport.parse(response.json());
      expect(report.rows).toMatchObject({ received: 31, stored: 30, duplicateIdRows: 1 });
      expect(flagsOf(report)).toMatchObject({ ref: ['id-like'], income: ['sentinel'], visits: ['mixed-types'] });
      expect(await datasetCount()).toBe(before);
    });

    it('treats declared missing-value codes as missing: the 999 incomes and "unknown" visits become blanks to impute', async () => {
      const response = await uploadCsv(DIRTY, '?missingValues=999,unknown', '/v1/datasets/profile');
      const report = DataQualityReport.parse(response.json());
      expect(report.missingValueCodes).toEqual(['999', 'unknown']);
      expect(columnOf(report, 'income')).toMatchObject({ flags: ['missing'], missing: { count: 3 }, verdict: 'usable-with-imputation' });
      expect(columnOf(report, 'visits')).toMatchObject({ kind: 'numeric', flags: ['missing'], missing: { count: 2 }, verdict: 'usable-with-imputation' });
    });

    it('takes an upload URL as it is: the other upload options are accepted and change nothing', async () => {
      const plain = DataQualityReport.parse((await uploadCsv(DIRTY, '', '/v1/datasets/profile')).json());
      const response = await uploadCsv(DIRTY, '?name=book&duplicateIds=keep-first&protectedAttributes=country', '/v1/datasets/profile');
      expect(response.statusCode, response.body).toBe(200);
      const { computedAt: _at, ...report } = DataQualityReport.parse(response.json());
      const { computedAt: _plainAt, ...expected } = plain;
      expect(report).toEqual(expected);
    });

    it('takes a JSON array of customers too', async () => {
      const rows = Array.from({ length: 25 }, (_, i) => ({ id: `c${i}`, tier: i % 2 === 0 ? 'gold' : 'silver', score: i === 3 ? null : i }));
      const response = await t.app.inject({ method: 'POST', url: '/v1/datasets/profile', headers: t.admin, payload: rows });
      expect(response.statusCode).toBe(200);
      expect(flagsOf(DataQualityReport.parse(response.json()))).toEqual({ tier: [], score: ['missing'] });
    });

    it('needs the admin scope, like an upload', async () => {
      const reader = await t.keyWith('read');
      const response = await t.app.inject({ method: 'POST', url: '/v1/datasets/profile', headers: { ...reader, 'content-type': 'text/csv' }, payload: CLEAN });
      expect(response.statusCode).toBe(403);
    });
  });

  describe('POST /v1/models with excluded columns', () => {
    let datasetId: string;
    beforeAll(async () => {
      datasetId = (await uploadCsv(DIRTY, '?duplicateIds=keep-first')).json().id;
    });
    const train = (features: unknown[]) => t.app.inject({ method: 'POST', url: '/v1/models?wait=true', headers: t.admin, payload: { name: 'quality', datasetId, k: 2, features } });

    it("refuses an excluded column with 422, the report's reason and a pointer to it", async () => {
      const report = await profileOf(datasetId);
      const response = await train(['age', 'fax', 'country']);
      expect(response.statusCode).toBe(422);
      expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
      const problem = Problem.parse(response.json());
      expect(problem.type).toBe('/problems/unprocessable-data');
      expect(problem.errors).toEqual([
        { location: 'body', pointer: '/features/1', code: 'unusable_column', message: `column "fax" cannot be a feature: ${columnOf(report, 'fax').reason}` },
        { location: 'body', pointer: '/features/2', code: 'unusable_column', message: 'column "country" cannot be a feature: every value is the same' },
      ]);
    });

    it('refuses a mostly missing or id-like column even when the request declares its kind', async () => {
      const response = await train(['age', { name: 'fax', kind: 'categorical' }, { name: 'ref', kind: 'categorical' }]);
      expect(response.statusCode).toBe(422);
      expect(Problem.parse(response.json()).errors!.map((issue) => [issue.pointer, issue.code])).toEqual([
        ['/features/1', 'unusable_column'],
        ['/features/2', 'unusable_column'],
      ]);
    });

    it('refuses a mixed-type column that is also mostly missing, whatever kind the request declares', async () => {
      const rows = Array.from({ length: 30 }, (_, i) => `c${i},${20 + i},${i < 20 ? '' : i < 28 ? i : 'x'}`);
      const mixed = (await uploadCsv(['id,age,code', ...rows].join('\n'))).json().id as string;
      const trainOn = (feature: unknown) => t.app.inject({ method: 'POST', url: '/v1/models?wait=true', headers: t.admin, payload: { name: 'quality-mixed', datasetId: mixed, k: 2, features: ['age', feature] } });
      for (const kind of ['numeric', 'categorical']) {
        const response = await trainOn({ name: 'code', kind });
        expect(response.statusCode, kind).toBe(422);
        expect(Problem.parse(response.json()).errors).toEqual([expect.objectContaining({ pointer: '/features/1', code: 'unusable_column', message: expect.stringContaining('67% of values are missing') })]);
      }
    });

    it('still answers 400 when the request also names a column the dataset does not have', async () => {
      const response = await train(['fax', 'shoe_size']);
      expect(response.statusCode).toBe(400);
      expect(Problem.parse(response.json()).errors!.map((issue) => issue.code)).toEqual(['unusable_column', 'unknown_column']);
    });

    it('trains on the usable and imputable columns (the default features leave the excluded ones out)', async () => {
      const response = await t.app.inject({ method: 'POST', url: '/v1/models?wait=true', headers: t.admin, payload: { name: 'quality-default', datasetId, k: 2, stabilityResamples: 0 } });
      expect(response.statusCode, response.body).toBe(201);
      expect(response.json().parameters.features).toEqual(['age', 'income', 'plan']);
    });
  });
});
