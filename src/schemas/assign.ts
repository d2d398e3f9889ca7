import { z } from 'zod';
import { AttributeValue, Problem } from './common.ts';
import { Recommendation } from './personas.ts';

/** Rows a JSON batch may hold; larger jobs stream NDJSON. */
export const MAX_BATCH_ITEMS = 1_000;

export const AssignRequest = z
  .object({
    customerId: z.string().min(1).max(200).optional().describe("The customer's id in your system (echoed back, and kept in the assignment log)"),
    attributes: z
      .record(z.string().min(1), AttributeValue)
      .describe("The customer's attributes by feature name; any subset of the model's features (cold start), null meaning unknown"),
  })
  .strict()
  .meta({ examples: [{ customerId: 'C-1042', attributes: { age: 27, region: 'urban', home_ownership: 'rent' } }] });

const INCLUDE_OPTIONS = ['recommendations', 'probabilities', 'questions'] as const;

export const AssignQuery = z
  .object({
    model: z.string().min(1).optional().describe('Model id, name (its active version), name@version or name@alias, for shadow tests; default: the served model'),
    explain: z.stringbool().default(false).describe('true: explain the choice against the runner-up, feature by feature'),
    include: z
      .string()
      .default('')
      .transform((value) => value.split(',').filter((entry) => entry !== ''))
      .pipe(z.array(z.enum(INCLUDE_OPTIONS)))
      .describe('Comma-separated extras: recommendations (the persona’s top products), probabilities (every persona’s probability), questions (every missing feature ranked as the next question)'),
  })
  .strict();

export const BatchQuery = AssignQuery.pick({ model: true, explain: true });

const PersonaReference = z.object({ id: z.uuid(), key: z.string(), name: z.string() });

const PersonaProbability = z.object({ persona: PersonaReference, probability: z.number() });

export const AssignmentExplanation = z
  .object({
    versus: PersonaReference.describe('The runner-up the chosen persona is compared with'),
    measure: z
      .enum(['squared distance', 'dissimilarity', 'log-likelihood'])
      .describe('What the contributions are made of: squared standardized distance (k-means), squared distance plus gamma × mismatches (k-prototypes), log-likelihood (mixtures)'),
    total: z.number().describe("The runner-up's cost minus the chosen persona's (or the log-likelihood ratio): the contributions plus base"),
    base: z.number().describe('Mixtures: the part owed to the personas’ sizes and spreads rather than to any feature (0 otherwise)'),
    features: z
      .array(
        z.object({
          feature: z.string(),
          value: AttributeValue.describe('The value the customer gave'),
          contribution: z.number().describe('Signed share of total; positive favours the chosen persona'),
          text: z.string().describe("In the customer's units, e.g. income 31,000 is 1.2 sd below Affluent Bundlers (typically 82,000)"),
        }),
      )
      .describe('The features given, largest contribution first'),
  })
  .meta({ id: 'AssignmentExplanation' });

const QuestionValue = z.object({
  feature: z.string(),
  expectedInformationGain: z.number().describe('Bits of uncertainty about the persona the answer is expected to remove'),
});

export const NextQuestion = QuestionValue.extend({
  currentEntropy: z.number().describe('Entropy of the persona probabilities now, in bits (0: certain)'),
  ranking: z.array(QuestionValue).optional().describe('With include=questions: every missing feature, most informative first'),
}).meta({ id: 'NextQuestion', description: 'The missing feature whose answer would most reduce the uncertainty about the persona' });

