/**
 * Drift: are today's customers still the ones the model was trained on?
 *
 * At training (measureDriftBaseline) every feature's distribution is stored over bins — numerics by
 * their training deciles, categories by the training categories plus "other" — with the persona
 * shares. While serving, DriftRecorder counts the same bins from /v1/assign traffic in memory (counts
 * only, never attributes) and writes them to PostgreSQL at every full hour and at shutdown, one row
 * per model, hour, feature and bin, added to what other replicas wrote. The report compares the
 * counts of a time window with the training shares by the population stability index
 * (src/engine/drift.ts): below 0.1 stable, from 0.1 watch, from 0.25 drifted.
 */
import type { CustomerTable } from '../domain/customer-table.ts';
import { categoryLabel, isMissingValue } from '../domain/customer-table.ts';
import type { DriftBaseline, FeatureSchema } from '../domain/model.ts';
import type { DriftCountRow, DriftRepository } from '../domain/repositories.ts';
import { binOf, decileCutPoints, populationStabilityIndex } from '../engine/index.ts';
import { UnprocessableDataError, ValidationError } from '../domain/errors.ts';
import { modelRefOf, NO_EVENTS } from '../domain/events.ts';
import type { EventPublisher } from '../domain/events.ts';
import type { CompiledModel } from './compiled-model.ts';
import type { ModelRegistry } from './registry.ts';

/** Feature name under which persona counts are stored (feature names are never empty). */
export const PERSONA_SERIES = '';
export const DRIFT_THRESHOLDS = { watch: 0.1, drifted: 0.25 } as const;
/** Fewer observations give no verdict: the PSI of a handful of customers is noise. */
export const MIN_DRIFT_OBSERVATIONS = 100;
const HOUR_MS = 3_600_000;
const DEFAULT_WINDOW_MS = 7 * 24 * HOUR_MS;
/** The traffic an alert judges: the last 24 hours. */
const ALERT_WINDOW_MS = 24 * HOUR_MS;

export type DriftVerdict = 'stable' | 'watch' | 'drifted' | 'insufficient data';

/** The training distributions of the model's features and its persona shares. */
export function measureDriftBaseline(schema: FeatureSchema, table: CustomerTable, labels: Int32Array, k: number): DriftBaseline {
  const features = schema.features.map((feature) => {
    const column = table.columns.get(feature.name);
    if (feature.kind === 'numeric') {
      const values = column?.kind === 'numeric' ? column.values : new Float64Array(0);
      const cuts = decileCutPoints(values);
      const counts = new Float64Array(cuts.length + 1);
      for (const value of values) if (Number.isFinite(value)) counts[binOf(cuts, value)]!++;
      return { name: feature.name, kind: 'numeric' as const, cuts: Array.from(cuts), shares: toShares(counts) };
    }
    const bins = new Map(feature.categories.map((category, index) => [category, index]));
    const counts = new Float64Array(feature.categories.length + 1);
    if (column?.kind === 'categorical') {
      for (const code of column.codes) if (code >= 0) counts[bins.get(column.labels[code]!) ?? feature.categories.length]!++;
    }
    return { name: feature.name, kind: 'categorical' as const, categories: feature.categories, shares: toShares(counts) };
  });
  const personaCounts = new Float64Array(k);
  for (const label of labels) personaCounts[label]!++;
  return { features, personaShares: toShares(personaCounts) };
}

function toShares(counts: Float64Array): number[] {
  let total = 0;
  for (const count of counts) total += count;
  return Array.from(counts, (count) => (total > 0 ? count / total : 0));
}

/** A model's baseline in the form the hot path bins with. */
interface CompiledBaseline {
  features: Array<{ name: string; offset: number; cuts: Float64Array | null; bins: ReadonlyMap<string, number> | null; other: number }>;
  totalBins: number;
}

const compiledBaselines = new WeakMap<DriftBaseline, CompiledBaseline>();

