/**
 * The service's configuration: one zod schema over the environment, parsed once at start.
 * Nothing else in src/ reads process.env; the frozen Config is passed explicitly.
 */
import { availableParallelism } from 'node:os';
import { z } from 'zod';

const booleanFlag = z.stringbool({ truthy: ['true', '1', 'yes', 'on'], falsy: ['false', '0', 'no', 'off'] });
const mebibyte = 1024 * 1024;

const EnvironmentSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().min(1).default('0.0.0.0'),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must be a postgresql:// connection URL')
    .optional(),
  DATABASE_POOL_SIZE: z.coerce.number().int().min(1).max(200).default(10),
  MODEL_CHANGES_DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must be a postgresql:// connection URL')
    .optional(),
  MODEL_SYNC_INTERVAL_MS: z.coerce.number().int().min(0).max(3_600_000).default(5000),
  EMBEDDED_POSTGRES_DIR: z.string().min(1).default('.data/postgres'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  AUTH_DISABLED: booleanFlag.default(false),
  BOOTSTRAP_ADMIN_KEY: z.string().min(24, 'must be at least 24 characters').optional(),
  BODY_LIMIT_BYTES: z.coerce.number().int().min(1024).default(mebibyte),
  UPLOAD_LIMIT_BYTES: z.coerce.number().int().min(1024).default(64 * mebibyte),
  MAX_JSON_DEPTH: z.coerce.number().int().min(2).max(1000).default(32),
  RATE_LIMIT_ENABLED: booleanFlag.default(true),
  RATE_LIMIT_MAX: z.coerce.number().int().min(1).default(6000),
  RATE_LIMIT_WINDOW_MS: z.coerce.number().int().min(1000).default(60_000),
  DEMO_ON_EMPTY: booleanFlag.default(true),
  DEFAULT_MODEL: z.string().min(1).optional(),
  TRAINING_CONCURRENCY: z.coerce.number().int().min(1).max(16).default(1),
  TRAINING_THREADS: z.coerce.number().int().min(1).max(64).optional(),
  TRAINING_NICE: z.coerce.number().int().min(0).max(19).default(10),
  NAMING_VOCABULARY_FILE: z.string().min(1).optional(),
  STRATEGY_RULES_FILE: z.string().min(1).optional(),
  LLM_NAMING_URL: z.url({ protocol: /^https?$/ }).optional(),
  LLM_NAMING_MODEL: z.string().min(1).optional(),
  LLM_NAMING_API_KEY: z.string().min(1).optional(),
  LLM_NAMING_TIMEOUT_MS: z.coerce.number().int().min(100).max(120_000).default(10_000),
  SHUTDOWN_TIMEOUT_MS: z.coerce.number().int().min(0).default(10_000),
  ASSIGNMENT_LOG_SAMPLE_RATE: z.coerce.number().min(0).max(1).default(1),
  ASSIGNMENT_LOG_FLUSH_MS: z.coerce.number().int().min(10).max(600_000).default(1000),
  ASSIGNMENT_LOG_BATCH_SIZE: z.coerce.number().int().min(1).max(10_000).default(500),
  ASSIGNMENT_LOG_MAX_PENDING: z.coerce.number().int().min(1).max(10_000_000).default(50_000),
  WEBHOOK_DISPATCH_INTERVAL_MS: z.coerce.number().int().min(0).max(60_000).default(500),
  WEBHOOK_TIMEOUT_MS: z.coerce.number().int().min(100).max(60_000).default(5000),
  WEBHOOK_RETRY_BASE_MS: z.coerce.number().int().min(1).max(3_600_000).default(10_000),
  WEBHOOK_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(20).default(8),
  JOBS_WORKER: booleanFlag.default(true),
  JOB_HEARTBEAT_SECONDS: z.coerce.number().int().min(10).max(3600).default(30),
  JOB_POLL_SECONDS: z.coerce.number().min(0.5).max(60).default(2),
  SCHEDULE_CHECK_SECONDS: z.coerce.number().int().min(1).max(3600).default(30),
  GOVERNANCE_MODE: z.enum(['standard', 'strict']).default('standard'),
  FAIRNESS_COMPOSITION_REVIEW_V: z.coerce.number().min(0).max(1).default(0.1),
  FAIRNESS_COMPOSITION_FAIL_V: z.coerce.number().min(0).max(1).default(0.3),
  FAIRNESS_FOUR_FIFTHS_REVIEW: z.coerce.number().min(0).max(1).default(0.9),
  FAIRNESS_FOUR_FIFTHS_FAIL: z.coerce.number().min(0).max(1).default(0.8),
  FAIRNESS_PROXY_REVIEW_LIFT: z.coerce.number().min(0).max(1).default(0.1),
  FAIRNESS_PROXY_FAIL_LIFT: z.coerce.number().min(0).max(1).default(0.2),
  FAIRNESS_PROXY_FEATURE_V: z.coerce.number().min(0).max(1).default(0.2),
  FAIRNESS_MIN_GROUP_SIZE: z.coerce.number().int().min(1).default(30),
  FAIRNESS_HIGH_COST_PRODUCTS: z
    .string()
    .optional()
    .transform((value) => (value ?? '').split(',').map((id) => id.trim()).filter((id) => id !== '')),
});

