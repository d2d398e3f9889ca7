/**
 * GET /v1/models/:id/migration/:otherId (issue 7): a version trained on the demo insurance book and
 * its retrain on a perturbed copy of the same customers (small noise on numerics, a few categories
 * flipped) place almost every customer in matched personas; the matrix, the shares and the movers
 * page agree with each other and with assigning every customer under both versions one by one.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateInsuranceBook } from '../../../src/demo/insurance-book.ts';
import type { DemoCustomer, InsuranceBook, PreferredChannel, Region } from '../../../src/demo/insurance-book.ts';
import { createRandom } from '../../../src/engine/index.ts';
import type { Random } from '../../../src/engine/index.ts';
import { ModelMigration } from '../../../src/schemas/migration.ts';
import { ModelDetail } from '../../../src/schemas/models.ts';
import { assignCustomer } from '../../../src/services/assignment.ts';
import { buildTestApp } from '../../helpers/app.ts';
import type { TestApp } from '../../helpers/app.ts';

const CUSTOMERS = 1_500;
const book = generateInsuranceBook({ customers: CUSTOMERS, seed: 2026 });
const perturbed = perturb(book, createRandom(7));

describe('GET /v1/models/:id/migration/:otherId', () => {
  let t: TestApp;
  let datasetId: string;
  let perturbedId: string;
  let v1: ModelDetail;
  let v2: ModelDetail;
  let migration: ModelMigration;

  const upload = async (name: string, customers: readonly object[], withProducts = true) => {
    const payload = { name, idColumn: 'customer_id', customers, ...(withProducts ? { products: book.products, interactions: book.interactions } : {}) };
    const response = await t.app.inject({ method: 'POST', url: '/v1/datasets', headers: t.admin, payload });
    expect(response.statusCode, response.body).toBe(201);
    return response.json().id as string;
  };
  const train = async (name: string, dataset: string) => {
    const response = await t.app.inject({ method: 'POST', url: '/v1/models?wait=true', headers: t.admin, payload: { name, datasetId: dataset, k: 5, seed: 42, stabilityResamples: 0 } });
    expect(response.statusCode, response.body).toBe(201);
    return ModelDetail.parse(response.json());
  };
  const get = (url: string) => t.app.inject({ method: 'GET', url, headers: t.admin });
  const migrate = async (from: string, to: string, query = '') => {
    const response = await get(`/v1/models/${from}/migration/${to}${query}`);
    expect(response.statusCode, response.body).toBe(200);
    expect(response.headers['content-type']).toMatch(/^application\/json/);
    return ModelMigration.parse(response.json());
  };
  const offDiagonal = (result: ModelMigration) => result.rows.flatMap((row) => row.cells).filter((cell) => !cell.hasStayed).reduce((sum, cell) => sum + cell.count, 0);

  beforeAll(async () => {
    t = await buildTestApp();
    datasetId = await upload('book', book.customers);
    perturbedId = await upload('book, perturbed', perturbed.customers);
    v1 = await train('book', datasetId);
    const activated = await t.app.inject({ method: 'POST', url: `/v1/models/${v1.id}/activate`, headers: t.admin });
    expect(activated.statusCode, activated.body).toBe(200);
    // Trained while v1 is active: v2 inherits the keys of the personas it matches.
    v2 = await train('book', perturbedId);
    const started = performance.now();
    migration = await migrate(v1.id, v2.id, '?limit=500');
    // Reported for the README; no timing assertion (speed lives in bench/).
    console.info(`migration of ${CUSTOMERS} customers: ${Math.round(performance.now() - started)} ms, stayed ${migration.stayed.share.toFixed(4)}`);
  });
  afterAll(async () => t.close());

  describe('between a version and its retrain on a perturbed copy', () => {
    it("places the first version's dataset and names both versions", () => {
      expect(migration.datasetId).toBe(datasetId);
      expect(migration.from).toEqual({ id: v1.id, name: 'book', version: v1.version });
      expect(migration.to).toEqual({ id: v2.id, name: 'book', version: v2.version });
      expect(migration.matchedBy).toBe('inherited-keys');
      expect(migration.coverage).toEqual({ from: { partial: expect.any(Number), withoutFeatures: 0 }, to: { partial: expect.any(Number), withoutFeatures: 0 } });
      expect(migration.warnings).toEqual([]);
    });

    it('counts every customer once: the matrix sums to the customers and each row and column to its count', () => {
      expect(migration.customers).toBe(CUSTOMERS);
      const cells = migration.rows.flatMap((row) => row.cells);
      expect(cells.reduce((sum, cell) => sum + cell.count, 0)).toBe(CUSTOMERS);
      for (const row of migration.rows) expect(row.cells.reduce((sum, cell) => sum + cell.count, 0)).toBe(row.count);
      migration.columns.forEach((column, position) => expect(migration.rows.reduce((sum, row) => sum + row.cells[position]!.count, 0)).toBe(column.count));
      // Rows: five personas of v1 and unclassified; columns: five of v2 and unclassified.
      expect(migration.rows.map((row) => row.key).at(-1)).toBe('unclassified');
      expect(migration.columns.map((column) => column.key).at(-1)).toBe('unclassified');
      expect(migration.rows).toHaveLength(v1.personas.length + 1);
      expect(migration.columns).toHaveLength(v2.personas.length + 1);
    });

    it("gives row shares that sum to 1 over each non-empty row", () => {
      for (const row of migration.rows) {
        const total = row.cells.reduce((sum, cell) => sum + cell.share, 0);
        expect(total).toBeCloseTo(row.count > 0 ? 1 : 0, 12);
        for (const cell of row.cells) expect(cell.share).toBeCloseTo(row.count > 0 ? cell.count / row.count : 0, 12);
      }
    });

    it('is close to diagonal: more than 90% of customers stay in the persona matched to theirs', () => {
      // Measured 0.9913 (book seed 2026, perturbation seed 7): 13 of 1,500 moved, about half of them
      // into or out of unclassified as the distance thresholds shifted. The five planted segments are
      // far apart, so noise only moves customers at a boundary; 0.9 is the issue's bar and leaves room
      // for an equally good retrain that lands one boundary elsewhere (about 100 more movers).
      expect(migration.stayed.share).toBeGreaterThan(0.9);
      expect(migration.stayed.count).toBe(Math.round(migration.stayed.share * CUSTOMERS));
      // Matched personas sit on the diagonal, each with the same key (inherited).
      const matched = migration.rows.filter((row, position) => row.cells[position]?.hasStayed && row.key !== 'unclassified');
      expect(matched.length).toBe(v1.personas.length);
      matched.forEach((row, position) => expect(migration.columns[position]!.key).toBe(row.key));
      // Every matched persona keeps most of its customers, not only the total.
      for (const row of matched) expect(row.cells.find((cell) => cell.hasStayed)!.share).toBeGreaterThan(0.75);
    });

    it('agrees with assigning every customer under both versions one by one', async () => {
      const [first, second] = await Promise.all([t.app.services.registry.resolve(v1.id), t.app.services.registry.resolve(v2.id)]);
      const expected = new Map<string, number>();
      const keyOf = (model: typeof first, attributes: Record<string, unknown>) => {
        const assignment = assignCustomer(model, attributes, { suggestQuestion: false });
        return assignment.isUnclassified ? 'unclassified' : model.personas[assignment.personaIndex]!.key;
      };
      for (const { customer_id: _id, ...attributes } of book.customers) {
        const cell = `${keyOf(first, attributes)} → ${keyOf(second, attributes)}`;
        expected.set(cell, (expected.get(cell) ?? 0) + 1);
      }
      const measured = new Map(migration.rows.flatMap((row) => row.cells.filter((cell) => cell.count > 0).map((cell) => [`${row.key} → ${cell.to}`, cell.count] as const)));
      expect(measured).toEqual(expected);
    });

    it('pages the movers consistently with the matrix: total is the off-diagonal count and pages join without overlap', async () => {
      const moved = offDiagonal(migration);
      // Enough movers for two pages of three.
      expect(moved).toBeGreaterThan(6);
      expect(migration.movers.total).toBe(moved);
      expect(migration.stayed.count + moved).toBe(CUSTOMERS);
      const all = migration.movers.items;
      expect(all).toHaveLength(Math.min(moved, 500));
      for (const mover of all) {
        const row = migration.rows.find((r) => r.key === mover.from.key)!;
        expect(row.cells.find((cell) => cell.to === mover.to.key)!.hasStayed).toBe(false);
        if (mover.to.key === 'unclassified') expect(mover.confidence).toBeNull();
        else expect(mover.confidence).toBeGreaterThan(0);
      }
      const first = await migrate(v1.id, v2.id, '?limit=3');
      const second = await migrate(v1.id, v2.id, '?limit=3&offset=3');
      expect(first.movers).toMatchObject({ total: moved, limit: 3, offset: 0 });
      expect([...first.movers.items, ...second.movers.items]).toEqual(all.slice(0, 6));
      const beyond = await migrate(v1.id, v2.id, `?offset=${moved}`);
      expect(beyond.movers).toEqual({ items: [], total: moved, limit: 50, offset: moved });
    });

    it('narrows the movers to one cell with from and to ("Loyalist → Churn Risk")', async () => {
      const busiest = migration.rows
        .flatMap((row) => row.cells.filter((cell) => !cell.hasStayed).map((cell) => ({ from: row.key, to: cell.to, count: cell.count })))
        .sort((a, b) => b.count - a.count)[0]!;
      const cell = await migrate(v1.id, v2.id, `?from=${busiest.from}&to=${busiest.to}&limit=500`);
      expect(cell.movers.total).toBe(busiest.count);
      expect(cell.movers.items).toHaveLength(busiest.count);
      for (const mover of cell.movers.items) expect([mover.from.key, mover.to.key]).toEqual([busiest.from, busiest.to]);
      // The whole matrix is the same whatever the filter.
      expect(cell.rows).toEqual(migration.rows);
      const leaving = await migrate(v1.id, v2.id, `?from=${busiest.from}`);
      const row = migration.rows.find((r) => r.key === busiest.from)!;
      expect(leaving.movers.total).toBe(row.count - row.cells.find((c) => c.hasStayed)!.count);
    });

    it('pairs personas by the continuity matching when the second version inherited nothing', async () => {
      // Another name: nothing was active under it, so the retrain kept its own keys.
      const other = await train('book-elsewhere', perturbedId);
      const result = await migrate(v1.id, other.id);
      expect(result.matchedBy).toBe('continuity-matching');
      expect(result.customers).toBe(CUSTOMERS);
      expect(result.stayed.share).toBeGreaterThan(0.9);
    });
  });

  it('maps a version onto itself exactly: all customers on the diagonal and no movers', async () => {
    const result = await migrate(v1.id, v1.id);
    expect(result.matchedBy).toBe('same-version');
    expect(result.stayed).toEqual({ count: CUSTOMERS, share: 1 });
    expect(result.movers).toEqual({ items: [], total: 0, limit: 50, offset: 0 });
    result.rows.forEach((row, position) =>
      row.cells.forEach((cell, column) => {
        expect(cell.hasStayed).toBe(column === position);
        if (column !== position) expect(cell.count).toBe(0);
      }),
    );
  });

  it('places customers missing a feature from the others (cold start), counts them and says so', async () => {
    const withoutVisits = book.customers.slice(0, 200).map(({ web_visits_month: _visits, ...customer }) => customer);
    const partialId = await upload('book without web visits', withoutVisits, false);
    const result = await migrate(v1.id, v2.id, `?datasetId=${partialId}`);
    expect(result.datasetId).toBe(partialId);
    expect(result.customers).toBe(200);
    expect(result.coverage).toEqual({ from: { partial: 200, withoutFeatures: 0 }, to: { partial: 200, withoutFeatures: 0 } });
    expect(result.warnings).toHaveLength(2);
    for (const warning of result.warnings) expect(warning).toContain('web_visits_month');
  });

  it('answers 422 when a version has none of its features in the dataset', async () => {
    const unrelated = await upload('unrelated', [{ customer_id: 'a', favourite_colour: 'red' }, { customer_id: 'b', favourite_colour: 'blue' }], false);
    const response = await get(`/v1/models/${v1.id}/migration/${v2.id}?datasetId=${unrelated}`);
    expect(response.statusCode).toBe(422);
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
  });

  it('answers 404 for an unknown model or dataset', async () => {
    const unknown = '00000000-0000-4000-8000-000000000000';
    for (const url of [`/v1/models/${unknown}/migration/${v2.id}`, `/v1/models/${v1.id}/migration/${unknown}`, `/v1/models/${v1.id}/migration/${v2.id}?datasetId=${unknown}`]) {
      const response = await get(url);
      expect(response.statusCode, url).toBe(404);
      expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(response.json()).toMatchObject({ type: '/problems/not-found', status: 404 });
    }
  });

  it('answers 400 with pointers for a bad query or path', async () => {
    const invalid = await get(`/v1/models/not-a-uuid/migration/${v2.id}?limit=0&offset=-1&colour=red`);
    expect(invalid.statusCode).toBe(400);
    expect(invalid.headers['content-type']).toMatch(/^application\/problem\+json/);
    const pointers = (invalid.json().errors as Array<{ location: string; pointer: string }>).map((issue) => `${issue.location}${issue.pointer}`);
    expect(pointers).toEqual(expect.arrayContaining(['params/id']));

    const query = await get(`/v1/models/${v1.id}/migration/${v2.id}?limit=0&offset=-1&datasetId=x`);
    expect(query.statusCode).toBe(400);
    expect((query.json().errors as Array<{ pointer: string }>).map((issue) => issue.pointer).sort()).toEqual(['/datasetId', '/limit', '/offset']);

    const keys = await get(`/v1/models/${v1.id}/migration/${v2.id}?from=nobody&to=nobody-either`);
    expect(keys.statusCode).toBe(400);
    expect(keys.json().errors).toEqual([
      expect.objectContaining({ location: 'query', pointer: '/from', code: 'unknown_persona' }),
      expect.objectContaining({ location: 'query', pointer: '/to', code: 'unknown_persona' }),
    ]);
  });

  it('needs the read scope', async () => {
    const assignOnly = await t.keyWith('assign');
    const response = await t.app.inject({ method: 'GET', url: `/v1/models/${v1.id}/migration/${v2.id}`, headers: assignOnly });
    expect(response.statusCode).toBe(403);
    const reader = await t.keyWith('read');
    expect((await t.app.inject({ method: 'GET', url: `/v1/models/${v1.id}/migration/${v2.id}?limit=1`, headers: reader })).statusCode).toBe(200);
  });
});

type ModelDetail = ReturnType<typeof ModelDetail.parse>;
type ModelMigration = ReturnType<typeof ModelMigration.parse>;

/**
 * The same customers re-measured: up to ±10% on income, premium and tenure, ±1 year of age for 30%
 * of them, and 10% with their region or channel flipped. Counts (dependents, policies, claims) stay.
 */