function compile(baseline: DriftBaseline): CompiledBaseline {
  let compiled = compiledBaselines.get(baseline);
  if (compiled) return compiled;
  let offset = 0;
  const features = baseline.features.map((feature) => {
    const entry =
      feature.kind === 'numeric'
        ? { name: feature.name, offset, cuts: Float64Array.from(feature.cuts), bins: null, other: 0 }
        : { name: feature.name, offset, cuts: null, bins: new Map(feature.categories.map((category, index) => [category, index])), other: feature.categories.length };
    offset += feature.shares.length;
    return entry;
  });
  compiled = { features, totalBins: offset };
  compiledBaselines.set(baseline, compiled);
  return compiled;
}

interface PendingCounts {
  bins: Float64Array;
  personas: Float64Array;
}

/** Counts /v1/assign traffic per model in memory and writes it every full hour (and at close). */
export class DriftRecorder {
  private readonly repository: DriftRepository;
  private readonly now: () => number;
  private pending = new Map<string, PendingCounts & { model: CompiledModel }>();
  private hourStart: number;
  private timer: NodeJS.Timeout | null = null;

  private readonly onError: (error: unknown) => void;
  /** Told which models' counts a flush wrote (the drift service then checks them for an alert). */
  onFlushed: (modelIds: string[]) => Promise<void> = async () => {};

  /** @param options.onError called when an hourly write fails (the counts are kept for the next one) */
  constructor(repository: DriftRepository, options: { now?: () => number; isTimed?: boolean; onError?: (error: unknown) => void } = {}) {
    this.repository = repository;
    this.now = options.now ?? Date.now;
    this.onError = options.onError ?? (() => {});
    this.hourStart = Math.floor(this.now() / HOUR_MS) * HOUR_MS;
    if (options.isTimed !== false) this.scheduleFlush();
  }

  /** Counts one assignment: the bins of the features given and the persona. O(features), no I/O. */
  record(model: CompiledModel, attributes: Readonly<Record<string, unknown>>, personaIndex: number): void {
    const baseline = model.driftBaseline;
    if (!baseline) return;
    const compiled = compile(baseline);
    let counts = this.pending.get(model.id);
    if (!counts) {
      counts = { model, bins: new Float64Array(compiled.totalBins), personas: new Float64Array(model.k) };
      this.pending.set(model.id, counts);
    }
    for (const feature of compiled.features) {
      const value = attributes[feature.name];
      if (isMissingValue(value)) continue;
      if (feature.cuts) {
        if (typeof value === 'number' && Number.isFinite(value)) counts.bins[feature.offset + binOf(feature.cuts, value)]!++;
      } else if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') {
        counts.bins[feature.offset + (feature.bins!.get(categoryLabel(value)) ?? feature.other)]!++;
      }
    }
    counts.personas[personaIndex]!++;
  }

  /** This replica's counts not written yet, for a report that reaches up to now. */
  unflushed(modelId: string): DriftCountRow[] {
    const counts = this.pending.get(modelId);
    return counts ? toRows(counts.model, counts, new Date(this.hourStart)) : [];
  }

  /**
   * Writes the pending counts under the hour they were counted in. When the write fails the counts are
   * kept and written with the next flush (under that flush's hour), and the error is rethrown.
   */
  async flush(): Promise<void> {
    const pending = this.pending;
    const hour = new Date(this.hourStart);
    this.pending = new Map();
    this.hourStart = Math.floor(this.now() / HOUR_MS) * HOUR_MS;
    const rows = [...pending.values()].flatMap((counts) => toRows(counts.model, counts, hour));
    if (rows.length === 0) return;
    try {
      await this.repository.addCounts(rows);
    } catch (error) {
      for (const [modelId, counts] of pending) {
        const current = this.pending.get(modelId);
        if (!current) {
          this.pending.set(modelId, counts);
          continue;
        }
        counts.bins.forEach((count, bin) => (current.bins[bin]! += count));
        counts.personas.forEach((count, index) => (current.personas[index]! += count));
      }
      throw error;
    }
    // Written: an alert check that fails now must not put the counts back (they would count twice).
    await this.onFlushed([...pending.keys()]);
  }

  async close(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.flush();
  }

  private scheduleFlush(): void {
    const untilNextHour = HOUR_MS - (this.now() % HOUR_MS);
    this.timer = setTimeout(() => {
      this.flush().catch(this.onError);
      this.scheduleFlush();
    }, untilNextHour);
    this.timer.unref();
  }
}