export const AssignResponse = z
  .object({
    customerId: z.string().optional(),
    persona: PersonaReference,
    confidence: z
      .number()
      .describe('Probability that this is the customer’s persona: the mixture posterior, or for k-means and k-prototypes a softmax of negative costs with a temperature calibrated at training (see the model’s metrics.calibration)'),
    runnersUp: z.array(PersonaProbability).describe('The next most probable personas (up to 3), most probable first'),
    distance: z.number().describe('Distance to the persona over the features given, in standard deviations (k-prototypes: the root of squared distance plus gamma × category mismatches)'),
    unclassified: z.boolean().describe('True when the customer is farther from the nearest persona than 99% of its members were at training'),
    unclassifiedReason: z.string().optional().describe('Why the customer is unclassified'),
    probabilities: z.array(PersonaProbability).optional().describe('With include=probabilities: every persona, most probable first'),
    model: z.object({ id: z.uuid(), name: z.string(), version: z.number().int() }),
    featuresUsed: z.array(z.string()),
    featuresMissing: z.array(z.string()).describe('Model features the request did not give'),
    warnings: z.array(z.string()).describe('For example a category not seen in training'),
    nextQuestion: NextQuestion.optional().describe('When features are missing: the best one to ask next'),
    explanation: AssignmentExplanation.optional().describe('With explain=true: why this persona rather than the runner-up'),
    recommendations: z
      .array(Recommendation)
      .optional()
      .describe("With include=recommendations: the persona's 5 top products by confidence (what its members buy most), each with the reason; none for an unclassified customer"),
  })
  .meta({
    id: 'Assignment',
    examples: [
      {
        customerId: 'C-1042',
        persona: { id: '0d5f6c1e-8f0a-4b0e-9d67-2f4c1b9e7a11', key: 'young-digital-renters', name: 'Young Digital Renters' },
        confidence: 0.91,
        runnersUp: [{ persona: { id: '5a1c2e3d-4b5f-4a6b-8c7d-9e0f1a2b3c4d', key: 'urban-singles', name: 'Urban Singles' }, probability: 0.07 }],
        distance: 0.84,
        unclassified: false,
        model: { id: '7b2d9e4a-1c3f-4a5b-8e6d-9f0a1b2c3d4e', name: 'insurance-demo', version: 3 },
        featuresUsed: ['age', 'region', 'home_ownership'],
        featuresMissing: ['income', 'marital_status', 'dependents'],
        warnings: [],
        nextQuestion: {
          feature: 'income',
          expectedInformationGain: 0.31,
          currentEntropy: 0.52,
          ranking: [
            { feature: 'income', expectedInformationGain: 0.31 },
            { feature: 'dependents', expectedInformationGain: 0.12 },
          ],
        },
      },
    ],
  });

export const BatchRequest = z
  .array(AssignRequest)
  .max(MAX_BATCH_ITEMS)
  .describe(`Up to ${MAX_BATCH_ITEMS} customers; stream NDJSON for more`)
  .meta({
    examples: [
      [
        { customerId: 'C-1042', attributes: { age: 27, region: 'urban', home_ownership: 'rent' } },
        { customerId: 'C-1043', attributes: { age: 58, income: 91_000, dependents: 0 } },
      ],
    ],
  });

/** One NDJSON request line (documentation of the streamed body; lines are validated one by one). */
export const BatchNdjsonBody = z.string().describe('NDJSON: one AssignRequest object per line, any number of lines');

const BatchAssignment = AssignResponse.omit({ nextQuestion: true, recommendations: true });

export const BatchItem = z.union([
  BatchAssignment.extend({ index: z.number().int().describe('Position in the request (0-based)') }),
  z.object({ index: z.number().int(), error: Problem }),
]);

export const BatchResponse = z
  .object({
    model: z.object({ id: z.uuid(), name: z.string(), version: z.number().int() }).describe('Every item is scored by this one model version'),
    items: z.array(BatchItem).describe('One per request item, in order: an assignment, or an error problem for that item'),
  })
  .meta({ id: 'BatchAssignments' });

export const BatchNdjsonResponse = z
  .string()
  .describe(
    'NDJSON: one line per request line, in order: an assignment with "line" (1-based), or {"line", "error": Problem} for a line that is not valid JSON or does not fit the model. Blank lines are skipped.',
  );
