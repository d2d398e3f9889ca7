/**
 * Words for persona names, keyed by feature (matched on the column name) and direction.
 * Non-numeric business rules live in domain/. A `noun` names the group ("Renters"); an `adjective`
 * qualifies it ("Young"). Features without an entry fall back to "High <Feature>" / "Low <Feature>"
 * or the category value itself.
 */
export interface Word {
  text: string;
  role: 'adjective' | 'noun';
}

export interface NumericVocabularyEntry {
  feature: RegExp;
  high: Word;
  low: Word;
}

export interface CategoryVocabularyEntry {
  feature: RegExp;
  values: Array<{ value: RegExp; word: Word }>;
}

const adjective = (text: string): Word => ({ text, role: 'adjective' });
const noun = (text: string): Word => ({ text, role: 'noun' });

// Order matters: the first entry whose pattern matches the column name wins.
export const NUMERIC_VOCABULARY: readonly NumericVocabularyEntry[] = [
  { feature: /\bage\b|^age|_age/i, high: adjective('Senior'), low: adjective('Young') },
  { feature: /income|salary|earning|wage/i, high: adjective('Affluent'), low: adjective('Budget') },
  { feature: /premium/i, high: adjective('High-Premium'), low: adjective('Low-Premium') },
  { feature: /claim/i, high: adjective('High-Claim'), low: adjective('Claim-Free') },
  { feature: /recency|days.?since|last.?purchase/i, high: adjective('Lapsed'), low: adjective('Recent') },
  { feature: /dependent|child|kid|teen/i, high: noun('Families'), low: adjective('Child-Free') },
  { feature: /polic(y|ies)|product.?count|num.?products|holdings/i, high: noun('Bundlers'), low: adjective('Single-Product') },
  { feature: /web|online|digital|app|internet|visit/i, high: adjective('Digital'), low: adjective('Offline') },
  { feature: /spend|monetary|amount|purchases|mnt/i, high: adjective('Big-Spending'), low: adjective('Frugal') },
  { feature: /frequency|transactions|orders|num.?purchase/i, high: adjective('Frequent'), low: adjective('Occasional') },
  { feature: /tenure|years|months.?with|loyal|since/i, high: adjective('Long-Standing'), low: adjective('New') },
  { feature: /balance|savings|wealth|assets/i, high: adjective('Wealthy'), low: adjective('Low-Balance') },
  { feature: /credit.?limit/i, high: adjective('High-Limit'), low: adjective('Low-Limit') },
  { feature: /churn|complain/i, high: adjective('At-Risk'), low: adjective('Settled') },
];

export const CATEGORY_VOCABULARY: readonly CategoryVocabularyEntry[] = [
  {
    feature: /home|housing|ownership|residence|dwelling/i,
    values: [
      { value: /rent/i, word: noun('Renters') },
      { value: /mortgage/i, word: noun('Homebuyers') },
      { value: /own|yes/i, word: noun('Homeowners') },
    ],
  },
  {
    feature: /marital|married|relationship/i,
    values: [
      { value: /single|alone/i, word: adjective('Single') },
      { value: /married|together/i, word: adjective('Married') },
      { value: /widow/i, word: adjective('Widowed') },
      { value: /divorc/i, word: adjective('Divorced') },
    ],
  },
  {
    feature: /region|area|location|urban|setting|zone/i,
    values: [
      { value: /suburb/i, word: adjective('Suburban') },
      { value: /urban|city|metro/i, word: adjective('Urban') },
      { value: /rural|country/i, word: adjective('Rural') },
    ],
  },
  {
    feature: /channel|contact/i,
    values: [
      { value: /web|online|internet/i, word: adjective('Web-First') },
      { value: /app|mobile/i, word: adjective('App-First') },
      { value: /phone|cellular|telephone|call/i, word: adjective('Phone-Loyal') },
      { value: /agent|broker|advisor/i, word: adjective('Agent-Led') },
      { value: /branch|store|in.?person/i, word: adjective('Branch-Loyal') },
    ],
  },
];

/** Noun used when no trait supplies one. */
export const DEFAULT_NOUN = 'Customers';
/** Name of a persona with no distinguishing trait. */
export const MAINSTREAM_NAME = 'Mainstream Customers';
