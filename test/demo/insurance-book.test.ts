import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import {
  DEMO_CUSTOMER_COLUMNS,
  DEMO_REFERENCE_DATE,
  generateInsuranceBook,
  insuranceBookToCsv,
  PLANTED_SEGMENT_SHARES,
  PLANTED_SEGMENTS,
} from '../../src/demo/insurance-book.ts';
import type { DemoCustomer, InsuranceBook, PlantedSegment } from '../../src/demo/insurance-book.ts';

// One default book (5000 customers, seed 42) shared by the read-only checks below.
const book = generateInsuranceBook();

const NUMERIC_COLUMNS = ['age', 'income', 'dependents', 'tenure_years', 'policy_count', 'annual_premium', 'claims_last_3y', 'web_visits_month'] as const;
const CATEGORICAL_COLUMNS = ['marital_status', 'region', 'home_ownership', 'preferred_channel'] as const;
type NumericColumn = (typeof NUMERIC_COLUMNS)[number];
type CategoricalColumn = (typeof CATEGORICAL_COLUMNS)[number];

function customersOf(segment: PlantedSegment): DemoCustomer[] {
  return book.customers.filter((_, i) => book.plantedSegments[i] === segment);
}

function present(customers: readonly DemoCustomer[], column: NumericColumn): number[] {
  return customers.map((customer) => customer[column]).filter((value): value is number => value !== null);
}

function mean(values: readonly number[]): number {
  return values.reduce((sum, value) => sum + value, 0) / values.length;
}

function standardDeviation(values: readonly number[]): number {
  const centre = mean(values);
  return Math.sqrt(mean(values.map((value) => (value - centre) ** 2)));
}

function mostCommon(customers: readonly DemoCustomer[], column: CategoricalColumn): string {
  const counts = new Map<string, number>();
  for (const customer of customers) counts.set(customer[column], (counts.get(customer[column]) ?? 0) + 1);
  return [...counts].sort((a, b) => b[1] - a[1])[0]![0];
}

/** Share of `customers` holding `productId`. */
function holdingRate(customers: readonly DemoCustomer[], productId: string): number {
  const holders = new Set(book.interactions.filter((x) => x.productId === productId).map((x) => x.customerId));
  return customers.filter((customer) => holders.has(customer.customer_id)).length / customers.length;
}

/** Standardized numerics (missing values at the mean, i.e. 0) followed by one-hot categoricals. */
function encodeCustomers(customers: readonly DemoCustomer[]): number[][] {
  const scales = NUMERIC_COLUMNS.map((column) => {
    const values = present(customers, column);
    return { column, centre: mean(values), spread: standardDeviation(values) };
  });
  const levels = CATEGORICAL_COLUMNS.map((column) => ({ column, values: [...new Set(customers.map((customer) => customer[column]))] }));
  return customers.map((customer) => [
    ...scales.map(({ column, centre, spread }) => {
      const value = customer[column];
      return value === null ? 0 : (value - centre) / spread;
    }),
    ...levels.flatMap(({ column, values }) => values.map((value) => (customer[column] === value ? 1 : 0))),
  ]);
}