export type Environment = z.input<typeof EnvironmentSchema>;

export interface Config {
  readonly port: number;
  readonly host: string;
  /** Null: start the embedded PostgreSQL in `embeddedPostgresDir`. */
  readonly databaseUrl: string | null;
  readonly databasePoolSize: number;
  /** Session-mode connection for LISTEN (null: the database URL), e.g. past a transaction-mode PgBouncer. */
  readonly modelChangesDatabaseUrl: string | null;
  /** Period of the check for model changes other replicas made and announced in vain (0: off). */
  readonly modelSyncIntervalMs: number;
  readonly embeddedPostgresDir: string;
  readonly logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  readonly authDisabled: boolean;
  /** Used as the first admin key when the database holds none (otherwise a random key is printed once). */
  readonly bootstrapAdminKey: string | null;
  readonly bodyLimitBytes: number;
  readonly uploadLimitBytes: number;
  readonly maxJsonDepth: number;
  readonly rateLimit: { readonly enabled: boolean; readonly max: number; readonly windowMs: number };
  readonly demoOnEmpty: boolean;
  /** Model name that /v1/assign uses without ?model= (null: the most recently activated model). */
  readonly defaultModel: string | null;
  /** Trainings that run at once on this replica, each in its own worker thread. */
  readonly trainingConcurrency: number;
  /** Threads one k-means fit may use (default: every core). */
  /** Nice value of training threads (Linux, per thread): serving keeps priority while a model trains. */
  readonly trainingNice: number;
  readonly trainingThreads: number;
  /** JSON files extending the naming vocabulary and the strategy library (null: the shipped ones only). */
  readonly namingVocabularyFile: string | null;
  readonly strategyRulesFile: string | null;
  /** An OpenAI-compatible chat endpoint that names personas; null keeps the deterministic names. */
  readonly llmNaming: { readonly baseUrl: string; readonly model: string; readonly apiKey: string | null; readonly timeoutMs: number } | null;
  readonly shutdownTimeoutMs: number;
  /** Assignments written to the log in the background: sampled share (0: off), flush interval, batch size, buffer bound. */
  readonly assignmentLog: { readonly sampleRate: number; readonly flushIntervalMs: number; readonly batchSize: number; readonly maxPending: number };
  /**
   * Webhook deliveries: how often this replica looks for due deliveries (0: it sends none), the
   * timeout of one attempt, the first retry delay (doubled after each failed attempt), attempts at most.
   */
  readonly webhooks: { readonly dispatchIntervalMs: number; readonly timeoutMs: number; readonly retryBaseMs: number; readonly maxAttempts: number };
  /**
   * Background trainings: whether this replica takes jobs, how long a job's replica may go silent
   * before the job is retried elsewhere, and how often an idle replica looks for jobs.
   */
  readonly jobs: { readonly isWorker: boolean; readonly heartbeatSeconds: number; readonly pollSeconds: number };
  /** How often a replica checks for due training schedules. */
  readonly scheduleCheckSeconds: number;
  /** strict: activating a version needs a passing fairness audit, or an override with a reason (manual) — scheduled activations keep it a candidate. */
  readonly governanceMode: 'standard' | 'strict';
  /** Fairness audit: verdict thresholds (domain/fairness.ts FairnessThresholds) and product external ids treated as high-cost in every dataset. */
  readonly fairness: {
    readonly thresholds: {
      readonly compositionReviewV: number;
      readonly compositionFailV: number;
      readonly fourFifthsReview: number;
      readonly fourFifthsFail: number;
      readonly proxyReviewLift: number;
      readonly proxyFailLift: number;
      readonly proxyFeatureV: number;
      readonly minGroupSize: number;
    };
    readonly highCostProducts: readonly string[];
  };
}

export class ConfigError extends Error {
  readonly problems: readonly string[];