function perturb(source: InsuranceBook, random: Random): { customers: DemoCustomer[] } {
  const regions: readonly Region[] = ['urban', 'suburban', 'rural'];
  const channels: readonly PreferredChannel[] = ['web', 'app', 'phone', 'agent', 'branch'];
  const jitter = (value: number, relative: number) => value * (1 + relative * (2 * random.nextFloat() - 1));
  const other = <T>(values: readonly T[], current: T) => {
    const rest = values.filter((value) => value !== current);
    return rest[random.nextInt(rest.length)]!;
  };
  const customers = source.customers.map((customer) => {
    const copy: DemoCustomer = {
      ...customer,
      age: customer.age + (random.nextFloat() < 0.3 ? (random.nextFloat() < 0.5 ? -1 : 1) : 0),
      income: customer.income === null ? null : Math.round(jitter(customer.income, 0.1) / 100) * 100,
      tenure_years: Math.max(0, Math.round(jitter(customer.tenure_years, 0.1) * 10) / 10),
      annual_premium: Math.round(jitter(customer.annual_premium, 0.1) * 100) / 100,
    };
    if (random.nextFloat() < 0.1) {
      if (random.nextFloat() < 0.5) copy.region = other(regions, customer.region);
      else copy.preferred_channel = other(channels, customer.preferred_channel);
    }
    return copy;
  });
  return { customers };
}
