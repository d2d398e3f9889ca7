/**
 * The BI views (prisma/migrations/20261125120000_bi_views) give the figures the API gives: each is
 * read straight from PostgreSQL, as a BI tool would, and compared with the API's answers.
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { z } from 'zod';
import type { Persona } from '../../src/schemas/personas.ts';
import { buildTestApp } from '../helpers/app.ts';
import type { TestApp } from '../helpers/app.ts';
import { SEGMENTS, segmentUpload } from '../helpers/factories.ts';

const BI_VIEWS = ['bi_assignments_by_day', 'bi_current_persona', 'bi_drift_by_day', 'bi_persona_summary', 'bi_products_by_persona'];

type ModelRef = { id: string; name: string; version: number };
type PersonaRef = { id: string; key: string; name: string };
type PersonaDto = z.infer<typeof Persona>;
interface Served {
  customerId: string | undefined;
  model: ModelRef;
  persona: PersonaRef;
  confidence: number;
  distance: number;
  unclassified: boolean;
}

const segmentCustomer = (s: number) => ({ age: SEGMENTS[s]!.age, income: SEGMENTS[s]!.income, home_ownership: SEGMENTS[s]!.home, web_visits: [14, 6, 2][s]! });

describe('BI views', () => {
  let t: TestApp;
  let client: pg.Client;
  let first: ModelRef;
  let second: ModelRef;
  const served: Served[] = [];

  const query = async <T extends object>(sql: string, values: unknown[] = []): Promise<T[]> => (await client.query(sql, values)).rows as T[];
  const get = async (url: string) => {
    const response = await t.app.inject({ method: 'GET', url, headers: t.admin });
    expect(response.statusCode, url).toBe(200);
    return response.json();
  };
  const assign = async (segment: number, options: { customerId?: string; model?: ModelRef } = {}) => {
    const url = options.model ? `/v1/assign?model=${options.model.id}` : '/v1/assign';
    const payload = { ...(options.customerId === undefined ? {} : { customerId: options.customerId }), attributes: segmentCustomer(segment) };
    const response = await t.app.inject({ method: 'POST', url, headers: t.admin, payload });
    expect(response.statusCode).toBe(200);
    const answer = response.json();
    served.push({ customerId: options.customerId, model: answer.model, persona: answer.persona, confidence: answer.confidence, distance: answer.distance, unclassified: answer.unclassified });
  };

  beforeAll(async () => {
    // A long interval: the test decides when the log is written (flush), so nothing depends on timing.
    t = await buildTestApp({ config: { assignmentLog: { sampleRate: 1, flushIntervalMs: 600_000, batchSize: 500, maxPending: 50_000 } } });
    const upload = segmentUpload();
    // A value and a tenure column, so the personas carry value shares and a CLV figure.
    const customers = upload.customers.map((customer, i) => ({ ...customer, tenure_years: 1 + (i % 7) }));
    const dataset = await t.app.inject({
      method: 'POST',
      url: '/v1/datasets',
      headers: t.admin,
      payload: { ...upload, customers, valueColumn: 'income', valueKind: 'annual', tenureColumn: 'tenure_years', tenureUnit: 'years' },
    });
    expect(dataset.statusCode, dataset.body).toBe(201);
    const train = async () => {
      const response = await t.app.inject({
        method: 'POST',
        url: '/v1/models?wait=true',
        headers: t.admin,
        payload: { name: 'bi-model', datasetId: dataset.json().id, features: ['age', 'income', 'home_ownership', 'web_visits'], k: 3, seed: 7 },
      });
      expect(response.statusCode, response.body).toBe(201);
      const { id, name, version } = response.json();
      return { id, name, version } as ModelRef;
    };
    first = await train();
    expect((await t.app.inject({ method: 'POST', url: `/v1/models/${first.id}/activate`, headers: t.admin })).statusCode).toBe(200);
    // A second version stays a candidate: assignments asked of it by id still count for its model name.
    second = await train();

    await assign(0, { customerId: 'crm-1' });
    await assign(1, { customerId: 'crm-1' });
    await assign(2, { customerId: 'crm-2' });
    await assign(2, { customerId: 'crm-3' });
    await assign(0, { customerId: 'crm-3', model: second });
    for (const segment of [0, 0, 1, 2, 2, 2]) await assign(segment);
    await t.app.services.assignmentLog.flush();

    client = new pg.Client({ connectionString: t.database.url });
    await client.connect();
  });
  afterAll(async () => {
    await client?.end();
    await t?.close();
  });

  it('documents every view and every column of it with a comment', async () => {
    const views = await query<{ name: string; comment: string | null }>(
      "SELECT c.relname AS name, obj_description(c.oid, 'pg_class') AS comment FROM pg_class c WHERE c.relkind = 'v' AND c.relname LIKE 'bi\\_%' ORDER BY 1",
    );
    expect(views.map((view) => view.name)).toEqual(BI_VIEWS);
    for (const view of views) expect(view.comment, view.name).toMatch(/\w{4,}/);
    const columns = await query<{ view: string; column: string; comment: string | null }>(
      `SELECT c.relname AS view, a.attname AS column, col_description(c.oid, a.attnum) AS comment
       FROM pg_class c JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
       WHERE c.relname = ANY($1)`,
      [BI_VIEWS],
    );
    expect(columns.length).toBeGreaterThan(40);
    expect(columns.filter((column) => column.comment === null).map((column) => `${column.view}.${column.column}`)).toEqual([]);
  });

  it("bi_current_persona holds each customer's latest assignment per model name, across versions", async () => {
    const rows = await query<Record<string, unknown>>('SELECT * FROM bi_current_persona ORDER BY external_id');
    const latest = new Map<string, Served>();
    for (const answer of served) if (answer.customerId !== undefined) latest.set(answer.customerId, answer);
    expect(rows.map((row) => row.external_id)).toEqual(['crm-1', 'crm-2', 'crm-3']);
    for (const row of rows) {
      const answer = latest.get(row.external_id as string)!;
      expect(row).toMatchObject({
        model_name: 'bi-model',
        model_id: answer.model.id,
        model_version: answer.model.version,
        persona_id: answer.persona.id,
        persona_key: answer.persona.key,
        persona_name: answer.persona.name,
        confidence: answer.confidence,
        distance: answer.distance,
        unclassified: answer.unclassified,
      });
      expect(row.assigned_at).toBeInstanceOf(Date);
    }
    // crm-3 was last placed by the candidate version.
    expect(rows[2]!.model_version).toBe(second.version);
    // The same as the customer's history says is newest.
    const history = await get('/v1/customers/crm-1/assignments');
    expect(history.items[0]).toMatchObject({ persona: { id: rows[0]!.persona_id }, model: { id: rows[0]!.model_id }, assignedAt: (rows[0]!.assigned_at as Date).toISOString() });
  });

  it('bi_persona_summary gives the sizes, shares, value figures and active flag of GET /v1/personas', async () => {
    for (const model of [first, second]) {
      const rows = await query<Record<string, unknown>>('SELECT * FROM bi_persona_summary WHERE model_id = $1 ORDER BY persona_index', [model.id]);
      const { items } = await get(`/v1/personas?model=${model.id}`);
      const { status } = await get(`/v1/models/${model.id}`);
      expect(rows).toHaveLength(items.length);
      expect(rows.map((row) => row.share as number).reduce((a, b) => a + b)).toBeCloseTo(1, 12);
      items.forEach((persona: PersonaDto, i: number) => {
        expect(rows[i]).toMatchObject({
          model_name: model.name,
          model_version: model.version,
          model_status: status,
          is_active: status === 'active',
          persona_id: persona.id,
          persona_index: persona.index,
          persona_key: persona.key,
          persona_name: persona.name,
          size: persona.size,
          share: persona.share,
          value_column: 'income',
          value_kind: 'annual',
          value_mean: persona.profile.value!.mean,
          value_share: persona.profile.value!.share,
          value_index: persona.profile.value!.index,
          clv_mean: persona.profile.clv!.mean,
          clv_formula: persona.profile.clv!.formula || null,
          stability: persona.quality.stability,
          is_data_quality: persona.quality.isDataQuality,
        });
      });
    }
    const active = await query<{ model_id: string }>('SELECT DISTINCT model_id FROM bi_persona_summary WHERE is_active');
    expect(active).toEqual([{ model_id: first.id }]);
  });

  it('bi_products_by_persona lists the products of GET /v1/personas/:id/recommendations in rank order', async () => {
    const { items: personas } = await get(`/v1/personas?model=${first.id}`);
    let compared = 0;
    for (const persona of personas) {
      const rows = await query<Record<string, unknown>>('SELECT * FROM bi_products_by_persona WHERE persona_id = $1 ORDER BY rank', [persona.id]);
      const { items } = await get(`/v1/personas/${persona.id}/recommendations?minSupport=1&limit=200`);
      expect(rows.length).toBeGreaterThan(0);
      expect(rows.map((row) => ({
        rank: row.rank,
        product: { id: row.product_id, name: row.product_name, category: row.product_category, price: row.product_price },
        lift: row.lift,
        personaRate: row.persona_rate,
        overallRate: row.overall_rate,
        support: row.support,
        buyers: row.buyers,
      }))).toEqual(items.map(({ reason: _reason, ...figures }: Record<string, unknown>) => figures));
      for (const row of rows) expect(row).toMatchObject({ model_id: first.id, model_version: first.version, is_active: true, persona_key: persona.key, persona_name: persona.name });
      compared += rows.length;
    }
    expect(compared).toBeGreaterThanOrEqual(personas.length * 2);
  });

  it("bi_assignments_by_day counts the served assignments per version and persona, with shares that sum to 1 each day", async () => {
    const rows = await query<{ model_id: string; model_version: number; day: Date; persona_id: string; persona_key: string; assignments: string; unclassified: string; share: number }>(
      'SELECT * FROM bi_assignments_by_day ORDER BY model_id, day, persona_id',
    );
    // Summed over days, so a run that crosses midnight UTC counts the same.
    const counted = new Map<string, { assignments: number; unclassified: number }>();
    for (const row of rows) {
      const total = counted.get(`${row.model_id}/${row.persona_id}`) ?? { assignments: 0, unclassified: 0 };
      counted.set(`${row.model_id}/${row.persona_id}`, { assignments: total.assignments + Number(row.assignments), unclassified: total.unclassified + Number(row.unclassified) });
    }
    const expected = new Map<string, { assignments: number; unclassified: number }>();
    for (const answer of served) {
      const total = expected.get(`${answer.model.id}/${answer.persona.id}`) ?? { assignments: 0, unclassified: 0 };
      expected.set(`${answer.model.id}/${answer.persona.id}`, { assignments: total.assignments + 1, unclassified: total.unclassified + (answer.unclassified ? 1 : 0) });
    }
    expect(counted).toEqual(expected);

    const dailyTotals = new Map<string, { share: number; assignments: number }>();
    for (const row of rows) {
      const key = `${row.model_id}/${row.day.toISOString()}`;
      const total = dailyTotals.get(key) ?? { share: 0, assignments: 0 };
      dailyTotals.set(key, { share: total.share + row.share, assignments: total.assignments + Number(row.assignments) });
    }
    for (const total of dailyTotals.values()) expect(total.share).toBeCloseTo(1, 12);
    for (const row of rows) {
      expect(row.share).toBeCloseTo(Number(row.assignments) / dailyTotals.get(`${row.model_id}/${row.day.toISOString()}`)!.assignments, 12);
    }
  });
});