  constructor(problems: readonly string[]) {
    super(`invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
    this.problems = problems;
  }
}

/**
 * Parses the environment once. Throws ConfigError naming every invalid variable and why;
 * values are never echoed, because they may be secrets (DATABASE_URL, keys).
 */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const present = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== undefined && value !== ''));
  const parsed = EnvironmentSchema.safeParse(present);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`));
  }
  const e = parsed.data;
  return Object.freeze({
    port: e.PORT,
    host: e.HOST,
    databaseUrl: e.DATABASE_URL ?? null,
    databasePoolSize: e.DATABASE_POOL_SIZE,
    modelChangesDatabaseUrl: e.MODEL_CHANGES_DATABASE_URL ?? null,
    modelSyncIntervalMs: e.MODEL_SYNC_INTERVAL_MS,
    embeddedPostgresDir: e.EMBEDDED_POSTGRES_DIR,
    logLevel: e.LOG_LEVEL,
    authDisabled: e.AUTH_DISABLED,
    bootstrapAdminKey: e.BOOTSTRAP_ADMIN_KEY ?? null,
    bodyLimitBytes: e.BODY_LIMIT_BYTES,
    uploadLimitBytes: e.UPLOAD_LIMIT_BYTES,
    maxJsonDepth: e.MAX_JSON_DEPTH,
    rateLimit: Object.freeze({ enabled: e.RATE_LIMIT_ENABLED, max: e.RATE_LIMIT_MAX, windowMs: e.RATE_LIMIT_WINDOW_MS }),
    demoOnEmpty: e.DEMO_ON_EMPTY,
    defaultModel: e.DEFAULT_MODEL ?? null,
    trainingConcurrency: e.TRAINING_CONCURRENCY,
    trainingThreads: e.TRAINING_THREADS ?? availableParallelism(),
    trainingNice: e.TRAINING_NICE,
    namingVocabularyFile: e.NAMING_VOCABULARY_FILE ?? null,
    strategyRulesFile: e.STRATEGY_RULES_FILE ?? null,
    llmNaming: e.LLM_NAMING_URL
      ? Object.freeze({ baseUrl: e.LLM_NAMING_URL, model: e.LLM_NAMING_MODEL ?? 'gpt-4o-mini', apiKey: e.LLM_NAMING_API_KEY ?? null, timeoutMs: e.LLM_NAMING_TIMEOUT_MS })
      : null,
    shutdownTimeoutMs: e.SHUTDOWN_TIMEOUT_MS,
    assignmentLog: Object.freeze({
      sampleRate: e.ASSIGNMENT_LOG_SAMPLE_RATE,
      flushIntervalMs: e.ASSIGNMENT_LOG_FLUSH_MS,
      batchSize: e.ASSIGNMENT_LOG_BATCH_SIZE,
      maxPending: e.ASSIGNMENT_LOG_MAX_PENDING,
    }),
    webhooks: Object.freeze({
      dispatchIntervalMs: e.WEBHOOK_DISPATCH_INTERVAL_MS,
      timeoutMs: e.WEBHOOK_TIMEOUT_MS,
      retryBaseMs: e.WEBHOOK_RETRY_BASE_MS,
      maxAttempts: e.WEBHOOK_MAX_ATTEMPTS,
    }),
    jobs: Object.freeze({ isWorker: e.JOBS_WORKER, heartbeatSeconds: e.JOB_HEARTBEAT_SECONDS, pollSeconds: e.JOB_POLL_SECONDS }),
    scheduleCheckSeconds: e.SCHEDULE_CHECK_SECONDS,
    governanceMode: e.GOVERNANCE_MODE,
    fairness: Object.freeze({
      thresholds: Object.freeze({
        compositionReviewV: e.FAIRNESS_COMPOSITION_REVIEW_V,
        compositionFailV: e.FAIRNESS_COMPOSITION_FAIL_V,
        fourFifthsReview: e.FAIRNESS_FOUR_FIFTHS_REVIEW,
        fourFifthsFail: e.FAIRNESS_FOUR_FIFTHS_FAIL,
        proxyReviewLift: e.FAIRNESS_PROXY_REVIEW_LIFT,
        proxyFailLift: e.FAIRNESS_PROXY_FAIL_LIFT,
        proxyFeatureV: e.FAIRNESS_PROXY_FEATURE_V,
        minGroupSize: e.FAIRNESS_MIN_GROUP_SIZE,
      }),
      highCostProducts: Object.freeze(e.FAIRNESS_HIGH_COST_PRODUCTS),
    }),
  });
}

/** The variables the service reads, for documentation checks (README table, docker-compose). */
export const ENVIRONMENT_VARIABLES: readonly string[] = Object.keys(EnvironmentSchema.shape);
