/**
 * The assignment log writer: /v1/assign hands each outcome to `record`, which samples it and pushes
 * it into an in-memory buffer in O(1); batches are written in the background, one multi-row INSERT
 * each, so the log never sits on a request's critical path. The buffer is bounded: when the database
 * falls behind, new entries are dropped and counted rather than growing memory without limit.
 * A failed write is logged and counted, never thrown into a request.
 */
import type { AssignmentLogEntry, PersonaChange } from '../domain/assignment-log.ts';
import type { AssignmentLogRepository, PersonaChangeLog } from '../domain/repositories.ts';

/** What a caller hands to `record`: one assignment's outcome. The writer stamps the time. */
export type AssignmentRecord = Omit<AssignmentLogEntry, 'assignedAt'>;

export interface AssignmentLogSettings {
  /** Share of assignments recorded, 0–1; 0 turns the log off. */
  sampleRate: number;
  /** Longest an entry waits before it is written. */
  flushIntervalMs: number;
  /** Entries per INSERT; this many waiting entries trigger a write without waiting for the timer. */
  batchSize: number;
  /** Entries waiting or being written at most; beyond it new entries are dropped. */
  maxPending: number;
}

/** The writer's two log lines; pino and Fastify loggers fit. Fields never carry customer data. */
export interface AssignmentLogLogger {
  warn(fields: Record<string, unknown>, message: string): void;
  error(fields: Record<string, unknown>, message: string): void;
}

export interface AssignmentLogStats {
  /** Entries accepted into the buffer (after sampling). */
  recorded: number;
  /** Entries refused because the buffer was full or the writer was closed. */
  dropped: number;
  /** Rows written (entries of a model version deleted meanwhile are skipped, not written). */
  written: number;
  /** Entries lost with a failed INSERT. */
  failed: number;
  batchesWritten: number;
  batchesFailed: number;
  /** Entries waiting or being written now. */
  pending: number;
}

export interface AssignmentLogWriterOptions {
  /** Uniform [0, 1) draws for sampling (default Math.random); tests inject a seeded one. */
  random?: () => number;
  /** Milliseconds since the epoch (default Date.now). */
  now?: () => number;
  logger?: AssignmentLogLogger;
  /**
   * Finds customers who changed persona while writing (one statement per batch) and hands them to
   * `onChanges`, still in the background; `onChanges` must not reject.
   */
  personaChanges?: { log: PersonaChangeLog; onChanges(changes: readonly PersonaChange[]): Promise<void> };
}

export class AssignmentLogWriter {
  private readonly repository: AssignmentLogRepository;
  private readonly settings: Readonly<AssignmentLogSettings>;
  private readonly random: () => number;
  private readonly now: () => number;
  private readonly logger: AssignmentLogLogger | null;
  private readonly personaChanges: NonNullable<AssignmentLogWriterOptions['personaChanges']> | null;
  private readonly timer: NodeJS.Timeout | null;
  private buffer: AssignmentLogEntry[] = [];
  private inFlight = 0;
  private draining: Promise<void> | null = null;
  private isFlushScheduled = false;
  private isClosed = false;
  /** Set at the first drop, cleared by the next successful write: one warning per overload, not per entry. */
  private isDropping = false;
  private readonly counts = { recorded: 0, dropped: 0, written: 0, failed: 0, batchesWritten: 0, batchesFailed: 0 };

  constructor(repository: AssignmentLogRepository, settings: AssignmentLogSettings, options: AssignmentLogWriterOptions = {}) {
    this.repository = repository;
    this.settings = Object.freeze({ ...settings });
    this.random = options.random ?? Math.random;
    this.now = options.now ?? Date.now;
    this.logger = options.logger ?? null;
    this.personaChanges = options.personaChanges ?? null;
    if (settings.sampleRate > 0) {
      this.timer = setInterval(() => void this.flush(), settings.flushIntervalMs);
      // The log must not keep a process alive that has nothing else to do; close() writes the rest.
      this.timer.unref();
    } else {
      this.timer = null;
    }
  }

  get isEnabled(): boolean {
    return this.settings.sampleRate > 0;
  }

  /**
   * Records one assignment, or skips it by the sampling rate. O(1), synchronous, never throws:
   * the write happens later, in the background.
   */
  record(assignment: AssignmentRecord): void {
    const { sampleRate } = this.settings;
    if (sampleRate === 0 || (sampleRate < 1 && this.random() >= sampleRate)) return;
    if (this.isClosed) {
      this.counts.dropped++;
      return;
    }
    if (this.buffer.length + this.inFlight >= this.settings.maxPending) {
      this.drop();
      return;
    }
    // Copied field by field, so whatever else the caller's object holds is neither kept nor written.
    this.buffer.push({
      modelId: assignment.modelId,
      personaId: assignment.personaId,
      externalId: assignment.externalId,
      distance: assignment.distance,
      confidence: assignment.confidence,
      unclassified: assignment.unclassified,
      assignedAt: new Date(this.now()),
    });
    this.counts.recorded++;
    if (this.buffer.length >= this.settings.batchSize && !this.isFlushScheduled) {
      // After the current request's work, not inside it.
      this.isFlushScheduled = true;
      setImmediate(this.flushScheduled);
    }
  }

  /** Writes every entry recorded so far (and any recorded meanwhile). Resolves when done; never rejects. */
  flush(): Promise<void> {
    if (this.draining === null && this.buffer.length > 0) {
      this.draining = this.drain().finally(() => {
        this.draining = null;
      });
    }
    return this.draining ?? Promise.resolve();
  }

  /** Stops the timer and writes what is pending; later records are dropped. For graceful shutdown. */
  async close(): Promise<void> {
    this.isClosed = true;
    if (this.timer !== null) clearInterval(this.timer);
    await this.flush();
  }

  get stats(): AssignmentLogStats {
    return { ...this.counts, pending: this.buffer.length + this.inFlight };
  }

  private readonly flushScheduled = (): void => {
    this.isFlushScheduled = false;
    void this.flush();
  };

  /** One write at a time, batch after batch, until the buffer is empty. */
  private async drain(): Promise<void> {
    while (this.buffer.length > 0) {
      const waiting = this.buffer;
      this.buffer = [];
      this.inFlight = waiting.length;
      for (let start = 0; start < waiting.length; start += this.settings.batchSize) {
        const batch = waiting.slice(start, start + this.settings.batchSize);
        await this.write(batch);
        this.inFlight -= batch.length;
      }
    }
  }

  private async write(batch: AssignmentLogEntry[]): Promise<void> {
    try {
      if (this.personaChanges === null) {
        this.counts.written += await this.repository.insertMany(batch);
      } else {
        const { written, changes } = await this.personaChanges.log.insertManyReportingPersonaChanges(batch);
        this.counts.written += written;
        if (changes.length > 0) await this.personaChanges.onChanges(changes);
      }
      this.counts.batchesWritten++;
      this.isDropping = false;
    } catch (error) {
      this.counts.failed += batch.length;
      this.counts.batchesFailed++;
      // The error's kind and code only: a driver message could quote a value of the batch.
      this.logger?.error({ entries: batch.length, error: errorSummary(error) }, 'assignment log batch failed');
    }
  }

  private drop(): void {
    this.counts.dropped++;
    if (!this.isDropping) {
      this.isDropping = true;
      this.logger?.warn({ maxPending: this.settings.maxPending }, 'assignment log buffer full; dropping entries until the database catches up');
    }
  }
}

function errorSummary(error: unknown): { name: string; code?: string } {
  if (!(error instanceof Error)) return { name: typeof error };
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' ? { name: error.name, code } : { name: error.name };
}