describe('generateInsuranceBook', () => {
  it('generates 5000 customers numbered from C000001 with one planted segment each by default', () => {
    expect(book.customers).toHaveLength(5000);
    expect(book.plantedSegments).toHaveLength(5000);
    expect(book.customers[0]!.customer_id).toBe('C000001');
    expect(book.customers[4999]!.customer_id).toBe('C005000');
    expect(new Set(book.customers.map((customer) => customer.customer_id)).size).toBe(5000);
  });

  it('produces the same book for the same seed', () => {
    expect(generateInsuranceBook({ customers: 300, seed: 7 })).toEqual(generateInsuranceBook({ customers: 300, seed: 7 }));
  });

  it('produces a different book for another seed', () => {
    const first = generateInsuranceBook({ customers: 300, seed: 7 });
    const second = generateInsuranceBook({ customers: 300, seed: 8 });
    expect(second.customers).not.toEqual(first.customers);
    expect(second.plantedSegments).not.toEqual(first.plantedSegments);
  });

  it('gives every customer exactly the upload columns, never the planted segment', () => {
    const columns = DEMO_CUSTOMER_COLUMNS.join(',');
    expect(book.customers.filter((customer) => Object.keys(customer).join(',') !== columns)).toEqual([]);
  });

  it('fills each column with values of its type and range', () => {
    const isCount = (value: number | null) => value === null || (Number.isInteger(value) && value >= 0);
    const hasDecimals = (value: number, digits: number) => Math.abs(value * 10 ** digits - Math.round(value * 10 ** digits)) < 1e-6;
    const isValid = (customer: DemoCustomer) =>
      /^C\d{6}$/.test(customer.customer_id) &&
      Number.isInteger(customer.age) && customer.age >= 18 && customer.age <= 100 &&
      isCount(customer.income) && isCount(customer.web_visits_month) && isCount(customer.dependents) && isCount(customer.claims_last_3y) &&
      ['single', 'married', 'divorced', 'widowed'].includes(customer.marital_status) &&
      ['urban', 'suburban', 'rural'].includes(customer.region) &&
      ['rent', 'own', 'mortgage'].includes(customer.home_ownership) &&
      ['web', 'app', 'phone', 'agent', 'branch'].includes(customer.preferred_channel) &&
      customer.tenure_years > 0 && hasDecimals(customer.tenure_years, 1) &&
      Number.isInteger(customer.policy_count) && customer.policy_count >= 1 &&
      customer.annual_premium > 0 && hasDecimals(customer.annual_premium, 2);
    expect(book.customers.filter((customer) => !isValid(customer))).toEqual([]);
  });

  it('plants five segments in the stated shares (within two percentage points)', () => {
    expect(Object.values(PLANTED_SEGMENT_SHARES).reduce((sum, share) => sum + share, 0)).toBeCloseTo(1, 10);
    expect(new Set(book.plantedSegments)).toEqual(new Set(PLANTED_SEGMENTS));
    for (const segment of PLANTED_SEGMENTS) {
      expect(Math.abs(customersOf(segment).length / book.customers.length - PLANTED_SEGMENT_SHARES[segment])).toBeLessThan(0.02);
    }
  });

  it("gives young urban renters a mean age more than one standard deviation below the book's", () => {
    const ages = present(book.customers, 'age');
    expect(mean(present(customersOf('young_urban_renters'), 'age'))).toBeLessThan(mean(ages) - standardDeviation(ages));
  });

  it("gives empty nesters a mean age more than one standard deviation above the book's and the longest tenure", () => {
    const ages = present(book.customers, 'age');
    expect(mean(present(customersOf('empty_nesters'), 'age'))).toBeGreaterThan(mean(ages) + standardDeviation(ages));
    const tenures = PLANTED_SEGMENTS.map((segment) => mean(present(customersOf(segment), 'tenure_years')));
    expect(Math.max(...tenures)).toBe(mean(present(customersOf('empty_nesters'), 'tenure_years')));
  });

  it('makes affluent bundlers hold more policies than any other segment, at a higher income and premium', () => {
    for (const column of ['policy_count', 'income', 'annual_premium'] as const) {
      const affluent = mean(present(customersOf('affluent_bundlers'), column));
      for (const segment of PLANTED_SEGMENTS.filter((name) => name !== 'affluent_bundlers')) {
        expect(affluent).toBeGreaterThan(mean(present(customersOf(segment), column)));
      }
    }
  });

  it('gives high-claim customers three to eight claims and a higher premium per policy than the rest', () => {
    const highClaim = customersOf('high_claim');
    expect(highClaim.every((customer) => customer.claims_last_3y >= 3 && customer.claims_last_3y <= 8)).toBe(true);
    const premiumPerPolicy = (customers: DemoCustomer[]) => mean(customers.map((customer) => customer.annual_premium / customer.policy_count));
    const others = book.customers.filter((_, i) => book.plantedSegments[i] !== 'high_claim');
    expect(premiumPerPolicy(highClaim)).toBeGreaterThan(premiumPerPolicy(others));
  });

  it('gives new families one to four dependents and everyone else mostly none', () => {
    expect(customersOf('new_families').every((customer) => customer.dependents >= 1 && customer.dependents <= 4)).toBe(true);
    expect(mean(present(customersOf('empty_nesters'), 'dependents'))).toBeLessThan(0.1);
    expect(mean(present(customersOf('young_urban_renters'), 'dependents'))).toBeLessThan(0.2);
  });

  it.each([
    { who: 'young urban renters', segment: 'young_urban_renters', column: 'region', value: 'urban' },
    { who: 'young urban renters', segment: 'young_urban_renters', column: 'home_ownership', value: 'rent' },
    { who: 'young urban renters', segment: 'young_urban_renters', column: 'marital_status', value: 'single' },
    { who: 'young urban renters', segment: 'young_urban_renters', column: 'preferred_channel', value: 'app' },
    { who: 'new families', segment: 'new_families', column: 'region', value: 'suburban' },
    { who: 'new families', segment: 'new_families', column: 'home_ownership', value: 'mortgage' },
    { who: 'new families', segment: 'new_families', column: 'marital_status', value: 'married' },
    { who: 'affluent bundlers', segment: 'affluent_bundlers', column: 'preferred_channel', value: 'agent' },
    { who: 'affluent bundlers', segment: 'affluent_bundlers', column: 'home_ownership', value: 'own' },
    { who: 'high-claim customers', segment: 'high_claim', column: 'preferred_channel', value: 'phone' },
    { who: 'empty nesters', segment: 'empty_nesters', column: 'home_ownership', value: 'own' },
    { who: 'empty nesters', segment: 'empty_nesters', column: 'preferred_channel', value: 'branch' },
  ] as const)('makes $value the most common $column among $who', ({ segment, column, value }) => {
    expect(mostCommon(customersOf(segment), column)).toBe(value);
  });

  it('makes young urban renters the heaviest and empty nesters the lightest web visitors', () => {
    const visits = PLANTED_SEGMENTS.map((segment) => mean(present(customersOf(segment), 'web_visits_month')));
    expect(Math.max(...visits)).toBe(visits[PLANTED_SEGMENTS.indexOf('young_urban_renters')]);
    expect(Math.min(...visits)).toBe(visits[PLANTED_SEGMENTS.indexOf('empty_nesters')]);
  });

  it('overlaps segments on single columns, so no one column separates them', () => {
    const ages = (segment: PlantedSegment) => present(customersOf(segment), 'age');
    expect(Math.max(...ages('young_urban_renters'))).toBeGreaterThan(Math.min(...ages('new_families')));
    expect(Math.max(...ages('affluent_bundlers'))).toBeGreaterThan(Math.min(...ages('empty_nesters')));
    expect(customersOf('young_urban_renters').some((customer) => customer.region !== 'urban')).toBe(true);
    expect(customersOf('affluent_bundlers').some((customer) => customer.preferred_channel !== 'agent')).toBe(true);
  });

  it("places at least nine in ten customers nearest their own segment's centre in standardized, one-hot space", () => {
    const encoded = encodeCustomers(book.customers);
    const centres = PLANTED_SEGMENTS.map((segment) => {
      const rows = encoded.filter((_, i) => book.plantedSegments[i] === segment);
      return rows[0]!.map((_, j) => mean(rows.map((row) => row[j]!)));
    });
    const nearest = encoded.map((row) => {
      const distances = centres.map((centre) => centre.reduce((sum, c, j) => sum + (row[j]! - c) ** 2, 0));
      return PLANTED_SEGMENTS[distances.indexOf(Math.min(...distances))];
    });
    const agreement = nearest.filter((segment, i) => segment === book.plantedSegments[i]).length / encoded.length;
    expect(agreement).toBeGreaterThan(0.9);
    // Overlap is planted too: some customers sit closer to another segment.
    expect(agreement).toBeLessThan(1);
  });

  it('makes renters cover at least three times as common among young urban renters as overall', () => {
    expect(holdingRate(customersOf('young_urban_renters'), 'HOME-RENTERS')).toBeGreaterThanOrEqual(3 * holdingRate(book.customers, 'HOME-RENTERS'));
  });

  const tastes = [
    {
      who: 'young urban renters',
      segment: 'young_urban_renters',
      products: 'renters cover, motorbike and single trip travel',
      productIds: ['HOME-RENTERS', 'MOTOR-BIKE', 'TRAVEL-SINGLE'],
    },
    {
      who: 'new families',
      segment: 'new_families',
      products: 'term life, family health, homeowners and car cover',
      productIds: ['LIFE-TERM', 'HEALTH-FAMILY', 'HOME-OWNERS', 'MOTOR-CAR'],
    },
    {
      who: 'affluent bundlers',
      segment: 'affluent_bundlers',
      products: 'whole life, annuities, landlord cover, annual travel and business lines',
      productIds: ['LIFE-WHOLE', 'LIFE-ANNUITY', 'HOME-LANDLORD', 'TRAVEL-ANNUAL', 'BIZ-LIABILITY', 'BIZ-INDEMNITY'],
    },
    { who: 'high-claim customers', segment: 'high_claim', products: 'car and motorbike cover', productIds: ['MOTOR-CAR', 'MOTOR-BIKE'] },
    {
      who: 'empty nesters',
      segment: 'empty_nesters',
      products: 'annuities, homeowners cover and annual travel',
      productIds: ['LIFE-ANNUITY', 'HOME-OWNERS', 'TRAVEL-ANNUAL'],
    },
  ] as const;
  // A loop rather than it.each: vitest truncates interpolated values in test names.
  for (const { who, products, productIds, segment } of tastes) {
    it(`makes ${who} hold ${products} at least 1.2 times as often as the book as a whole`, () => {
      for (const productId of productIds) {
        expect(holdingRate(customersOf(segment), productId)).toBeGreaterThan(1.2 * holdingRate(book.customers, productId));
      }
    });
  }

  it('offers 15 to 20 products across all six lines with unique ids and positive prices', () => {
    expect(book.products.length).toBeGreaterThanOrEqual(15);
    expect(book.products.length).toBeLessThanOrEqual(20);
    expect(new Set(book.products.map((product) => product.id)).size).toBe(book.products.length);
    expect(new Set(book.products.map((product) => product.category))).toEqual(new Set(['life', 'home', 'motor', 'travel', 'health', 'business']));
    expect(book.products.every((product) => product.price > 0)).toBe(true);
  });

  it('refers only to existing customers and products in interactions', () => {
    const customerIds = new Set(book.customers.map((customer) => customer.customer_id));
    const productIds = new Set(book.products.map((product) => product.id));
    expect(book.interactions.length).toBeGreaterThan(book.customers.length);
    expect(book.interactions.filter((x) => !customerIds.has(x.customerId) || !productIds.has(x.productId))).toEqual([]);
  });

  it("records one interaction per policy held, whose amounts add up to the customer's annual premium", () => {
    const byCustomer = Map.groupBy(book.interactions, (interaction) => interaction.customerId);
    const mismatches = book.customers.filter((customer) => {
      const held = byCustomer.get(customer.customer_id) ?? [];
      const total = held.reduce((sum, interaction) => sum + interaction.amount, 0);
      return (
        new Set(held.map((interaction) => interaction.productId)).size !== customer.policy_count ||
        held.length !== customer.policy_count ||
        Math.abs(total - customer.annual_premium) > 1e-6
      );
    });
    expect(mismatches).toEqual([]);
  });

  it('prices each interaction near list price times quantity', () => {
    const prices = new Map(book.products.map((product) => [product.id, product.price]));
    const ratios = book.interactions.map((interaction) => interaction.amount / (prices.get(interaction.productId)! * interaction.quantity));
    const sorted = ratios.toSorted((a, b) => a - b);
    expect(sorted[Math.floor(sorted.length / 2)]).toBeGreaterThan(0.8);
    expect(sorted[Math.floor(sorted.length / 2)]).toBeLessThan(1.5);
    expect(book.interactions.every((interaction) => interaction.quantity >= 1 && interaction.amount > 0)).toBe(true);
  });

  it('dates interactions in the three years before the reference date, never before the customer joined', () => {
    const referenceMs = Date.parse(DEMO_REFERENCE_DATE);
    const tenureYears = new Map(book.customers.map((customer) => [customer.customer_id, customer.tenure_years]));
    const yearMs = 365.25 * 24 * 3600 * 1000;
    const misdated = book.interactions.filter((interaction) => {
      const occurredMs = Date.parse(interaction.occurredAt);
      return (
        new Date(occurredMs).toISOString() !== interaction.occurredAt ||
        occurredMs > referenceMs ||
        referenceMs - occurredMs > Math.min(3, tenureYears.get(interaction.customerId)!) * yearMs
      );
    });
    expect(misdated).toEqual([]);
  });

  it('leaves about 1% of incomes missing', () => {
    const missingShare = book.customers.filter((customer) => customer.income === null).length / book.customers.length;
    expect(missingShare).toBeGreaterThan(0.005);
    expect(missingShare).toBeLessThan(0.015);
  });

  it('leaves about 1% of monthly web visits missing and never the id or the age', () => {
    const missingShare = book.customers.filter((customer) => customer.web_visits_month === null).length / book.customers.length;
    expect(missingShare).toBeGreaterThan(0.005);
    expect(missingShare).toBeLessThan(0.015);
    expect(book.customers.every((customer) => customer.customer_id !== null && customer.age !== null)).toBe(true);
  });

  it('generates an empty book with the full product catalogue for zero customers', () => {
    const empty = generateInsuranceBook({ customers: 0 });
    expect(empty).toEqual({ customers: [], products: book.products, interactions: [], plantedSegments: [] });
  });

  it.each([-1, 2.5, Number.NaN])('rejects %s customers with a RangeError', (customers) => {
    expect(() => generateInsuranceBook({ customers })).toThrow(RangeError);
  });
});

