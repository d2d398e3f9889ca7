/**
 * Recommendations for one customer: attributes → persona (the assignment service) → the persona's
 * products as ranked at training, minus what the customer already holds, optionally spread across
 * categories, each with the reason in words.
 *
 * Rankings never change after training, so each persona's ranking is read once and kept in a
 * bounded LRU cache; a request then costs at most one query, for the customer's holdings and the
 * check of the product ids it excludes.
 */
import type { RankingRule, Recommendation } from '../domain/persona.ts';
import type { RecommendationRepository } from '../domain/repositories.ts';
import type { AssignmentService } from './assignment.ts';
import { recommendationReason } from './recommendations.ts';

/**
 * Recommending to a customer ranks by confidence (the persona's purchase rate): on the UCI Online
 * Retail data it found the held-out next purchase far more often than lift, whose top products are
 * rare niche items (bench/recommendations.ts; figures in the README).
 */
export const DEFAULT_CUSTOMER_RANKING: RankingRule = 'confidence';
export const DEFAULT_CUSTOMER_LIMIT = 5;
export const DEFAULT_MIN_SUPPORT = 5;
/** `diversity: true` means one product per category. */
export const DEFAULT_MAX_PER_CATEGORY = 1;
/** Personas whose rankings stay cached: each holds at most a few hundred products (tens of kB). */
export const RANKING_CACHE_SIZE = 256;
/** Unknown ids listed in a warning; the rest are counted. */
const LISTED_UNKNOWN_IDS = 10;

export interface PersonaReference {
  id: string;
  name: string;
}

export interface RecommendedProduct extends Recommendation {
  /** e.g. "bought by 34% of New Families vs 9% overall" */
  reason: string;
}

export interface RankingOptions {
  /** Only products bought by at least this many persona members (default 5). */
  minSupport?: number | undefined;
  /** Default: confidence (DEFAULT_CUSTOMER_RANKING). */
  rankBy?: RankingRule | undefined;
}

export interface CustomerRecommendationRequest extends RankingOptions {
  /** The customer's attributes, as for /v1/assign (any subset of the model's features). */
  attributes: Readonly<Record<string, unknown>>;
  /** External id of the customer in the model's dataset: its stored purchases are excluded. */
  customerId?: string | undefined;
  /** External ids of products the customer holds. */
  exclude?: readonly string[] | undefined;
  /** Products to return, 1…50 (default 5). */
  limit?: number | undefined;
  /** At most `maxPerCategory` products of one category (true: one); products without a category are not limited. */
  diversity?: boolean | { maxPerCategory: number } | undefined;
}

export interface CustomerRecommendations {
  model: { id: string; name: string; version: number };
  persona: { id: string; key: string; name: string };
  /** Beyond the persona's distance threshold: no products are recommended (the reason is in `warnings`). */
  isUnclassified: boolean;
  /** Ranked, held products left out; `rank` is the position in this list. */
  items: RecommendedProduct[];
  excluded: { given: number; purchased: number; total: number };
  warnings: string[];
}

/** A persona's stored ranking in both orders, computed once per cache entry. */
interface CachedRanking {
  byLift: readonly Recommendation[];
  byConfidence: readonly Recommendation[];
}

export class RecommendationService {
  private readonly assignment: Pick<AssignmentService, 'assign'>;
  private readonly recommendations: RecommendationRepository;
  /** Insertion order is recency order (a hit is re-inserted), so the first key is the least recently used. */
  private readonly rankings = new Map<string, Promise<CachedRanking>>();

  constructor(assignment: Pick<AssignmentService, 'assign'>, recommendations: RecommendationRepository) {
    this.assignment = assignment;
    this.recommendations = recommendations;
  }

