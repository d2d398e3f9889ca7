/**
 * Offline evaluation of recommendations by leave-last-purchase-out (the protocol of most
 * next-basket studies): each customer's last invoice is held out, the model is trained on the
 * rest, and a customer counts as a hit when one of the k products recommended to them is among
 * the held-out products they had not bought before (products already bought are never
 * recommended, so re-purchases cannot be hit). Hit rate at k = hits / customers evaluated.
 *
 * The rankings compared here are computed from the same counts as training's
 * (src/services/recommendations.ts): per persona, support (members who bought the product), the
 * persona rate support / size (the rule's confidence), the overall rate buyers / customers and
 * their ratio, the lift.
 */

export interface PurchaseLine {
  customerId: string;
  invoiceId: string;
  productId: string;
  occurredAtMs: number;
}

export interface LastPurchaseSplit {
  /** Per line (in input order), 1 when it belongs to its customer's last invoice and is held out. */
  isHeldOut: Uint8Array;
  /** Per evaluated customer, the held-out products they had not bought in earlier invoices. */
  targets: Map<string, ReadonlySet<string>>;
  counts: {
    customers: number;
    /** With a single invoice: nothing to learn from, so it stays in training and is not evaluated. */
    singleInvoice: number;
    /** Whose last invoice holds only products bought before. */
    onlyRepeats: number;
    evaluated: number;
  };
}

/** Invoice numbers in numeric-aware order, so "10" follows "9". */
const compareInvoiceIds = new Intl.Collator('en', { numeric: true }).compare;

/**
 * The last purchase of a customer is their last invoice, all of its lines: a basket is one
 * purchase decision, and the lines of one invoice share a timestamp, so "the last line" would be
 * an arbitrary pick among them. The last invoice is the one with the latest time (ties: the
 * greater invoice number). Customers with a single invoice keep it in training and are not evaluated.
 */
export function splitLastPurchase(lines: readonly PurchaseLine[]): LastPurchaseSplit {
  const lastInvoice = new Map<string, { invoiceId: string; occurredAtMs: number }>();
  const invoices = new Map<string, Set<string>>();
  for (const line of lines) {
    const last = lastInvoice.get(line.customerId);
    if (!last || line.occurredAtMs > last.occurredAtMs || (line.occurredAtMs === last.occurredAtMs && compareInvoiceIds(line.invoiceId, last.invoiceId) > 0)) {
      lastInvoice.set(line.customerId, { invoiceId: line.invoiceId, occurredAtMs: line.occurredAtMs });
    }
    let customerInvoices = invoices.get(line.customerId);
    if (!customerInvoices) invoices.set(line.customerId, (customerInvoices = new Set()));
    customerInvoices.add(line.invoiceId);
  }

  const isHeldOut = new Uint8Array(lines.length);
  const earlier = new Map<string, Set<string>>();
  const last = new Map<string, Set<string>>();
  lines.forEach((line, i) => {
    if (invoices.get(line.customerId)!.size < 2) return;
    const isLast = lastInvoice.get(line.customerId)!.invoiceId === line.invoiceId;
    if (isLast) isHeldOut[i] = 1;
    const bucket = isLast ? last : earlier;
    let products = bucket.get(line.customerId);
    if (!products) bucket.set(line.customerId, (products = new Set()));
    products.add(line.productId);
  });

  const targets = new Map<string, ReadonlySet<string>>();
  let onlyRepeats = 0;
  for (const [customerId, products] of last) {
    const bought = earlier.get(customerId)!;
    const fresh = new Set([...products].filter((product) => !bought.has(product)));
    if (fresh.size > 0) targets.set(customerId, fresh);
    else onlyRepeats++;
  }
  const customers = invoices.size;
  return { isHeldOut, targets, counts: { customers, singleInvoice: customers - last.size, onlyRepeats, evaluated: targets.size } };
}

/** Share of evaluated customers with at least one target among the first k products recommended to them. */
export function hitRateAtK(
  recommended: ReadonlyMap<string, readonly string[]>,
  targets: ReadonlyMap<string, ReadonlySet<string>>,
  k: number,
): { hits: number; customers: number; rate: number } {
  let hits = 0;
  for (const [customerId, wanted] of targets) {
    if ((recommended.get(customerId) ?? []).slice(0, k).some((product) => wanted.has(product))) hits++;
  }
  return { hits, customers: targets.size, rate: targets.size === 0 ? 0 : hits / targets.size };
}

