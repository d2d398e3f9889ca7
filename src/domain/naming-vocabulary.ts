/**
 * Words for persona names, keyed by feature (a pattern on the column name) and direction, as a JSON
 * vocabulary: the shipped defaults (naming-vocabulary.json: insurance, bank, retail, telco, card and
 * RFM columns) and, optionally, a file of the operator's (NAMING_VOCABULARY_FILE) whose entries come
 * first. A `noun` names the group ("Renters"); an `adjective` qualifies it ("Young"). Features
 * without an entry fall back to "High <Feature>" / "Low <Feature>" or the category value itself.
 */
import { z } from 'zod';
import defaults from './naming-vocabulary.json' with { type: 'json' };

const SLOT = { age: 0, means: 1, household: 2, place: 3, habits: 4 } as const;

const WordEntry = z
  .object({
    word: z.string().min(1).max(40),
    role: z.enum(['adjective', 'noun']).default('adjective'),
    slot: z.enum(['age', 'means', 'household', 'place', 'habits']).default('habits'),
  })
  .strict();

const Pattern = z.string().refine((pattern) => {
  try {
    new RegExp(pattern, 'i');
    return true;
  } catch {
    return false;
  }
}, 'must be a valid regular expression');

/** The JSON format of a vocabulary file. */
export const VocabularyFile = z
  .object({
    $comment: z.string().optional(),
    numeric: z.array(z.object({ feature: Pattern, high: WordEntry, low: WordEntry }).strict()).default([]),
    categorical: z
      .array(z.object({ feature: Pattern, values: z.array(WordEntry.extend({ value: Pattern }).strict()) }).strict())
      .default([]),
  })
  .strict();
export type VocabularyFile = z.input<typeof VocabularyFile>;

export interface Word {
  text: string;
  role: 'adjective' | 'noun';
  /** Where the word stands in a name, smaller first: age, then means, then household, place, habits. */
  slot: number;
}

export interface NamingVocabulary {
  numeric: ReadonlyArray<{ feature: RegExp; high: Word; low: Word }>;
  categorical: ReadonlyArray<{ feature: RegExp; values: ReadonlyArray<{ value: RegExp; word: Word }> }>;
}

const toWord = (entry: z.infer<typeof WordEntry>): Word => ({ text: entry.word, role: entry.role, slot: entry.role === 'noun' ? 9 : SLOT[entry.slot] });

/** Compiles vocabularies, earlier ones first (their entries win). Throws a ZodError for an invalid file. */
export function compileVocabulary(...files: unknown[]): NamingVocabulary {
  const parsed = files.map((file) => VocabularyFile.parse(file));
  return {
    numeric: parsed.flatMap((file) => file.numeric.map((entry) => ({ feature: new RegExp(entry.feature, 'i'), high: toWord(entry.high), low: toWord(entry.low) }))),
    categorical: parsed.flatMap((file) =>
      file.categorical.map((entry) => ({
        feature: new RegExp(entry.feature, 'i'),
        values: entry.values.map((value) => ({ value: new RegExp(value.value, 'i'), word: toWord(value) })),
      })),
    ),
  };
}

/** The shipped vocabulary. */
export const DEFAULT_VOCABULARY: NamingVocabulary = compileVocabulary(defaults);

/** The shipped vocabulary under an operator's file, whose entries win. */
export const extendVocabulary = (custom: unknown): NamingVocabulary => compileVocabulary(custom, defaults);

/** Slot of words made up for features without an entry. */
export const DEFAULT_SLOT = SLOT.habits;
/** Feature names that describe age: people picture a persona's age first, so it earns a place in the name. */
export const AGE_FEATURE = /\bage\b|^age|_age/i;
/** Noun used when no trait supplies one. */
export const DEFAULT_NOUN = 'Customers';
/** Name of a persona with no distinguishing trait. */
export const MAINSTREAM_NAME = 'Mainstream Customers';

/** RFM columns, recognised by name: personas of RFM features get the usual RFM segment names. */
export const RFM_FEATURES = { recency: /recency|days.?since.?last/i, frequency: /frequency|num.?orders|invoices/i, monetary: /monetary|total.?spend|revenue/i } as const;
