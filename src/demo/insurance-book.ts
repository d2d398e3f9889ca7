/**
 * A seeded, realistic book of insurance customers with five planted segments, for demos, the README
 * walkthrough and end-to-end checks that clustering recovers structure we put there on purpose.
 *
 * Each customer is first drawn into a segment (young urban renters, new families, affluent bundlers,
 * high-claim customers, empty nesters) by the segment shares; every attribute is then drawn from that
 * segment's distributions. The segments overlap a little on every column (no single column separates
 * them) so a clustering has to combine columns, as on real data. Products are picked without
 * replacement by segment-specific propensities adjusted for the customer's home and household, so
 * `policy_count` is exactly the number of products a customer holds and `annual_premium` is the sum of
 * their policies' premiums. All dates are relative to a fixed reference date, so the book depends on
 * the options alone.
 */
import { createRandom } from '../engine/index.ts';
import type { Random } from '../engine/index.ts';

export const PLANTED_SEGMENTS = ['young_urban_renters', 'new_families', 'affluent_bundlers', 'high_claim', 'empty_nesters'] as const;
export type PlantedSegment = (typeof PLANTED_SEGMENTS)[number];

export type MaritalStatus = 'single' | 'married' | 'divorced' | 'widowed';
export type Region = 'urban' | 'suburban' | 'rural';
export type HomeOwnership = 'rent' | 'own' | 'mortgage';
export type PreferredChannel = 'web' | 'app' | 'phone' | 'agent' | 'branch';
export type ProductCategory = 'life' | 'home' | 'motor' | 'travel' | 'health' | 'business';

/**
 * One customer's attributes exactly as they would be uploaded (snake_case columns). A type alias
 * rather than an interface so it is assignable to `Record<string, …>` attribute maps.
 */
export type DemoCustomer = {
  customer_id: string;
  age: number;
  /** Annual, whole currency units (rounded to 100); null for about 1% of customers. */
  income: number | null;
  marital_status: MaritalStatus;
  dependents: number;
  region: Region;
  home_ownership: HomeOwnership;
  /** Years as a customer, one decimal. */
  tenure_years: number;
  /** Products held; equals the customer's number of interactions. */
  policy_count: number;
  /** Sum of the customer's policy premiums, two decimals. */
  annual_premium: number;
  claims_last_3y: number;
  /** Null for about 1% of customers. */
  web_visits_month: number | null;
  preferred_channel: PreferredChannel;
};

export interface DemoProduct {
  id: string;
  name: string;
  category: ProductCategory;
  /** Annual list premium in currency units. */
  price: number;
}

export interface DemoInteraction {
  customerId: string;
  productId: string;
  quantity: number;
  /** Premium paid: list price × quantity, adjusted for cover level and claims, with noise; two decimals. */
  amount: number;
  /** ISO 8601 date-time (UTC) within the three years before {@link DEMO_REFERENCE_DATE}. */
  occurredAt: string;
}

export interface InsuranceBook {
  customers: DemoCustomer[];
  products: DemoProduct[];
  interactions: DemoInteraction[];
  /** Ground truth: the segment each customer was drawn from, in the order of `customers`. */
  plantedSegments: PlantedSegment[];
}

export interface InsuranceBookOptions {
  /** Number of customers; a non-negative integer. Default 5000. */
  customers?: number;
  /** Seed of the generator; an integer. Default 42. */
  seed?: number;
}

/** Customer columns in upload (and CSV) order. */
export const DEMO_CUSTOMER_COLUMNS = [
  'customer_id',
  'age',
  'income',
  'marital_status',
  'dependents',
  'region',
  'home_ownership',
  'tenure_years',
  'policy_count',
  'annual_premium',
  'claims_last_3y',
  'web_visits_month',
  'preferred_channel',
] as const satisfies readonly (keyof DemoCustomer)[];

/** Every interaction falls in the three years before this instant; fixed so the output is reproducible. */
export const DEMO_REFERENCE_DATE = '2026-01-01T00:00:00.000Z';