/**
 * - `popularity`: most buyers overall, the same list for everyone (the baseline);
 * - `lift`: persona rate / overall rate, as the API ranks by default (ties: more support);
 * - `confidence`: persona rate, the persona's own most popular products; note that lift × overall
 *   buyers is the persona rate × customers, so "lift weighted by popularity" is this ranking;
 * - `confidenceTimesLift`: persona rate² / overall rate, between the two.
 */
export type EvaluatedRanking = 'popularity' | 'lift' | 'confidence' | 'confidenceTimesLift';

interface ProductFigures {
  productId: string;
  support: number;
  buyers: number;
  personaRate: number;
  overallRate: number;
  lift: number;
}

/** Per-persona product figures from customers' personas and their distinct purchases. */
export class PersonaProductRankings {
  private readonly figures: ProductFigures[][];
  private readonly sorted = new Map<string, ProductFigures[]>();

  /**
   * @param personaOf persona index (0…k−1) of every customer
   * @param purchases (customer, product) pairs; repeated pairs count once
   */
  constructor(personaOf: ReadonlyMap<string, number>, purchases: ReadonlyArray<{ customerId: string; productId: string }>, k: number) {
    const sizes = new Float64Array(k);
    for (const persona of personaOf.values()) sizes[persona]!++;
    const supportByProduct = new Map<string, Int32Array>();
    const seen = new Set<string>();
    for (const { customerId, productId } of purchases) {
      const persona = personaOf.get(customerId);
      const pair = `${customerId}\u0000${productId}`;
      if (persona === undefined || seen.has(pair)) continue;
      seen.add(pair);
      let support = supportByProduct.get(productId);
      if (!support) supportByProduct.set(productId, (support = new Int32Array(k)));
      support[persona]!++;
    }
    const customers = personaOf.size;
    this.figures = Array.from({ length: k }, (_, persona) =>
      [...supportByProduct].map(([productId, support]) => {
        const buyers = support.reduce((sum, count) => sum + count, 0);
        const personaRate = sizes[persona]! === 0 ? 0 : support[persona]! / sizes[persona]!;
        const overallRate = buyers / customers;
        const lift = sizes[persona]! === 0 ? 0 : (support[persona]! * customers) / (sizes[persona]! * buyers);
        return { productId, support: support[persona]!, buyers, personaRate, overallRate, lift };
      }),
    );
  }

  /** The first `limit` products of the persona under `ranking` that are not `owned`, with at least `minSupport` persona buyers (popularity: overall buyers). */
  recommend(ranking: EvaluatedRanking, persona: number, owned: ReadonlySet<string>, limit: number, minSupport: number): string[] {
    const result: string[] = [];
    for (const figures of this.ordered(ranking, persona, minSupport)) {
      if (result.length === limit) break;
      if (!owned.has(figures.productId)) result.push(figures.productId);
    }
    return result;
  }

  private ordered(ranking: EvaluatedRanking, persona: number, minSupport: number): ProductFigures[] {
    const key = `${ranking}/${ranking === 'popularity' ? 0 : persona}/${minSupport}`;
    let list = this.sorted.get(key);
    if (list) return list;
    const score = SCORES[ranking];
    // Popularity reads persona 0's row only for the overall buyer counts, identical in every row.
    const candidates = ranking === 'popularity' ? this.figures[0]!.filter((f) => f.buyers >= minSupport) : this.figures[persona]!.filter((f) => f.support >= minSupport);
    list = candidates.sort((a, b) => score(b) - score(a) || b.support - a.support || b.buyers - a.buyers || (a.productId < b.productId ? -1 : 1));
    this.sorted.set(key, list);
    return list;
  }
}

const SCORES: Record<EvaluatedRanking, (figures: ProductFigures) => number> = {
  popularity: (f) => f.buyers,
  lift: (f) => f.lift,
  confidence: (f) => f.personaRate,
  confidenceTimesLift: (f) => f.personaRate * f.lift,
};