describe('insuranceBookToCsv', () => {
  const small = generateInsuranceBook({ customers: 400, seed: 3 });
  const csv = insuranceBookToCsv(small);
  const parseCsv = (text: string): Record<string, string>[] => parse(text, { columns: true });

  it('writes CSV whose header names every customer column and whose row count matches', () => {
    const lines = csv.customers.trimEnd().split('\n');
    expect(lines[0]).toBe(DEMO_CUSTOMER_COLUMNS.join(','));
    expect(lines).toHaveLength(small.customers.length + 1);
  });

  it('writes products and interactions with headers the dataset upload recognises and one row each', () => {
    expect(csv.products.split('\n')[0]).toBe('id,name,category,price');
    expect(csv.interactions.split('\n')[0]).toBe('customer_id,product_id,quantity,amount,occurred_at');
    expect(parseCsv(csv.products)).toHaveLength(small.products.length);
    expect(parseCsv(csv.interactions)).toHaveLength(small.interactions.length);
  });

  it('round-trips every customer value through a CSV parser, with an empty cell for null', () => {
    const rows = parseCsv(csv.customers);
    const expected = small.customers.map((customer) =>
      Object.fromEntries(DEMO_CUSTOMER_COLUMNS.map((column) => [column, customer[column] === null ? '' : String(customer[column])])),
    );
    expect(rows).toEqual(expected);
    expect(rows.some((row) => row.income === '')).toBe(true);
  });

  it('quotes a value that contains a comma or a quote', () => {
    const tricky: InsuranceBook = { ...small, products: [{ id: 'HOME-PLUS', name: 'Home, "Plus"', category: 'home', price: 99.5 }] };
    const text = insuranceBookToCsv(tricky).products;
    expect(text).toBe('id,name,category,price\nHOME-PLUS,"Home, ""Plus""",home,99.5\n');
    expect(parseCsv(text)[0]!.name).toBe('Home, "Plus"');
  });
});
