/**
 * Words for persona names, keyed by feature (matched on the column name) and direction.
 * Non-numeric business rules live in domain/. A `noun` names the group ("Renters"); an `adjective`
 * qualifies it ("Young"). Features without an entry fall back to "High <Feature>" / "Low <Feature>"
 * or the category value itself.
 */
export interface Word {
  text: string;
  role: 'adjective' | 'noun';
  /** Where the word stands in a name, smaller first: age, then means, then household, place, habits. */
  slot: number;
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

const SLOT = { age: 0, means: 1, household: 2, place: 3, habits: 4 } as const;
type Slot = keyof typeof SLOT;

const adjective = (text: string, slot: Slot = 'habits'): Word => ({ text, role: 'adjective', slot: SLOT[slot] });
const noun = (text: string): Word => ({ text, role: 'noun', slot: 9 });

/** Slot of words made up for features without an entry. */
export const DEFAULT_SLOT = SLOT.habits;
/** Feature names that describe age: people picture a persona's age first, so it earns a place in the name. */
export const AGE_FEATURE = /\bage\b|^age|_age/i;

// Order matters: the first entry whose pattern matches the column name wins.
export const NUMERIC_VOCABULARY: readonly NumericVocabularyEntry[] = [
  { feature: AGE_FEATURE, high: adjective('Senior', 'age'), low: adjective('Young', 'age') },
  { feature: /income|salary|earning|wage/i, high: adjective('Affluent', 'means'), low: adjective('Budget', 'means') },
  { feature: /premium/i, high: adjective('High-Premium'), low: adjective('Low-Premium') },
  { feature: /claim/i, high: adjective('High-Claim'), low: adjective('Claim-Free') },
  { feature: /recency|days.?since|last.?purchase/i, high: adjective('Lapsed'), low: adjective('Recent') },
  { feature: /dependent|child|kid|teen/i, high: noun('Families'), low: adjective('Child-Free', 'household') },
  { feature: /polic(y|ies)|product.?count|num.?products|holdings/i, high: noun('Bundlers'), low: adjective('Single-Product') },
  { feature: /web|online|digital|app|internet|visit/i, high: adjective('Digital'), low: adjective('Offline') },
  { feature: /spend|monetary|amount|purchases|mnt/i, high: adjective('Big-Spending'), low: adjective('Frugal') },
  { feature: /frequency|transactions|orders|num.?purchase/i, high: adjective('Frequent'), low: adjective('Occasional') },
  { feature: /tenure|years|months.?with|loyal|since/i, high: adjective('Long-Standing'), low: adjective('New') },
  { feature: /balance|savings|wealth|assets/i, high: adjective('Wealthy', 'means'), low: adjective('Low-Balance', 'means') },
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
      { value: /single|alone/i, word: adjective('Single', 'household') },
      { value: /married|together/i, word: adjective('Married', 'household') },
      { value: /widow/i, word: adjective('Widowed', 'household') },
      { value: /divorc/i, word: adjective('Divorced', 'household') },
    ],
  },
  {
    feature: /region|area|location|urban|setting|zone/i,
    values: [
      { value: /suburb/i, word: adjective('Suburban', 'place') },
      { value: /urban|city|metro/i, word: adjective('Urban', 'place') },
      { value: /rural|country/i, word: adjective('Rural', 'place') },
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