export const INSURANCE_PRODUCTS: readonly DemoProduct[] = [
  { id: 'LIFE-TERM', name: 'Term Life', category: 'life', price: 420 },
  { id: 'LIFE-WHOLE', name: 'Whole Life', category: 'life', price: 2400 },
  { id: 'LIFE-ANNUITY', name: 'Retirement Annuity', category: 'life', price: 3600 },
  { id: 'LIFE-CRITICAL', name: 'Critical Illness Cover', category: 'life', price: 540 },
  { id: 'HOME-RENTERS', name: 'Renters Cover', category: 'home', price: 180 },
  { id: 'HOME-OWNERS', name: 'Homeowners Cover', category: 'home', price: 1150 },
  { id: 'HOME-LANDLORD', name: 'Landlord Cover', category: 'home', price: 1400 },
  { id: 'MOTOR-CAR', name: 'Car Insurance', category: 'motor', price: 850 },
  { id: 'MOTOR-BIKE', name: 'Motorbike Insurance', category: 'motor', price: 520 },
  { id: 'TRAVEL-SINGLE', name: 'Single Trip Travel', category: 'travel', price: 45 },
  { id: 'TRAVEL-ANNUAL', name: 'Annual Multi-Trip Travel', category: 'travel', price: 210 },
  { id: 'HEALTH-INDIVIDUAL', name: 'Individual Health Plan', category: 'health', price: 1800 },
  { id: 'HEALTH-FAMILY', name: 'Family Health Plan', category: 'health', price: 4800 },
  { id: 'HEALTH-DENTAL', name: 'Dental Cover', category: 'health', price: 360 },
  { id: 'BIZ-LIABILITY', name: 'Small Business Liability', category: 'business', price: 950 },
  { id: 'BIZ-INDEMNITY', name: 'Professional Indemnity', category: 'business', price: 1600 },
  { id: 'BIZ-CYBER', name: 'Cyber Cover', category: 'business', price: 1200 },
];

type ProductId =
  | 'LIFE-TERM' | 'LIFE-WHOLE' | 'LIFE-ANNUITY' | 'LIFE-CRITICAL'
  | 'HOME-RENTERS' | 'HOME-OWNERS' | 'HOME-LANDLORD'
  | 'MOTOR-CAR' | 'MOTOR-BIKE'
  | 'TRAVEL-SINGLE' | 'TRAVEL-ANNUAL'
  | 'HEALTH-INDIVIDUAL' | 'HEALTH-FAMILY' | 'HEALTH-DENTAL'
  | 'BIZ-LIABILITY' | 'BIZ-INDEMNITY' | 'BIZ-CYBER';

/** Categorical distribution as value → relative weight (weights need not sum to 1). */
type Weights<T extends string | number> = readonly (readonly [T, number])[];

interface SegmentProfile {
  share: number;
  /** Normal, rounded and clamped to [min, max]. */
  age: { mean: number; sd: number; min: number; max: number };
  /** Log-normal: median × exp(spread × z). */
  income: { median: number; spread: number };
  maritalStatus: Weights<MaritalStatus>;
  dependents: Weights<number>;
  region: Weights<Region>;
  homeOwnership: Weights<HomeOwnership>;
  /** Log-normal, capped at years since age 18. */
  tenureYears: { median: number; spread: number };
  policyCount: Weights<number>;
  /** minimum + Poisson(mean), capped at max. */
  claims: { minimum: number; mean: number; max: number };
  /** Log-normal, rounded. */
  webVisits: { median: number; spread: number };
  channel: Weights<PreferredChannel>;
  /** Cover level relative to list price (sums insured, options). */
  coverFactor: number;
  /** Relative propensity to hold each product; unlisted products get {@link BACKGROUND_AFFINITY}. */
  affinity: Partial<Record<ProductId, number>>;
}

/** Any segment occasionally holds any product, so product tastes overlap as they do in real books. */
const BACKGROUND_AFFINITY = 0.15;
const MISSING_RATE = 0.01;
/** Each claim in the last three years loads every premium by this fraction. */
const CLAIM_LOADING = 0.2;
/** Premium noise between customers with the same products (log-normal spread). */
const PREMIUM_SPREAD = 0.15;
const INTERACTION_WINDOW_YEARS = 3;
const SECONDS_PER_YEAR = 365.25 * 86_400;

