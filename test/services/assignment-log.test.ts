import { afterEach, describe, expect, it, vi } from 'vitest';
import type { AssignmentHistoryItem, AssignmentLogEntry } from '../../src/domain/assignment-log.ts';
import type { AssignmentLogRepository } from '../../src/domain/repositories.ts';
import { AssignmentLogWriter } from '../../src/services/assignment-log.ts';
import type { AssignmentLogLogger, AssignmentLogSettings, AssignmentRecord } from '../../src/services/assignment-log.ts';

/** The repository contract in memory: every insertMany call is kept as one batch. */
class MemoryAssignmentLog implements AssignmentLogRepository {
  readonly batches: AssignmentLogEntry[][] = [];

  get rows(): AssignmentLogEntry[] {
    return this.batches.flat();
  }

  async insertMany(entries: readonly AssignmentLogEntry[]): Promise<number> {
    this.batches.push([...entries]);
    return entries.length;
  }

  async historyOf(externalId: string, { limit, offset }: { limit: number; offset: number }) {
    const mine = this.rows.filter((row) => row.externalId === externalId).reverse();
    const items: AssignmentHistoryItem[] = mine.slice(offset, offset + limit).map((row) => ({
      assignedAt: row.assignedAt,
      model: { id: row.modelId, name: 'memory', version: 1 },
      persona: { id: row.personaId, key: row.personaId, name: row.personaId },
      distance: row.distance,
      confidence: row.confidence,
      unclassified: row.unclassified,
    }));
    return { items, total: mine.length };
  }
}

/** mulberry32: a small seeded generator of uniform [0, 1) draws. */
function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function capturingLogger() {
  const lines: Array<{ level: 'warn' | 'error'; fields: Record<string, unknown>; message: string }> = [];
  const logger: AssignmentLogLogger = {
    warn: (fields, message) => lines.push({ level: 'warn', fields, message }),
    error: (fields, message) => lines.push({ level: 'error', fields, message }),
  };
  return { lines, logger };
}

const DEFAULTS: AssignmentLogSettings = { sampleRate: 1, flushIntervalMs: 60_000, batchSize: 500, maxPending: 50_000 };

const record = (i: number): AssignmentRecord => ({
  modelId: 'model-1',
  personaId: `persona-${i % 3}`,
  externalId: `crm-${i}`,
  distance: i / 10,
  confidence: 0.9,
  unclassified: false,
});