function toRows(model: CompiledModel, counts: PendingCounts, hour: Date): DriftCountRow[] {
  const rows: DriftCountRow[] = [];
  const compiled = compile(model.driftBaseline!);
  for (const feature of compiled.features) {
    const width = feature.cuts ? feature.cuts.length + 1 : feature.other + 1;
    for (let bin = 0; bin < width; bin++) {
      const count = counts.bins[feature.offset + bin]!;
      if (count > 0) rows.push({ modelId: model.id, hour, feature: feature.name, bin, count });
    }
  }
  counts.personas.forEach((count, bin) => {
    if (count > 0) rows.push({ modelId: model.id, hour, feature: PERSONA_SERIES, bin, count });
  });
  return rows;
}

export interface DriftReport {
  observations: number;
  verdict: DriftVerdict;
  features: Array<{ feature: string; observations: number; psi: number | null; verdict: DriftVerdict; bins: Array<{ bin: string; expected: number; actual: number }> }>;
  personas: { psi: number | null; verdict: DriftVerdict; shares: Array<{ index: number; expected: number; actual: number }> };
}

/** The report of counts summed over a window against the baseline. */
export function driftReport(baseline: DriftBaseline, rows: readonly Pick<DriftCountRow, 'feature' | 'bin' | 'count'>[]): DriftReport {
  const byFeature = new Map<string, number[]>();
  for (const row of rows) {
    let counts = byFeature.get(row.feature);
    if (!counts) byFeature.set(row.feature, (counts = []));
    counts[row.bin] = (counts[row.bin] ?? 0) + row.count;
  }
  const personaCounts = Array.from(baseline.personaShares, (_share, index) => byFeature.get(PERSONA_SERIES)?.[index] ?? 0);
  const observations = personaCounts.reduce((sum, count) => sum + count, 0);
  const features = baseline.features.map((feature) => {
    const counts = Array.from(feature.shares, (_share, bin) => byFeature.get(feature.name)?.[bin] ?? 0);
    const seen = counts.reduce((sum, count) => sum + count, 0);
    const psi = seen > 0 ? populationStabilityIndex(feature.shares, counts) : null;
    const labels = feature.kind === 'numeric' ? numericBinLabels(feature.cuts) : [...feature.categories, 'other'];
    return {
      feature: feature.name,
      observations: seen,
      psi,
      verdict: verdictOf(psi, seen),
      bins: feature.shares.map((expected, bin) => ({ bin: labels[bin]!, expected, actual: seen > 0 ? counts[bin]! / seen : 0 })),
    };
  });
  const personaPsi = observations > 0 ? populationStabilityIndex(baseline.personaShares, personaCounts) : null;
  const personas = {
    psi: personaPsi,
    verdict: verdictOf(personaPsi, observations),
    shares: baseline.personaShares.map((expected, index) => ({ index, expected, actual: observations > 0 ? personaCounts[index]! / observations : 0 })),
  };
  const verdicts = [personas.verdict, ...features.map((feature) => feature.verdict)];
  const verdict: DriftVerdict = observations < MIN_DRIFT_OBSERVATIONS ? 'insufficient data' : verdicts.includes('drifted') ? 'drifted' : verdicts.includes('watch') ? 'watch' : 'stable';
  return { observations, verdict, features, personas };
}

