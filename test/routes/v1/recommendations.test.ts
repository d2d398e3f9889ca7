import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CustomerRecommendations } from '../../../src/schemas/recommendations.ts';
import { buildTestApp } from '../../helpers/app.ts';
import type { TestApp } from '../../helpers/app.ts';
import { segmentCustomers } from '../../helpers/factories.ts';
import type { Purchase } from '../../helpers/factories.ts';

/**
 * The three planted segments of the factories (renters, families, seniors; 20 customers each), with
 * purchases that give the families persona a known ranking. Per family member i (0…19):
 *
 *   product            category   families        others            persona rate   overall   lift
 *   MOTOR              motor      all 20          all 40            1.0            1.0       1
 *   TERM-LIFE          life       i < 18          —                 0.9            0.3       3
 *   HOME               home       i < 16          8 seniors         0.8            0.4       2
 *   CRITICAL-ILLNESS   life       i < 14          —                 0.7            7/30      3
 *   CHILD-SAVINGS      savings    i < 12          —                 0.6            0.2       3
 *   PET                (none)     i < 6           6 renters         0.3            0.2       1.5
 *
 * By confidence: MOTOR, TERM-LIFE, HOME, CRITICAL-ILLNESS, CHILD-SAVINGS, PET.
 * By lift (ties: more support): TERM-LIFE, CRITICAL-ILLNESS, CHILD-SAVINGS, HOME, PET, MOTOR.
 */
const PRODUCTS = [
  { id: 'MOTOR', name: 'Car insurance', category: 'motor', price: 600 },
  { id: 'TERM-LIFE', name: 'Term life', category: 'life', price: 300 },
  { id: 'HOME', name: 'Home cover', category: 'home', price: 250 },
  { id: 'CRITICAL-ILLNESS', name: 'Critical illness cover', category: 'life', price: 400 },
  { id: 'CHILD-SAVINGS', name: 'Child savings plan', category: 'savings', price: 50 },
  { id: 'PET', name: 'Pet insurance', category: null, price: 90 },
  { id: 'RENTERS', name: 'Renters cover', category: 'home', price: 120 },
  { id: 'ANNUITY', name: 'Retirement annuity', category: 'life', price: 1_500 },
];

const BOUGHT_BY: Record<number, Array<[product: string, isBuyer: (i: number) => boolean]>> = {
  0: [['MOTOR', () => true], ['RENTERS', (i) => i < 16], ['PET', (i) => i < 6]],
  1: [['MOTOR', () => true], ['TERM-LIFE', (i) => i < 18], ['HOME', (i) => i < 16], ['CRITICAL-ILLNESS', (i) => i < 14], ['CHILD-SAVINGS', (i) => i < 12], ['PET', (i) => i < 6]],
  2: [['MOTOR', () => true], ['ANNUITY', (i) => i < 16], ['HOME', (i) => i < 8]],
};

function upload() {
  const customers = segmentCustomers(20);
  const interactions: Purchase[] = customers.flatMap((customer) => {
    const segment = Number(customer.customer_id.slice(1, 2));
    const i = Number(customer.customer_id.slice(3));
    return BOUGHT_BY[segment]!.filter(([, isBuyer]) => isBuyer(i)).map(([productId]) => ({ customerId: customer.customer_id, productId, quantity: 1, amount: 100 }));
  });
  return { name: 'households', customers, products: PRODUCTS, interactions };
}

const FAMILY = { age: 38, income: 60_000, home_ownership: 'mortgage' };