  /**
   * Places the customer with the assignment service, then returns the persona's top products that
   * the customer does not hold (the union of `exclude` and, with `customerId`, the customer's
   * purchases stored in the model's dataset). An unknown customer id or product id is a warning,
   * not an error. An unclassified customer gets no products: the nearest persona's products were
   * chosen for customers who resemble it, which this one does not.
   *
   * Diversity is greedy in ranking order and strict: a product whose category already has
   * `maxPerCategory` products is skipped, even if the list then holds fewer than `limit`.
   *
   * @param modelReference model id, name (its active version), name@version or name@alias; default: the served model
   * @throws ValidationError when the attributes do not fit the model (pointers /attributes/<name>)
   */
  async forCustomer(request: CustomerRecommendationRequest, modelReference?: string): Promise<CustomerRecommendations> {
    const assignment = await this.assignment.assign(request.attributes, modelReference);
    const { model } = assignment;
    const persona = model.personas[assignment.personaIndex]!;
    const given = [...new Set(request.exclude ?? [])];
    const customerId = request.customerId ?? null;
    const [ranking, holdings] = await Promise.all([
      this.ranking(persona.id, request.rankBy ?? DEFAULT_CUSTOMER_RANKING),
      customerId !== null || given.length > 0 ? this.recommendations.findHoldings(model.id, customerId, given) : null,
    ]);

    const warnings: string[] = [];
    if (holdings && holdings.unknownProductIds.length > 0) warnings.push(unknownProductsWarning(holdings.unknownProductIds, model));
    if (customerId !== null && holdings && !holdings.isCustomerKnown) {
      warnings.push(`customer ${customerId} is not in the dataset of model ${model.name} v${model.version}; no purchases on record were excluded`);
    }
    const purchased = holdings?.heldProductIds ?? [];
    const owned = new Set([...given, ...purchased]);
    const excluded = { given: given.length, purchased: purchased.length, total: owned.size };
    const summary = { model: { id: model.id, name: model.name, version: model.version }, persona, excluded };
    if (assignment.isUnclassified) {
      warnings.push(`no recommendations: ${assignment.unclassifiedReason ?? 'the customer is unclassified'}`);
      return { ...summary, isUnclassified: true, items: [], warnings };
    }

    const limit = request.limit ?? DEFAULT_CUSTOMER_LIMIT;
    const maxPerCategory = request.diversity === true ? DEFAULT_MAX_PER_CATEGORY : request.diversity ? request.diversity.maxPerCategory : Number.POSITIVE_INFINITY;
    const picked = pickProducts(ranking, { owned, limit, maxPerCategory, minSupport: request.minSupport ?? DEFAULT_MIN_SUPPORT });
    if (picked.skippedForDiversity > 0 && picked.items.length < limit) {
      const skipped = picked.skippedForDiversity;
      warnings.push(`${skipped} more ${skipped === 1 ? 'product was' : 'products were'} left out to keep at most ${maxPerCategory} per category`);
    }
    return { ...summary, isUnclassified: false, items: withReasons(picked.items, persona.name), warnings };
  }

  /**
   * The persona's top products from the cache (one query on a miss), for `/v1/assign?include=recommendations`.
   * @param persona the persona's id and its current name (for the reasons), e.g. `model.personas[index]`
   */
  async topForPersona(persona: PersonaReference, limit: number, options: RankingOptions = {}): Promise<RecommendedProduct[]> {
    const ranking = await this.ranking(persona.id, options.rankBy ?? DEFAULT_CUSTOMER_RANKING);
    const { items } = pickProducts(ranking, { owned: new Set(), limit, maxPerCategory: Number.POSITIVE_INFINITY, minSupport: options.minSupport ?? DEFAULT_MIN_SUPPORT });
    return withReasons(items, persona.name);
  }

  private async ranking(personaId: string, rule: RankingRule): Promise<readonly Recommendation[]> {
    let entry = this.rankings.get(personaId);
    if (entry) {
      this.rankings.delete(personaId);
    } else {
      // The promise is cached, so concurrent first requests for a persona share one query.
      entry = this.recommendations.listForPersona(personaId).then(orderings);
      entry.catch(() => this.rankings.delete(personaId));
      if (this.rankings.size >= RANKING_CACHE_SIZE) this.rankings.delete(this.rankings.keys().next().value!);
    }
    this.rankings.set(personaId, entry);
    const ranking = await entry;
    return rule === 'lift' ? ranking.byLift : ranking.byConfidence;
  }
}

function orderings(byLift: Recommendation[]): CachedRanking {
  // Equal persona rates (small integer supports make them common) go to the more popular product:
  // popularity is what predicts purchases best on its own (see bench/recommendations.ts).
  const byConfidence = [...byLift].sort((a, b) => b.personaRate - a.personaRate || b.buyers - a.buyers || a.rank - b.rank);
  return { byLift, byConfidence };
}

function pickProducts(
  ranking: readonly Recommendation[],
  options: { owned: ReadonlySet<string>; limit: number; maxPerCategory: number; minSupport: number },
): { items: Recommendation[]; skippedForDiversity: number } {
  const items: Recommendation[] = [];
  const perCategory = new Map<string, number>();
  let skippedForDiversity = 0;
  for (const recommendation of ranking) {
    if (items.length === options.limit) break;
    const { product } = recommendation;
    if (recommendation.support < options.minSupport || options.owned.has(product.id)) continue;
    if (product.category !== null) {
      const count = perCategory.get(product.category) ?? 0;
      if (count >= options.maxPerCategory) {
        skippedForDiversity++;
        continue;
      }
      perCategory.set(product.category, count + 1);
    }
    items.push(recommendation);
  }
  return { items, skippedForDiversity };
}

function withReasons(items: readonly Recommendation[], personaName: string): RecommendedProduct[] {
  return items.map((item, i) => ({ ...item, rank: i + 1, reason: recommendationReason(personaName, item) }));
}

function unknownProductsWarning(ids: readonly string[], model: { name: string; version: number }): string {
  const listed = ids.slice(0, LISTED_UNKNOWN_IDS).map((id) => JSON.stringify(id)).join(', ');
  const more = ids.length > LISTED_UNKNOWN_IDS ? ` and ${ids.length - LISTED_UNKNOWN_IDS} more` : '';
  return `exclude: ${ids.length === 1 ? 'product' : 'products'} ${listed}${more} ${ids.length === 1 ? 'is' : 'are'} not in the dataset of model ${model.name} v${model.version}; ignored`;
}