const SEGMENT_PROFILES: Record<PlantedSegment, SegmentProfile> = {
  young_urban_renters: {
    share: 0.22,
    age: { mean: 27.5, sd: 3, min: 19, max: 40 },
    income: { median: 36_000, spread: 0.3 },
    maritalStatus: [['single', 0.82], ['married', 0.12], ['divorced', 0.06]],
    dependents: [[0, 0.9], [1, 0.1]],
    region: [['urban', 0.85], ['suburban', 0.12], ['rural', 0.03]],
    homeOwnership: [['rent', 0.88], ['mortgage', 0.08], ['own', 0.04]],
    tenureYears: { median: 1.8, spread: 0.55 },
    policyCount: [[1, 0.6], [2, 0.3], [3, 0.1]],
    claims: { minimum: 0, mean: 0.25, max: 4 },
    webVisits: { median: 14, spread: 0.45 },
    channel: [['app', 0.5], ['web', 0.38], ['phone', 0.07], ['branch', 0.03], ['agent', 0.02]],
    coverFactor: 0.9,
    affinity: {
      'HOME-RENTERS': 16, 'MOTOR-BIKE': 6, 'TRAVEL-SINGLE': 6, 'MOTOR-CAR': 2.5, 'HEALTH-INDIVIDUAL': 1.5,
      'HEALTH-DENTAL': 1, 'TRAVEL-ANNUAL': 0.5, 'LIFE-TERM': 0.4, 'BIZ-CYBER': 0.3,
    },
  },
  new_families: {
    share: 0.22,
    age: { mean: 35, sd: 3.3, min: 24, max: 48 },
    income: { median: 68_000, spread: 0.28 },
    maritalStatus: [['married', 0.88], ['divorced', 0.06], ['single', 0.06]],
    dependents: [[1, 0.4], [2, 0.38], [3, 0.19], [4, 0.03]],
    region: [['suburban', 0.75], ['urban', 0.15], ['rural', 0.1]],
    homeOwnership: [['mortgage', 0.82], ['rent', 0.12], ['own', 0.06]],
    tenureYears: { median: 5, spread: 0.4 },
    policyCount: [[2, 0.3], [3, 0.4], [4, 0.22], [5, 0.08]],
    claims: { minimum: 0, mean: 0.45, max: 4 },
    webVisits: { median: 6, spread: 0.5 },
    channel: [['web', 0.45], ['app', 0.25], ['phone', 0.15], ['agent', 0.1], ['branch', 0.05]],
    coverFactor: 1,
    affinity: {
      'HOME-OWNERS': 14, 'LIFE-TERM': 8, 'MOTOR-CAR': 8, 'HEALTH-FAMILY': 7, 'HEALTH-DENTAL': 2.5,
      'LIFE-CRITICAL': 1.5, 'TRAVEL-SINGLE': 1, 'TRAVEL-ANNUAL': 0.8, 'HOME-RENTERS': 0.5, 'MOTOR-BIKE': 0.3,
    },
  },
  affluent_bundlers: {
    share: 0.18,
    age: { mean: 52, sd: 4.5, min: 38, max: 70 },
    income: { median: 150_000, spread: 0.32 },
    maritalStatus: [['married', 0.78], ['divorced', 0.12], ['single', 0.07], ['widowed', 0.03]],
    dependents: [[0, 0.35], [1, 0.3], [2, 0.25], [3, 0.1]],
    region: [['suburban', 0.5], ['urban', 0.35], ['rural', 0.15]],
    homeOwnership: [['own', 0.6], ['mortgage', 0.4]],
    tenureYears: { median: 14, spread: 0.3 },
    policyCount: [[3, 0.05], [4, 0.3], [5, 0.3], [6, 0.2], [7, 0.12], [8, 0.03]],
    claims: { minimum: 0, mean: 0.35, max: 4 },
    webVisits: { median: 3, spread: 0.6 },
    channel: [['agent', 0.7], ['web', 0.12], ['phone', 0.08], ['branch', 0.07], ['app', 0.03]],
    coverFactor: 1.35,
    affinity: {
      'LIFE-WHOLE': 7, 'LIFE-ANNUITY': 6, 'TRAVEL-ANNUAL': 6, 'HOME-OWNERS': 6, 'HOME-LANDLORD': 5, 'MOTOR-CAR': 5,
      'BIZ-LIABILITY': 4, 'BIZ-INDEMNITY': 4, 'HEALTH-INDIVIDUAL': 2.5, 'BIZ-CYBER': 2, 'LIFE-CRITICAL': 2,
      'LIFE-TERM': 1.5, 'HEALTH-FAMILY': 1.5, 'HEALTH-DENTAL': 1,
    },
  },
  high_claim: {
    share: 0.13,
    age: { mean: 45, sd: 14, min: 19, max: 85 },
    income: { median: 50_000, spread: 0.4 },
    maritalStatus: [['married', 0.4], ['single', 0.35], ['divorced', 0.2], ['widowed', 0.05]],
    dependents: [[0, 0.45], [1, 0.25], [2, 0.2], [3, 0.1]],
    region: [['urban', 0.35], ['suburban', 0.35], ['rural', 0.3]],
    homeOwnership: [['rent', 0.35], ['mortgage', 0.38], ['own', 0.27]],
    tenureYears: { median: 6, spread: 0.35 },
    policyCount: [[1, 0.25], [2, 0.4], [3, 0.25], [4, 0.1]],
    claims: { minimum: 3, mean: 1.6, max: 8 },
    webVisits: { median: 4, spread: 0.6 },
    channel: [['phone', 0.65], ['agent', 0.12], ['web', 0.12], ['app', 0.06], ['branch', 0.05]],
    coverFactor: 1,
    affinity: {
      'MOTOR-CAR': 10, 'HOME-OWNERS': 6, 'HOME-RENTERS': 4, 'MOTOR-BIKE': 3, 'HEALTH-INDIVIDUAL': 1,
      'LIFE-TERM': 0.7, 'TRAVEL-SINGLE': 0.5,
    },
  },
  empty_nesters: {
    share: 0.25,
    age: { mean: 64, sd: 4.5, min: 50, max: 85 },
    income: { median: 56_000, spread: 0.35 },
    maritalStatus: [['married', 0.68], ['widowed', 0.22], ['divorced', 0.07], ['single', 0.03]],
    dependents: [[0, 0.97], [1, 0.03]],
    region: [['suburban', 0.45], ['rural', 0.35], ['urban', 0.2]],
    homeOwnership: [['own', 0.88], ['mortgage', 0.1], ['rent', 0.02]],
    tenureYears: { median: 19, spread: 0.3 },
    policyCount: [[2, 0.35], [3, 0.4], [4, 0.2], [5, 0.05]],
    claims: { minimum: 0, mean: 0.4, max: 4 },
    webVisits: { median: 1, spread: 0.7 },
    channel: [['branch', 0.45], ['agent', 0.35], ['phone', 0.15], ['web', 0.05]],
    coverFactor: 1,
    affinity: {
      'HOME-OWNERS': 8, 'LIFE-ANNUITY': 7, 'TRAVEL-ANNUAL': 5, 'MOTOR-CAR': 4, 'TRAVEL-SINGLE': 2.5,
      'HEALTH-INDIVIDUAL': 2.5, 'HEALTH-DENTAL': 2, 'LIFE-WHOLE': 1.5, 'LIFE-CRITICAL': 1, 'HOME-LANDLORD': 0.8,
    },
  },
};