describe('POST /v1/recommendations', () => {
  let t: TestApp;
  let datasetId: string;
  let model: { id: string; version: number };
  let families: { id: string; name: string };

  const recommend = (payload: object, query = '') => t.app.inject({ method: 'POST', url: `/v1/recommendations${query}`, headers: t.admin, payload });
  const productIds = (body: { items: Array<{ product: { id: string } }> }) => body.items.map((item) => item.product.id);

  beforeAll(async () => {
    t = await buildTestApp();
    const uploaded = await t.app.inject({ method: 'POST', url: '/v1/datasets', headers: t.admin, payload: upload() });
    expect(uploaded.statusCode).toBe(201);
    datasetId = uploaded.json().id;
    const trained = await t.app.inject({ method: 'POST', url: '/v1/models?wait=true', headers: t.admin, payload: { name: 'households', datasetId, k: 3, seed: 7 } });
    expect(trained.statusCode).toBe(201);
    model = trained.json();
    expect((await t.app.inject({ method: 'POST', url: `/v1/models/${model.id}/activate`, headers: t.admin })).statusCode).toBe(200);
    const assigned = await t.app.inject({ method: 'POST', url: '/v1/assign', headers: t.admin, payload: { attributes: FAMILY } });
    families = assigned.json().persona;
  });
  afterAll(async () => t.close());

  it("returns the persona's most bought products, each with its figures and the reason in words", async () => {
    const response = await recommend({ attributes: FAMILY });
    expect(response.statusCode).toBe(200);
    const body = CustomerRecommendations.parse(response.json());
    expect(body.persona).toMatchObject(families);
    expect(body.model).toEqual({ id: model.id, name: 'households', version: model.version });
    expect(body.unclassified).toBe(false);
    expect(productIds(body)).toEqual(['MOTOR', 'TERM-LIFE', 'HOME', 'CRITICAL-ILLNESS', 'CHILD-SAVINGS']);
    expect(body.items.map((item) => item.rank)).toEqual([1, 2, 3, 4, 5]);
    expect(body.items[1]).toMatchObject({
      product: { id: 'TERM-LIFE', name: 'Term life', category: 'life', price: 300 },
      support: 18,
      buyers: 18,
      personaRate: 0.9,
      lift: 3,
      reason: `bought by 90% of ${families.name} vs 30% overall`,
    });
    expect(body.items[1]!.overallRate).toBeCloseTo(0.3, 12);
    expect(body.items[3]!.reason).toBe(`bought by 70% of ${families.name} vs 23% overall`);
    expect(body.excluded).toEqual({ given: 0, purchased: 0, total: 0 });
    expect(body.warnings).toEqual([]);
  });

  it('ranks by lift with rankBy=lift, ties going to the product more members bought', async () => {
    const body = (await recommend({ attributes: FAMILY, rankBy: 'lift' })).json();
    expect(productIds(body)).toEqual(['TERM-LIFE', 'CRITICAL-ILLNESS', 'CHILD-SAVINGS', 'HOME', 'PET']);
    expect(body.items.map((item: { lift: number }) => item.lift)).toEqual([3, 3, 3, 2, 1.5]);
  });

  it('leaves out the products given in exclude and says how many', async () => {
    const body = (await recommend({ attributes: FAMILY, exclude: ['MOTOR', 'HOME', 'MOTOR'] })).json();
    expect(productIds(body)).toEqual(['TERM-LIFE', 'CRITICAL-ILLNESS', 'CHILD-SAVINGS', 'PET']);
    expect(body.excluded).toEqual({ given: 2, purchased: 0, total: 2 });
    expect(body.warnings).toEqual([]);
  });

  it("leaves out what a known customer bought according to the dataset's stored purchases", async () => {
    // Family member 15 bought MOTOR, TERM-LIFE and HOME.
    const body = (await recommend({ attributes: FAMILY, customerId: 'S1-015' })).json();
    expect(productIds(body)).toEqual(['CRITICAL-ILLNESS', 'CHILD-SAVINGS', 'PET']);
    expect(body.excluded).toEqual({ given: 0, purchased: 3, total: 3 });
    const both = (await recommend({ attributes: FAMILY, customerId: 'S1-015', exclude: ['PET', 'TERM-LIFE'] })).json();
    expect(productIds(both)).toEqual(['CRITICAL-ILLNESS', 'CHILD-SAVINGS']);
    expect(both.excluded).toEqual({ given: 2, purchased: 3, total: 4 });
  });

  it('treats an unknown customer id as a warning and excludes nothing for it', async () => {
    const response = await recommend({ attributes: FAMILY, customerId: 'web-visitor-9' });
    expect(response.statusCode).toBe(200);
    expect(productIds(response.json())).toEqual(['MOTOR', 'TERM-LIFE', 'HOME', 'CRITICAL-ILLNESS', 'CHILD-SAVINGS']);
    expect(response.json().warnings).toEqual([`customer web-visitor-9 is not in the dataset of model households v${model.version}; no purchases on record were excluded`]);
  });

  it('treats product ids the dataset does not hold as a warning and still excludes the known ones', async () => {
    const response = await recommend({ attributes: FAMILY, exclude: ['MOTOR', 'NO-SUCH-PRODUCT'] });
    expect(response.statusCode).toBe(200);
    expect(productIds(response.json())[0]).toBe('TERM-LIFE');
    expect(response.json().excluded).toEqual({ given: 2, purchased: 0, total: 2 });
    expect(response.json().warnings).toEqual([`exclude: product "NO-SUCH-PRODUCT" is not in the dataset of model households v${model.version}; ignored`]);
  });

  it('keeps at most maxPerCategory products of a category, in ranking order; products without a category are not limited', async () => {
    const body = (await recommend({ attributes: FAMILY, rankBy: 'lift', diversity: { maxPerCategory: 1 } })).json();
    expect(productIds(body)).toEqual(['TERM-LIFE', 'CHILD-SAVINGS', 'HOME', 'PET', 'MOTOR']);
    const pairs = (await recommend({ attributes: FAMILY, rankBy: 'lift', diversity: { maxPerCategory: 2 } })).json();
    expect(productIds(pairs)).toEqual(['TERM-LIFE', 'CRITICAL-ILLNESS', 'CHILD-SAVINGS', 'HOME', 'PET']);
  });

  it('returns a shorter list rather than break the diversity limit, and says so', async () => {
    const body = (await recommend({ attributes: FAMILY, rankBy: 'lift', exclude: ['PET', 'MOTOR'], diversity: true })).json();
    expect(productIds(body)).toEqual(['TERM-LIFE', 'CHILD-SAVINGS', 'HOME']);
    expect(body.warnings).toEqual(['1 more product was left out to keep at most 1 per category']);
  });

  it('returns only products with at least minSupport persona buyers, and at most limit', async () => {
    expect(productIds((await recommend({ attributes: FAMILY, minSupport: 16 })).json())).toEqual(['MOTOR', 'TERM-LIFE', 'HOME']);
    expect(productIds((await recommend({ attributes: FAMILY, limit: 2 })).json())).toEqual(['MOTOR', 'TERM-LIFE']);
  });

  it('recommends the products of the persona the customer is placed in', async () => {
    const renters = (await recommend({ attributes: { age: 25, income: 30_000, home_ownership: 'rent' }, rankBy: 'lift', limit: 2 })).json();
    expect(renters.persona.id).not.toBe(families.id);
    expect(productIds(renters)).toEqual(['RENTERS', 'PET']);
  });

  it('recommends nothing to an unclassified customer and says why', async () => {
    const body = (await recommend({ attributes: { age: 38, income: 400_000, home_ownership: 'mortgage' } })).json();
    expect(body.unclassified).toBe(true);
    expect(body.items).toEqual([]);
    expect(body.warnings).toEqual([expect.stringMatching(/^no recommendations: the customer is [\d.]+ from /)]);
  });

  it('serves the model named with ?model= (id, name or name@version) and answers 404 for an unknown one', async () => {
    const retrained = (await t.app.inject({ method: 'POST', url: '/v1/models?wait=true', headers: t.admin, payload: { name: 'households-shadow', datasetId, k: 3, seed: 11 } })).json();
    for (const reference of [retrained.id, `households-shadow@${retrained.version}`]) {
      const body = (await recommend({ attributes: FAMILY }, `?model=${reference}`)).json();
      expect(body.model.id).toBe(retrained.id);
      expect(retrained.personas.map((persona: { id: string }) => persona.id)).toContain(body.persona.id);
      expect(productIds(body)[1]).toBe('TERM-LIFE');
    }
    const missing = await recommend({ attributes: FAMILY }, '?model=nope');
    expect(missing.statusCode).toBe(404);
    expect(missing.headers['content-type']).toMatch(/^application\/problem\+json/);
  });

  it('rejects an invalid body with 400 and a pointer to every field at fault', async () => {
    const response = await recommend({ attributes: FAMILY, limit: 0, exclude: [''], diversity: { maxPerCategory: 0 }, rankBy: 'price', colour: 'red' });
    expect(response.statusCode).toBe(400);
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    const pointers = response.json().errors.map((issue: { pointer: string }) => issue.pointer);
    expect(pointers.sort()).toEqual(['/colour', '/diversity/maxPerCategory', '/exclude/0', '/limit', '/rankBy']);
    expect(response.json().errors.every((issue: { location: string }) => issue.location === 'body')).toBe(true);
  });

  it('rejects attributes that do not fit the model with pointers into attributes', async () => {
    const response = await recommend({ attributes: { age: 'forty', shoe_size: 42 } });
    expect(response.statusCode).toBe(400);
    expect(response.json().errors.map((issue: { pointer: string }) => issue.pointer).sort()).toEqual(['/attributes/age', '/attributes/shoe_size']);
  });

  it('needs the assign scope; a read-only key gets 403', async () => {
    const assignOnly = await t.keyWith('assign');
    expect((await t.app.inject({ method: 'POST', url: '/v1/recommendations', headers: assignOnly, payload: { attributes: FAMILY } })).statusCode).toBe(200);
    const readOnly = await t.keyWith('read');
    expect((await t.app.inject({ method: 'POST', url: '/v1/recommendations', headers: readOnly, payload: { attributes: FAMILY } })).statusCode).toBe(403);
  });
});