function verdictOf(psi: number | null, observations: number): DriftVerdict {
  if (psi === null || observations < MIN_DRIFT_OBSERVATIONS) return 'insufficient data';
  return psi >= DRIFT_THRESHOLDS.drifted ? 'drifted' : psi >= DRIFT_THRESHOLDS.watch ? 'watch' : 'stable';
}

/** "below 31", "31 to 38", …, "74 and above". */
function numericBinLabels(cuts: readonly number[]): string[] {
  if (cuts.length === 0) return ['all values'];
  const format = (value: number) => String(Number(value.toPrecision(4)));
  return [`below ${format(cuts[0]!)}`, ...cuts.slice(1).map((cut, i) => `${format(cuts[i]!)} to ${format(cut)}`), `${format(cuts.at(-1)!)} and above`];
}

/**
 * Reports serving drift of a model over a time window (stored hourly counts plus this replica's pending
 * ones), and after every write of counts checks the models written: a model whose last 24 hours have
 * drifted raises `model.drift_detected`, once per model and UTC day across all replicas.
 */
export class DriftService {
  readonly recorder: DriftRecorder;
  private readonly repository: DriftRepository;
  private readonly registry: ModelRegistry;
  private readonly events: EventPublisher;
  private readonly now: () => number;

  constructor(repository: DriftRepository, registry: ModelRegistry, recorder: DriftRecorder, options: { events?: EventPublisher; now?: () => number } = {}) {
    this.repository = repository;
    this.registry = registry;
    this.recorder = recorder;
    this.events = options.events ?? NO_EVENTS;
    this.now = options.now ?? Date.now;
    recorder.onFlushed = (modelIds) => this.alertOnDrift(modelIds);
  }

  /** Publishes model.drift_detected for each model whose last 24 hours drifted, unless another replica did today. */
  async alertOnDrift(modelIds: readonly string[]): Promise<void> {
    for (const modelId of modelIds) {
      const to = new Date(this.now() + 1);
      const report = await this.report(modelId, { from: new Date(to.getTime() - ALERT_WINDOW_MS), to });
      if (report.verdict !== 'drifted') continue;
      if (!(await this.repository.claimAlert(modelId, to.toISOString().slice(0, 10)))) continue;
      const flagged = report.features.filter((feature) => feature.psi !== null && feature.psi >= DRIFT_THRESHOLDS.watch);
      await this.events.publish({
        type: 'model.drift_detected',
        data: {
          model: modelRefOf(report.model),
          verdict: 'drifted',
          window: { from: report.from.toISOString(), to: report.to.toISOString() },
          observations: report.observations,
          features: flagged.map((feature) => ({ feature: feature.feature, psi: feature.psi!, verdict: feature.verdict as 'watch' | 'drifted' })),
          personas: { psi: report.personas.psi },
        },
      });
    }
  }

  /**
   * @param window hours whose start lies in [from, to); default the last 7 days up to now
   * @throws NotFoundError for an unknown model; UnprocessableDataError for a model trained before drift existed
   */
  async report(modelReference: string, window: { from?: Date | undefined; to?: Date | undefined }) {
    const model = await this.registry.resolve(modelReference);
    if (!model.driftBaseline) throw new UnprocessableDataError(`model ${model.name} v${model.version} was trained before drift baselines existed; retrain it to measure drift`);
    const now = this.now();
    const to = window.to ?? new Date(now + 1);
    const from = window.from ?? new Date(to.getTime() - DEFAULT_WINDOW_MS);
    if (from >= to) throw new ValidationError('the window is empty', [{ location: 'query', pointer: '/from', code: 'empty_window', message: '"from" must be before "to"' }]);
    const rows = await this.repository.sumCounts(model.id, from, to);
    // This replica's counts of the current hour are not stored yet; other replicas' are (at the hour).
    const pending = to.getTime() > now - HOUR_MS ? this.recorder.unflushed(model.id).filter((row) => row.hour >= from && row.hour < to) : [];
    return { model, from, to, ...driftReport(model.driftBaseline, [...rows, ...pending]) };
  }
}