/** Planted segment → share of the book it is drawn with (sums to 1). */
export const PLANTED_SEGMENT_SHARES: Readonly<Record<PlantedSegment, number>> = Object.fromEntries(
  PLANTED_SEGMENTS.map((segment) => [segment, SEGMENT_PROFILES[segment].share]),
) as Record<PlantedSegment, number>;

/**
 * A categorical distribution ready for sampling: values with their cumulative weights. Precomputed
 * once per book so the per-customer draws are a short scan over a typed array.
 */
interface Distribution<T> {
  values: readonly T[];
  cumulative: Float64Array;
}

/** A segment's distributions and product propensities (aligned with INSURANCE_PRODUCTS), compiled for sampling. */
interface CompiledSegment {
  profile: SegmentProfile;
  maritalStatus: Distribution<MaritalStatus>;
  dependents: Distribution<number>;
  region: Distribution<Region>;
  homeOwnership: Distribution<HomeOwnership>;
  policyCount: Distribution<number>;
  channel: Distribution<PreferredChannel>;
  affinity: Float64Array;
}

const productIndex = (id: ProductId): number => INSURANCE_PRODUCTS.findIndex((product) => product.id === id);
const RENTERS = productIndex('HOME-RENTERS');
const OWNERS = productIndex('HOME-OWNERS');
const LANDLORD = productIndex('HOME-LANDLORD');
const FAMILY_HEALTH = productIndex('HEALTH-FAMILY');
const TERM_LIFE = productIndex('LIFE-TERM');
const SINGLE_TRIP = productIndex('TRAVEL-SINGLE');
/** More than any segment's largest policy count. */
const MAX_POLICIES = 16;

