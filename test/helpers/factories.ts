/**
 * Small, exactly known datasets for route tests: three well separated segments of customers with
 * a numeric and a categorical signature each, and purchases that differ by segment.
 */
import type { App } from '../../src/app.ts';

export const SEGMENTS = [
  { name: 'young renters', age: 25, income: 30_000, home: 'rent', product: 'RENTERS' },
  { name: 'families', age: 38, income: 60_000, home: 'mortgage', product: 'TERM-LIFE' },
  { name: 'seniors', age: 68, income: 45_000, home: 'own', product: 'ANNUITY' },
] as const;

export interface SegmentCustomer {
  customer_id: string;
  age: number;
  income: number;
  home_ownership: string;
  web_visits: number;
}

/**
 * `perSegment` customers per segment, with small deterministic jitter around each centre;
 * another `variant` jitters differently (a perturbed copy of the same population).
 */
export function segmentCustomers(perSegment = 20, variant = 0): SegmentCustomer[] {
  const customers: SegmentCustomer[] = [];
  SEGMENTS.forEach((segment, s) => {
    for (let i = 0; i < perSegment; i++) {
      const jitter = ((i * (7 + 2 * variant) + variant) % 11) - 5; // −5…5, repeating
      customers.push({
        customer_id: `S${s}-${String(i).padStart(3, '0')}`,
        age: segment.age + jitter * 0.6,
        income: segment.income + jitter * 900,
        home_ownership: segment.home,
        web_visits: [14, 6, 2][s]! + (i % 3),
      });
    }
  });
  return customers;
}

export const PRODUCTS = [
  { id: 'RENTERS', name: 'Renters cover', category: 'home', price: 120 },
  { id: 'TERM-LIFE', name: 'Term life', category: 'life', price: 300 },
  { id: 'ANNUITY', name: 'Retirement annuity', category: 'life', price: 1_500 },
  { id: 'MOTOR', name: 'Car insurance', category: 'motor', price: 600 },
];

/** Everyone buys motor; each segment also buys its own product (all but every fifth customer). */
export interface Purchase {
  customerId: string;
  productId: string;
  quantity: number;
  amount: number;
  occurredAt?: string;
}

export function segmentInteractions(customers: readonly SegmentCustomer[]): Purchase[] {
  return customers.flatMap((customer, i) => {
    const segment = SEGMENTS[Number(customer.customer_id.slice(1, 2))]!;
    const own = i % 5 === 4 ? [] : [{ customerId: customer.customer_id, productId: segment.product, quantity: 1, amount: 100 }];
    return [...own, { customerId: customer.customer_id, productId: 'MOTOR', quantity: 1, amount: 600, occurredAt: '2026-03-01T10:00:00Z' }];
  });
}

export function segmentUpload(perSegment = 20, variant = 0) {
  const customers = segmentCustomers(perSegment, variant);
  return { name: 'segments', customers, products: PRODUCTS, interactions: segmentInteractions(customers) };
}

/** Uploads the segment dataset and trains a 3-persona model; returns ids. */
export async function trainSegmentModel(app: App, auth: { authorization: string }, options: { name?: string; activate?: boolean } = {}) {
  const upload = await app.inject({ method: 'POST', url: '/v1/datasets', headers: auth, payload: segmentUpload() });
  if (upload.statusCode !== 201) throw new Error(`upload failed: ${upload.body}`);
  const datasetId = upload.json().id as string;
  const trained = await app.inject({
    method: 'POST',
    url: '/v1/models?wait=true',
    headers: auth,
    payload: { name: options.name ?? 'segments', datasetId, k: 3, seed: 7 },
  });
  if (trained.statusCode !== 201) throw new Error(`training failed: ${trained.body}`);
  const model = trained.json();
  if (options.activate !== false) {
    const activated = await app.inject({ method: 'POST', url: `/v1/models/${model.id}/activate`, headers: auth });
    if (activated.statusCode !== 200) throw new Error(`activation failed: ${activated.body}`);
  }
  return { datasetId, model };
}

/**
 * Uploads a CSV to `uploadUrl` (/v1/datasets?… or /v1/datasets/from-transactions?…) and trains one
 * version on it (?wait=true, no bootstrap unless `training` asks); returns the trained model's JSON.
 */
export async function trainOnCsv(app: App, auth: { authorization: string }, uploadUrl: string, csv: string, training: Record<string, unknown>): Promise<unknown> {
  const upload = await app.inject({ method: 'POST', url: uploadUrl, headers: { ...auth, 'content-type': 'text/csv' }, payload: csv });
  if (upload.statusCode !== 201) throw new Error(`upload to ${uploadUrl} failed (${upload.statusCode}): ${upload.body}`);
  const trained = await app.inject({ method: 'POST', url: '/v1/models?wait=true', headers: auth, payload: { datasetId: upload.json().id, stabilityResamples: 0, ...training } });
  if (trained.statusCode !== 201) throw new Error(`training failed (${trained.statusCode}): ${trained.body}`);
  return trained.json();
}