describe('AssignmentLogWriter', () => {
  const writers: AssignmentLogWriter[] = [];
  const writerOf = (repository: AssignmentLogRepository, settings: Partial<AssignmentLogSettings> = {}, options: ConstructorParameters<typeof AssignmentLogWriter>[2] = {}) => {
    const writer = new AssignmentLogWriter(repository, { ...DEFAULTS, ...settings }, options);
    writers.push(writer);
    return writer;
  };
  afterEach(async () => {
    await Promise.all(writers.splice(0).map((writer) => writer.close()));
  });

  it('writes N records in ceil(N / batch size) inserts, in record order', async () => {
    const repository = new MemoryAssignmentLog();
    const writer = writerOf(repository, { batchSize: 100 });
    for (let i = 0; i < 1234; i++) writer.record(record(i));
    await writer.flush();
    expect(repository.batches.map((batch) => batch.length)).toEqual([...Array<number>(12).fill(100), 34]);
    expect(repository.rows.map((row) => row.externalId)).toEqual(Array.from({ length: 1234 }, (_, i) => `crm-${i}`));
    expect(writer.stats).toMatchObject({ recorded: 1234, written: 1234, batchesWritten: 13, pending: 0 });
  });

  it('never writes inside record: a full batch is written on a later turn of the event loop', async () => {
    const repository = new MemoryAssignmentLog();
    const writer = writerOf(repository, { batchSize: 5 });
    for (let i = 0; i < 5; i++) writer.record(record(i));
    expect(repository.batches).toHaveLength(0);
    await vi.waitFor(() => expect(repository.batches).toHaveLength(1));
    expect(repository.batches[0]).toHaveLength(5);
  });

  it('writes a partial batch when the flush interval passes', async () => {
    const repository = new MemoryAssignmentLog();
    const writer = writerOf(repository, { flushIntervalMs: 20 });
    writer.record(record(1));
    writer.record(record(2));
    await vi.waitFor(() => expect(repository.rows).toHaveLength(2), { timeout: 2000 });
  });

  it('stamps each entry with the time of record and keeps only the logged fields', async () => {
    const repository = new MemoryAssignmentLog();
    let clock = Date.parse('2026-11-25T10:00:00.000Z');
    const writer = writerOf(repository, {}, { now: () => clock });
    const withExtras = { ...record(1), attributes: { income: 31_000 } };
    writer.record(withExtras);
    clock += 1500;
    await writer.flush();
    expect(repository.rows).toEqual([
      { modelId: 'model-1', personaId: 'persona-1', externalId: 'crm-1', distance: 0.1, confidence: 0.9, unclassified: false, assignedAt: new Date('2026-11-25T10:00:00.000Z') },
    ]);
  });

  it('records nothing at sampling rate 0', async () => {
    const repository = new MemoryAssignmentLog();
    const writer = writerOf(repository, { sampleRate: 0, batchSize: 1 });
    for (let i = 0; i < 100; i++) writer.record(record(i));
    await writer.close();
    expect(writer.isEnabled).toBe(false);
    expect(repository.batches).toEqual([]);
    expect(writer.stats).toMatchObject({ recorded: 0, dropped: 0, written: 0 });
  });

  it('records about half of the assignments at sampling rate 0.5, as the random draws decide', async () => {
    const repository = new MemoryAssignmentLog();
    const writer = writerOf(repository, { sampleRate: 0.5 }, { random: seededRandom(42) });
    const n = 10_000;
    for (let i = 0; i < n; i++) writer.record(record(i));
    await writer.flush();
    const replay = seededRandom(42);
    const expected = Array.from({ length: n }, (_, i) => i).filter(() => replay() < 0.5);
    expect(repository.rows.map((row) => row.externalId)).toEqual(expected.map((i) => `crm-${i}`));
    // Binomial(10,000, 0.5) has a standard deviation of 50: four of them either side.
    expect(repository.rows.length).toBeGreaterThan(4800);
    expect(repository.rows.length).toBeLessThan(5200);
  });

  it('drops and counts entries beyond the buffer bound, warns once, and accepts again after a write', async () => {
    const repository = new MemoryAssignmentLog();
    const { lines, logger } = capturingLogger();
    const writer = writerOf(repository, { maxPending: 10, batchSize: 100 }, { logger });
    for (let i = 0; i < 25; i++) writer.record(record(i));
    expect(writer.stats).toMatchObject({ recorded: 10, dropped: 15, pending: 10 });
    expect(lines).toEqual([{ level: 'warn', fields: { maxPending: 10 }, message: expect.stringContaining('dropping') }]);
    await writer.flush();
    expect(repository.rows.map((row) => row.externalId)).toEqual(Array.from({ length: 10 }, (_, i) => `crm-${i}`));
    writer.record(record(99));
    await writer.flush();
    expect(repository.rows).toHaveLength(11);
    expect(writer.stats).toMatchObject({ recorded: 11, dropped: 15, written: 11, pending: 0 });
  });

  it('counts entries being written against the bound, so a slow database cannot grow memory', async () => {
    let release = (): void => {};
    const repository = new MemoryAssignmentLog();
    const slow: AssignmentLogRepository = {
      insertMany: async (entries) => {
        await new Promise<void>((resolve) => (release = resolve));
        return repository.insertMany(entries);
      },
      historyOf: (externalId, options) => repository.historyOf(externalId, options),
    };
    const writer = writerOf(slow, { maxPending: 10, batchSize: 100 });
    for (let i = 0; i < 10; i++) writer.record(record(i));
    const flushed = writer.flush();
    writer.record(record(10));
    expect(writer.stats).toMatchObject({ recorded: 10, dropped: 1, pending: 10 });
    release();
    await flushed;
    expect(writer.stats).toMatchObject({ written: 10, pending: 0 });
  });

  it('writes everything pending on close, then drops later records', async () => {
    const repository = new MemoryAssignmentLog();
    const writer = writerOf(repository, { batchSize: 4 });
    for (let i = 0; i < 7; i++) writer.record(record(i));
    await writer.close();
    expect(repository.rows).toHaveLength(7);
    writer.record(record(7));
    await writer.flush();
    expect(repository.rows).toHaveLength(7);
    expect(writer.stats).toMatchObject({ recorded: 7, written: 7, dropped: 1 });
  });

  it('survives a failing database: nothing is thrown, failures are counted and logged without customer ids', async () => {
    const { lines, logger } = capturingLogger();
    let calls = 0;
    const failing: AssignmentLogRepository = {
      insertMany: async () => {
        calls++;
        throw Object.assign(new Error('insert failed for crm-3'), { code: 'P2010' });
      },
      historyOf: async () => ({ items: [], total: 0 }),
    };
    const writer = writerOf(failing, { batchSize: 4 }, { logger });
    expect(() => {
      for (let i = 0; i < 10; i++) writer.record(record(i));
    }).not.toThrow();
    await expect(writer.flush()).resolves.toBeUndefined();
    expect(calls).toBe(3);
    expect(writer.stats).toMatchObject({ recorded: 10, written: 0, failed: 10, batchesFailed: 3, pending: 0 });
    expect(lines.map((line) => line.message)).toEqual(Array(3).fill('assignment log batch failed'));
    expect(lines[0]!.fields).toEqual({ entries: 4, error: { name: 'Error', code: 'P2010' } });
    expect(JSON.stringify(lines)).not.toContain('crm-');
  });
});