/**
 * Generates a book of `customers` customers (default 5000) from `seed` (default 42): customers with
 * the columns of {@link DEMO_CUSTOMER_COLUMNS}, the {@link INSURANCE_PRODUCTS} catalogue, one
 * interaction per policy held (each customer's in date order), and each customer's planted segment.
 *
 * The same options always give a deep-equal book. Linear in the number of customers (about 2.9
 * interactions per customer). Throws RangeError when `customers` is not a non-negative integer or
 * `seed` is not an integer.
 */
export function generateInsuranceBook(options: InsuranceBookOptions = {}): InsuranceBook {
  const customerCount = options.customers ?? 5000;
  const seed = options.seed ?? 42;
  if (!Number.isSafeInteger(customerCount) || customerCount < 0) {
    throw new RangeError(`customers must be a non-negative integer, got ${customerCount}`);
  }
  if (!Number.isSafeInteger(seed)) throw new RangeError(`seed must be an integer, got ${seed}`);

  const random = createRandom(seed);
  const segments = PLANTED_SEGMENTS.map((name) => compileSegment(SEGMENT_PROFILES[name]));
  const segmentDistribution = compileDistribution(PLANTED_SEGMENTS.map((name, index) => [index, SEGMENT_PROFILES[name].share] as const));
  const referenceMs = Date.parse(DEMO_REFERENCE_DATE);
  const idWidth = Math.max(6, String(customerCount).length);

  const customers: DemoCustomer[] = [];
  const plantedSegments: PlantedSegment[] = [];
  const interactions: DemoInteraction[] = [];
  const policies = createPolicyScratch();

  for (let i = 0; i < customerCount; i++) {
    const segmentIndex = sample(random, segmentDistribution);
    const segment = segments[segmentIndex]!;
    const customer = drawCustomer(random, segment, `C${String(i + 1).padStart(idWidth, '0')}`);
    customer.annual_premium = drawPolicies(random, segment, customer, policies, referenceMs, interactions);
    customers.push(customer);
    plantedSegments.push(PLANTED_SEGMENTS[segmentIndex]!);
  }

  return { customers, products: INSURANCE_PRODUCTS.map((product) => ({ ...product })), interactions, plantedSegments };
}

/** A customer's attributes from their segment's distributions; `annual_premium` is left at 0 for {@link drawPolicies}. */
function drawCustomer(random: Random, segment: CompiledSegment, customerId: string): DemoCustomer {
  const { profile } = segment;
  const age = Math.round(clamp(profile.age.mean + profile.age.sd * random.nextGaussian(), profile.age.min, profile.age.max));
  const income = Math.max(8000, Math.round(logNormal(random, profile.income.median, profile.income.spread) / 100) * 100);
  const maritalStatus = sample(random, segment.maritalStatus);
  const dependents = sample(random, segment.dependents);
  const region = sample(random, segment.region);
  const homeOwnership = sample(random, segment.homeOwnership);
  const tenureYears = Math.max(0.1, roundDecimals(Math.min(logNormal(random, profile.tenureYears.median, profile.tenureYears.spread), age - 18), 1));
  const policyCount = sample(random, segment.policyCount);
  const claims = Math.min(profile.claims.max, profile.claims.minimum + poisson(random, profile.claims.mean));
  const webVisits = Math.min(60, Math.round(logNormal(random, profile.webVisits.median, profile.webVisits.spread)));
  const channel = sample(random, segment.channel);
  const isIncomeMissing = random.nextFloat() < MISSING_RATE;
  const isWebVisitsMissing = random.nextFloat() < MISSING_RATE;
  return {
    customer_id: customerId,
    age,
    income: isIncomeMissing ? null : income,
    marital_status: maritalStatus,
    dependents,
    region,
    home_ownership: homeOwnership,
    tenure_years: tenureYears,
    policy_count: policyCount,
    annual_premium: 0,
    claims_last_3y: claims,
    web_visits_month: isWebVisitsMissing ? null : webVisits,
    preferred_channel: channel,
  };
}

