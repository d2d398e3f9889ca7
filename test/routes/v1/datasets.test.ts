import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Dataset } from '../../../src/schemas/datasets.ts';
import { Problem } from '../../../src/schemas/common.ts';
import { buildTestApp } from '../../helpers/app.ts';
import type { TestApp } from '../../helpers/app.ts';
import { PRODUCTS, segmentCustomers, segmentUpload } from '../../helpers/factories.ts';

describe('/v1/datasets', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await buildTestApp();
  });
  afterAll(async () => t.close());

  const upload = (payload: unknown, contentType = 'application/json', query = '') =>
    t.app.inject({
      method: 'POST',
      url: `/v1/datasets${query}`,
      headers: { ...t.admin, 'content-type': contentType },
      payload: typeof payload === 'string' ? payload : JSON.stringify(payload),
    });

  async function datasetCount(): Promise<number> {
    return (await t.app.inject({ method: 'GET', url: '/v1/datasets', headers: t.admin })).json().total;
  }

  describe('POST /v1/datasets', () => {
    it('stores customers, products and purchases sent as one JSON object and reports counts and column types', async () => {
      const response = await upload(segmentUpload(10));
      expect(response.statusCode).toBe(201);
      expect(response.headers.location).toMatch(/^\/v1\/datasets\/[0-9a-f-]{36}$/);
      const dataset = Dataset.parse(response.json());
      expect(dataset.idColumn).toBe('customer_id');
      expect(dataset.counts).toEqual({ customers: 30, products: 4, interactions: 30 + 24 });
      expect(Object.fromEntries(dataset.columns.map((c) => [c.name, c.kind]))).toEqual({
        age: 'numeric',
        income: 'numeric',
        home_ownership: 'categorical',
        web_visits: 'numeric',
      });
    });

    it('accepts a plain JSON array of customers and numbers rows when no id column is found', async () => {
      const response = await upload([{ a: 1, b: 'x' }, { a: 2, b: 'y' }], 'application/json', '?name=plain');
      expect(response.statusCode).toBe(201);
      expect(response.json()).toMatchObject({ name: 'plain', idColumn: null, counts: { customers: 2 } });
    });

    it('reads CSV with a header row, keeps zero-padded ids as text and detects the column types (Mall Customers)', async () => {
      const csv = await readFile(new URL('../../fixtures/data/Mall_Customers.csv', import.meta.url), 'utf8');
      const response = await upload(csv, 'text/csv', '?name=mall');
      expect(response.statusCode).toBe(201);
      const dataset = Dataset.parse(response.json());
      expect(dataset).toMatchObject({ name: 'mall', idColumn: 'CustomerID', counts: { customers: 200 } });
      expect(dataset.columns.map((c) => [c.name, c.kind])).toEqual([
        ['Genre', 'categorical'],
        ['Age', 'numeric'],
        ['Annual Income (k$)', 'numeric'],
        ['Spending Score (1-100)', 'numeric'],
      ]);
    });

    it('detects ";" as the delimiter and reads decimal commas in such files', async () => {
      const csv = 'id;"job";balance\n1;"admin.";10,5\n2;"technician";-3,25\n3;"admin.";7\n';
      const response = await upload(csv, 'text/csv');
      expect(response.statusCode).toBe(201);
      expect(response.json().columns).toEqual([
        { name: 'job', kind: 'categorical', missing: 0, distinct: 2, isUsable: true },
        { name: 'balance', kind: 'numeric', missing: 0, distinct: 3, isUsable: true },
      ]);
    });

    it('treats empty cells and NA markers as missing values', async () => {
      const response = await upload('id,x,y\n1,1,a\n2,,b\n3,NA,N/A\n4,4,b\n', 'text/csv');
      expect(response.statusCode).toBe(201);
      const columns = response.json().columns;
      expect(columns[0]).toMatchObject({ name: 'x', kind: 'numeric', missing: 2 });
      expect(columns[1]).toMatchObject({ name: 'y', kind: 'categorical', missing: 1 });
    });

    it('reads NDJSON, one customer per line', async () => {
      const ndjson = segmentCustomers(2).map((c) => JSON.stringify(c)).join('\n');
      const response = await upload(ndjson, 'application/x-ndjson', '?name=nd');
      expect(response.statusCode).toBe(201);
      expect(response.json()).toMatchObject({ name: 'nd', idColumn: 'customer_id', counts: { customers: 6 } });
    });

    it('marks constant, identifier and all-missing columns as unusable, with the reason', async () => {
      const rows = Array.from({ length: 30 }, (_, i) => ({ email: `c${i}@example.com`, plan: 'basic', note: null, age: 20 + i }));
      const response = await upload(rows);
      expect(response.statusCode).toBe(201);
      const byName = Object.fromEntries(response.json().columns.map((c: { name: string }) => [c.name, c]));
      expect(byName.email).toMatchObject({ kind: 'identifier', isUsable: false, reason: 'every value is different (an identifier)' });
      expect(byName.plan).toMatchObject({ kind: 'constant', isUsable: false });
      expect(byName.note).toMatchObject({ kind: 'empty', isUsable: false });
      expect(byName.age).toMatchObject({ kind: 'numeric', isUsable: true });
    });

    it('rejects a CSV with ragged rows, listing each bad line, and stores nothing', async () => {
      const before = await datasetCount();
      const response = await upload('id,a,b\n1,2,3\n2,3\n3,4,5\n4,5,6,7\n', 'text/csv');
      expect(response.statusCode).toBe(400);
      expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
      const problem = Problem.parse(response.json());
      expect(problem.type).toBe('/problems/validation-error');
      expect(problem.errors!.map((e) => e.message)).toEqual([expect.stringMatching(/^line 3:/), expect.stringMatching(/^line 5:/)]);
      expect(await datasetCount()).toBe(before);
    });

    it('rejects duplicated external ids with pointers to each repeat, and stores nothing', async () => {
      const before = await datasetCount();
      const response = await upload({ customers: [{ id: 'a', x: 1 }, { id: 'b', x: 2 }, { id: 'a', x: 3 }] });
      expect(response.statusCode).toBe(400);
      expect(response.json().errors).toEqual([
        { location: 'body', pointer: '/customers/2/id', code: 'duplicate_id', message: 'id "a" repeats record 0 (upload with duplicateIds=keep-first to keep the first)' },
      ]);
      expect(await datasetCount()).toBe(before);
    });

    it('rejects purchases of unknown customers or products with pointers, and stores nothing', async () => {
      const before = await datasetCount();
      const body = segmentUpload(2);
      body.interactions.push({ customerId: 'nobody', productId: 'NOTHING', quantity: 1, amount: 1 });
      const response = await upload(body);
      expect(response.statusCode).toBe(400);
      const last = body.interactions.length - 1;
      expect(response.json().errors).toEqual([
        expect.objectContaining({ pointer: `/interactions/${last}/customerId`, code: 'unknown_customer' }),
        expect.objectContaining({ pointer: `/interactions/${last}/productId`, code: 'unknown_product' }),
      ]);
      expect(await datasetCount()).toBe(before);
    });

    it('rejects values that are not JSON scalars with a pointer to the field', async () => {
      const response = await upload([{ id: '1', nested: { a: 1 } }]);
      expect(response.statusCode).toBe(400);
      expect(response.json().errors[0]).toMatchObject({ location: 'body', pointer: '/0/nested' });
    });

    it('rejects numbers beyond ±1e15 in CSV with the record and column', async () => {
      const response = await upload('id,x\n1,5\n2,1e300\n', 'text/csv');
      expect(response.statusCode).toBe(400);
      expect(response.json().errors).toEqual([expect.objectContaining({ pointer: '/1/x', code: 'out_of_range' })]);
    });

    it('rejects an idColumn the upload does not have', async () => {
      const response = await upload('a,b\n1,2\n', 'text/csv', '?idColumn=customer');
      expect(response.statusCode).toBe(400);
      expect(response.json().errors[0]).toMatchObject({ location: 'query', pointer: '/idColumn', code: 'unknown_column' });
    });

    it('answers 415 for a media type it does not read', async () => {
      const response = await upload('<xml/>', 'application/xml');
      expect(response.statusCode).toBe(415);
      expect(Problem.parse(response.json()).type).toBe('/problems/unsupported-media-type');
    });

    it('answers 413 with the limit when the upload exceeds UPLOAD_LIMIT_BYTES', async () => {
      const small = await buildTestApp({ config: { uploadLimitBytes: 2048 } });
      try {
        const response = await small.app.inject({
          method: 'POST',
          url: '/v1/datasets',
          headers: { ...small.admin, 'content-type': 'text/csv' },
          payload: `id,x\n${Array.from({ length: 400 }, (_, i) => `${i},${i}`).join('\n')}`,
        });
        expect(response.statusCode).toBe(413);
        expect(response.json()).toMatchObject({ type: '/problems/payload-too-large', detail: expect.stringContaining('2048 bytes') });
      } finally {
        await small.close();
      }
    });

    it('needs the admin scope', async () => {
      const reader = await t.keyWith('read');
      const response = await t.app.inject({ method: 'POST', url: '/v1/datasets', headers: reader, payload: [{ a: 1 }] });
      expect(response.statusCode).toBe(403);
    });
  });

  describe('value and tenure columns', () => {
    const customers = [
      { id: 'a', MonthlyCharges: 70, TotalCharges: 840, balance: 5, annual_premium: 900, tenure_months: 12, segment: 'x' },
      { id: 'b', MonthlyCharges: 20, TotalCharges: 480, balance: 9, annual_premium: 400, tenure_months: 24, segment: 'y' },
    ];
    const declared = async (query: string) => Dataset.parse((await upload(customers, 'application/json', query)).json());

    it('detects the value column, what it measures and the tenure with its unit from the column names', async () => {
      const dataset = await declared('');
      expect(dataset.valueColumn).toBe('MonthlyCharges');
      expect(dataset.valueKind).toBe('monthly');
      expect(dataset.tenure).toEqual({ column: 'tenure_months', unit: 'months' });
    });

    it('reads what a declared value column measures from its name: totals are lifetime values, balances are stocks, the rest annual', async () => {
      expect((await declared('?valueColumn=TotalCharges')).valueKind).toBe('lifetime');
      expect((await declared('?valueColumn=balance')).valueKind).toBe('balance');
      expect((await declared('?valueColumn=annual_premium')).valueKind).toBe('annual');
      expect((await declared('?valueColumn=balance&valueKind=annual')).valueKind).toBe('annual');
      expect(await declared('?tenureColumn=tenure_months&tenureUnit=years')).toMatchObject({ tenure: { column: 'tenure_months', unit: 'years' } });
    });

    it('rejects a value column that is not a numeric column, and an unknown kind, pointing at the query field', async () => {
      const text = await upload(customers, 'application/json', '?valueColumn=segment');
      expect(text.statusCode).toBe(400);
      expect(text.json().errors).toEqual([expect.objectContaining({ location: 'query', pointer: '/valueColumn', code: 'not_a_numeric_column' })]);
      const kind = await upload(customers, 'application/json', '?valueKind=weekly');
      expect(kind.statusCode).toBe(400);
      expect(kind.json().errors[0]).toMatchObject({ location: 'query', pointer: '/valueKind' });
    });
  });

  describe('POST /v1/datasets/:id/products and /interactions', () => {
    it('adds products from CSV and purchases from JSON to an existing dataset', async () => {
      const created = await upload({ customers: segmentCustomers(2) });
      const id = created.json().id;
      const csv = `product_id,name,category,price,high_cost\n${PRODUCTS.map((p) => `${p.id},${p.name},${p.category},${p.price},${p.price > 1000}`).join('\n')}\n`;
      const products = await t.app.inject({ method: 'POST', url: `/v1/datasets/${id}/products`, headers: { ...t.admin, 'content-type': 'text/csv' }, payload: csv });
      expect(products.statusCode).toBe(200);
      expect(products.json().counts).toMatchObject({ customers: 6, products: 4, interactions: 0 });
      const interactions = await t.app.inject({
        method: 'POST',
        url: `/v1/datasets/${id}/interactions`,
        headers: t.admin,
        payload: [{ customerId: 'S0-000', productId: 'RENTERS', amount: 120, occurredAt: '2026-01-05' }],
      });
      expect(interactions.statusCode).toBe(200);
      expect(interactions.json().counts.interactions).toBe(1);
    });

    it('rejects purchases that name products the dataset does not have', async () => {
      const created = await upload({ customers: segmentCustomers(1) });
      const response = await t.app.inject({
        method: 'POST',
        url: `/v1/datasets/${created.json().id}/interactions`,
        headers: t.admin,
        payload: [{ customerId: 'S0-000', productId: 'GHOST' }],
      });
      expect(response.statusCode).toBe(400);
      expect(response.json().errors).toEqual([expect.objectContaining({ pointer: '/0/productId', code: 'unknown_product' })]);
    });

    it('answers 404 for an unknown dataset', async () => {
      const response = await t.app.inject({
        method: 'POST',
        url: '/v1/datasets/00000000-0000-4000-8000-000000000000/products',
        headers: t.admin,
        payload: [{ id: 'x' }],
      });
      expect(response.statusCode).toBe(404);
      expect(response.json().type).toBe('/problems/not-found');
    });
  });

  describe('GET /v1/datasets/:id', () => {
    it('returns the dataset with its columns', async () => {
      const created = await upload(segmentUpload(2));
      const response = await t.app.inject({ method: 'GET', url: `/v1/datasets/${created.json().id}`, headers: t.admin });
      expect(response.statusCode).toBe(200);
      expect(Dataset.parse(response.json()).counts.customers).toBe(6);
    });

    it('answers 400 with a pointer for an id that is not a UUID', async () => {
      const response = await t.app.inject({ method: 'GET', url: '/v1/datasets/abc', headers: t.admin });
      expect(response.statusCode).toBe(400);
      expect(response.json().errors[0]).toMatchObject({ location: 'params', pointer: '/id' });
    });
  });
});