/** Reusable buffers for one customer's policies, so drawing them allocates nothing but the interactions. */
interface PolicyScratch {
  weights: Float64Array;
  products: Int32Array;
  premiums: Float64Array;
  quantities: Int32Array;
  secondsAgo: Float64Array;
}

function createPolicyScratch(): PolicyScratch {
  return {
    weights: new Float64Array(INSURANCE_PRODUCTS.length),
    products: new Int32Array(MAX_POLICIES),
    premiums: new Float64Array(MAX_POLICIES),
    quantities: new Int32Array(MAX_POLICIES),
    secondsAgo: new Float64Array(MAX_POLICIES),
  };
}

/**
 * Picks the customer's `policy_count` distinct products, appends one interaction per policy to `out`
 * (oldest first) and returns the annual premium: the sum of the interaction amounts.
 */
function drawPolicies(
  random: Random,
  segment: CompiledSegment,
  customer: DemoCustomer,
  scratch: PolicyScratch,
  referenceMs: number,
  out: DemoInteraction[],
): number {
  const { weights, products, premiums, quantities, secondsAgo } = scratch;
  adjustForHousehold(weights, segment.affinity, customer.home_ownership, customer.dependents);
  const premiumFactor = segment.profile.coverFactor * (1 + CLAIM_LOADING * customer.claims_last_3y);
  // Purchases cannot predate the customer relationship.
  const windowSeconds = Math.floor(Math.min(INTERACTION_WINDOW_YEARS, customer.tenure_years) * SECONDS_PER_YEAR);
  const count = customer.policy_count;
  for (let p = 0; p < count; p++) {
    const productAt = takeWeighted(random, weights);
    const premium = INSURANCE_PRODUCTS[productAt]!.price * premiumFactor * Math.exp(PREMIUM_SPREAD * random.nextGaussian());
    const quantity = productAt === SINGLE_TRIP ? 1 + poisson(random, 0.8) : 1;
    const ago = Math.floor(random.nextFloat() * windowSeconds);
    // Insertion by date keeps each customer's history chronological.
    let at = p;
    while (at > 0 && secondsAgo[at - 1]! < ago) {
      products[at] = products[at - 1]!;
      premiums[at] = premiums[at - 1]!;
      quantities[at] = quantities[at - 1]!;
      secondsAgo[at] = secondsAgo[at - 1]!;
      at--;
    }
    products[at] = productAt;
    premiums[at] = premium;
    quantities[at] = quantity;
    secondsAgo[at] = ago;
  }
  let annualPremium = 0;
  for (let p = 0; p < count; p++) {
    const amount = roundDecimals(premiums[p]! * quantities[p]!, 2);
    // Summing the rounded amounts makes the premium equal to what the interactions show.
    annualPremium += amount;
    out.push({
      customerId: customer.customer_id,
      productId: INSURANCE_PRODUCTS[products[p]!]!.id,
      quantity: quantities[p]!,
      amount,
      occurredAt: new Date(referenceMs - secondsAgo[p]! * 1000).toISOString(),
    });
  }
  return roundDecimals(annualPremium, 2);
}

function compileSegment(profile: SegmentProfile): CompiledSegment {
  const affinity = new Float64Array(INSURANCE_PRODUCTS.length);
  INSURANCE_PRODUCTS.forEach((product, j) => {
    affinity[j] = profile.affinity[product.id as ProductId] ?? BACKGROUND_AFFINITY;
  });
  return {
    profile,
    maritalStatus: compileDistribution(profile.maritalStatus),
    dependents: compileDistribution(profile.dependents),
    region: compileDistribution(profile.region),
    homeOwnership: compileDistribution(profile.homeOwnership),
    policyCount: compileDistribution(profile.policyCount),
    channel: compileDistribution(profile.channel),
    affinity,
  };
}

function compileDistribution<T extends string | number>(weights: Weights<T>): Distribution<T> {
  const cumulative = new Float64Array(weights.length);
  let total = 0;
  weights.forEach(([, weight], j) => {
    total += weight;
    cumulative[j] = total;
  });
  return { values: weights.map(([value]) => value), cumulative };
}

function sample<T>(random: Random, distribution: Distribution<T>): T {
  const { cumulative, values } = distribution;
  const u = random.nextFloat() * cumulative[cumulative.length - 1]!;
  let j = 0;
  // Stops at the last value even if rounding leaves u a hair above the total.
  while (j < cumulative.length - 1 && u >= cumulative[j]!) j++;
  return values[j]!;
}

/** Writes into `out` the segment's propensities with the home cover and family products that fit this household. */
function adjustForHousehold(out: Float64Array, affinity: Float64Array, homeOwnership: HomeOwnership, dependents: number): void {
  out.set(affinity);
  if (homeOwnership === 'rent') {
    out[OWNERS]! *= 0.02;
    out[LANDLORD]! *= 0.05;
  } else {
    out[RENTERS]! *= 0.03;
  }
  if (dependents === 0) out[FAMILY_HEALTH]! *= 0.05;
  else out[TERM_LIFE]! *= 1.5;
}

/** Draws an index with probability proportional to `weights` and zeroes it, so repeated calls sample without replacement. */
function takeWeighted(random: Random, weights: Float64Array): number {
  let total = 0;
  for (let j = 0; j < weights.length; j++) total += weights[j]!;
  let u = random.nextFloat() * total;
  let last = 0;
  for (let j = 0; j < weights.length; j++) {
    const w = weights[j]!;
    if (w <= 0) continue;
    last = j;
    if (u < w) break;
    u -= w;
  }
  weights[last] = 0;
  return last;
}

function logNormal(random: Random, median: number, spread: number): number {
  return median * Math.exp(spread * random.nextGaussian());
}

/** Knuth's multiplication method; fine for the small means used here. */
function poisson(random: Random, mean: number): number {
  const limit = Math.exp(-mean);
  let count = 0;
  let product = random.nextFloat();
  while (product > limit) {
    count++;
    product *= random.nextFloat();
  }
  return count;
}

function clamp(value: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, value));
}

/** Rounds to `digits` decimals; dividing by an integer power of ten avoids artefacts such as 0.30000000000000004. */
function roundDecimals(value: number, digits: number): number {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}

export interface InsuranceBookCsv {
  customers: string;
  products: string;
  interactions: string;
}

/**
 * The book as three CSV files (header row, comma-separated, `\n` line ends, empty cell for null,
 * RFC 4180 quoting when a value holds a comma, quote or line break). Columns: customers in
 * {@link DEMO_CUSTOMER_COLUMNS} order; products `id,name,category,price`; interactions
 * `customer_id,product_id,quantity,amount,occurred_at`. The planted segments are not written.
 */
export function insuranceBookToCsv(book: InsuranceBook): InsuranceBookCsv {
  return {
    customers: toCsv(DEMO_CUSTOMER_COLUMNS, book.customers.map((customer) => DEMO_CUSTOMER_COLUMNS.map((column) => customer[column]))),
    products: toCsv(['id', 'name', 'category', 'price'], book.products.map((p) => [p.id, p.name, p.category, p.price])),
    interactions: toCsv(
      ['customer_id', 'product_id', 'quantity', 'amount', 'occurred_at'],
      book.interactions.map((x) => [x.customerId, x.productId, x.quantity, x.amount, x.occurredAt]),
    ),
  };
}

type CsvCell = string | number | null;

function toCsv(header: readonly string[], rows: readonly (readonly CsvCell[])[]): string {
  const lines = [header.map(csvCell).join(',')];
  for (const row of rows) lines.push(row.map(csvCell).join(','));
  return `${lines.join('\n')}\n`;
}

function csvCell(value: CsvCell): string {
  if (value === null) return '';
  // Numbers never hold a comma or a quote, so only text needs the quoting check.
  if (typeof value === 'number') return String(value);
  return /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}
