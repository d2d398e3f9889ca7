/**
 * Migration between two versions of a model (the seed's "Loyalist → Churn Risk" view): every
 * customer of a dataset is placed by both versions, and the from → to counts form a matrix whose
 * rows are the first version's personas and whose columns are the second's, plus an "unclassified"
 * row and column for customers beyond every persona's distance threshold.
 *
 * Persona identity across versions comes from continuity: the same version maps onto itself; a
 * version trained while the other was active inherited its keys, so the pairs recorded at training
 * hold; any other two versions are matched as GET /v1/models/:id/compare/:otherId matches them
 * (persona-continuity.ts). Matched personas are ordered onto the diagonal; a customer "stays" when
 * the second version places them in the counterpart of their first persona (unclassified under both
 * counts as staying), and "moves" otherwise.
 *
 * Customers are read in keyset pages and counted as they stream, so memory holds one page, the
 * matrix and one page of movers, whatever the dataset's size; time is linear in customers (two
 * assignments each: O(customers × k × features)).
 */
import { customerPages } from './customer-pages.ts';
import { jsonPointer, NotFoundError, UnprocessableDataError, ValidationError } from '../domain/errors.ts';
import type { FieldIssue } from '../domain/errors.ts';
import type { CustomerAttributes } from '../domain/dataset.ts';
import type { ModelSummary } from '../domain/model.ts';
import type { DatasetRepository, ModelRepository, PersonaRepository } from '../domain/repositories.ts';
import { assignCustomer } from './assignment.ts';
import type { Assignment } from './assignment.ts';
import type { CompiledModel } from './compiled-model.ts';
import { matchPersonas } from './persona-continuity.ts';
import type { ModelRegistry } from './registry.ts';
import { isMissingValue } from './tabular.ts';

/** Customers per keyset page: few round trips, and a page of attributes stays a few megabytes. */
export const MIGRATION_PAGE_ROWS = 5_000;

/** The key of the unclassified row and column (persona keys are slugs, which a persona keyed so would shadow). */
export const UNCLASSIFIED_KEY = 'unclassified';

export interface MigrationOptions {
  /** Dataset whose customers are placed; default: the first version's, else the second's. */
  datasetId?: string | undefined;
  /** Movers page. */
  limit: number;
  offset: number;
  /** Only movers from this persona key of the first version (or `unclassified`). */
  from?: string | undefined;
  /** Only movers to this persona key of the second version (or `unclassified`). */
  to?: string | undefined;
}

/** A row or column of the matrix: a persona, or the unclassified customers (personaId null). */
export interface MigrationGroup {
  key: string;
  name: string;
  personaId: string | null;
  /** Customers in this row (first version) or column (second version). */
  count: number;
}

export interface MigrationCell {
  to: string;
  count: number;
  /** count / the row's count (0 for an empty row): the row's cells sum to 1. */
  share: number;
  /** The column is the row's counterpart: these customers kept their persona. */
  hasStayed: boolean;
}

export interface MigrationRow extends MigrationGroup {
  cells: MigrationCell[];
}

export interface Mover {
  externalId: string;
  from: { key: string; name: string };
  to: { key: string; name: string };
  /** Probability of the second version's persona; null when the second version leaves the customer unclassified. */
  confidence: number | null;
}

/** How personas of the two versions were paired. */
export type MatchedBy = 'same-version' | 'inherited-keys' | 'continuity-matching';

/** Customers placed from part of a version's features (cold start) or from none (counted unclassified). */
export interface FeatureCoverage {
  /** Assigned without at least one of the version's features: missing in the data, or a value the version cannot read. */
  partial: number;
  /** None of the version's features usable: counted as unclassified. */
  withoutFeatures: number;
}

export interface Migration {
  from: ModelSummary;
  to: ModelSummary;
  datasetId: string;
  customers: number;
  matchedBy: MatchedBy;
  /** Rows: personas of the first version, matched ones first, then unmatched, then unclassified. */
  rows: MigrationRow[];
  /** Columns: the rows' counterparts in row order, then the second version's unmatched personas, then unclassified. */
  columns: MigrationGroup[];
  stayed: { count: number; share: number };
  coverage: { from: FeatureCoverage; to: FeatureCoverage };
  warnings: string[];
  movers: { items: Mover[]; total: number; limit: number; offset: number };
}

/** A customer's place under one version: persona index, or `k` for unclassified. */
interface Placement {
  group: number;
  confidence: number | null;
}

export class ModelMigrationService {
  private readonly registry: ModelRegistry;
  private readonly models: ModelRepository;
  private readonly personas: PersonaRepository;
  private readonly datasets: DatasetRepository;

  constructor(registry: ModelRegistry, models: ModelRepository, personas: PersonaRepository, datasets: DatasetRepository) {
    this.registry = registry;
    this.models = models;
    this.personas = personas;
    this.datasets = datasets;
  }

  /**
   * Places every customer of the dataset under both versions and counts the from → to moves.
   *
   * @throws NotFoundError for an unknown model or dataset
   * @throws ValidationError when neither version records its dataset and none is given (/datasetId),
   *   or for a `from`/`to` key that is not a persona of its version (/from, /to)
   * @throws UnprocessableDataError when a version has no feature among the dataset's columns
   */
  async migration(modelId: string, otherId: string, options: MigrationOptions): Promise<Migration> {
    const [fromSummary, toSummary] = await Promise.all([this.summary(modelId), this.summary(otherId)]);
    const datasetId = options.datasetId ?? fromSummary.datasetId ?? toSummary.datasetId;
    if (datasetId === null) {
      throw new ValidationError('neither version records the dataset it was trained on', [
        { location: 'query', pointer: '/datasetId', code: 'required', message: 'give the dataset whose customers to place' },
      ]);
    }
    const dataset = await this.datasets.findById(datasetId);
    if (!dataset) throw new NotFoundError(`dataset ${datasetId} does not exist`);
    const [fromModel, toModel] = await Promise.all([this.registry.resolve(fromSummary.id), this.registry.resolve(toSummary.id)]);

    const filter = parseCellFilter(fromModel, toModel, options);
    const columnNames = new Set(dataset.columns.map((column) => column.name));
    const warnings = [fromModel, toModel].flatMap((model) => featureWarnings(model, columnNames, datasetId));
    const { counterpart, matchedBy } = await this.pair(fromSummary, toSummary, fromModel, toModel);

    const kFrom = fromModel.personas.length;
    const kTo = toModel.personas.length;
    const width = kTo + 1;
    const counts = new Float64Array((kFrom + 1) * width);
    const coverage = { from: { partial: 0, withoutFeatures: 0 }, to: { partial: 0, withoutFeatures: 0 } };
    const movers: Mover[] = [];
    let moverTotal = 0;
    let customers = 0;

    for await (const page of customerPages(this.datasets, datasetId, MIGRATION_PAGE_ROWS)) {
      for (const customer of page) {
        const before = place(fromModel, customer.attributes, coverage.from);
        const after = place(toModel, customer.attributes, coverage.to);
        counts[before.group * width + after.group]!++;
        customers++;
        const hasStayed = before.group === kFrom ? after.group === kTo : counterpart[before.group] === after.group;
        if (hasStayed || (filter.from !== null && filter.from !== before.group) || (filter.to !== null && filter.to !== after.group)) continue;
        // Only the requested page is kept; the others are counted.
        if (moverTotal >= options.offset && movers.length < options.limit) {
          movers.push({
            externalId: customer.externalId,
            from: groupLabel(fromModel, before.group),
            to: groupLabel(toModel, after.group),
            confidence: after.confidence,
          });
        }
        moverTotal++;
      }
    }

    const { rows, columns, stayed } = layoutMatrix(fromModel, toModel, counterpart, counts);
    return {
      from: fromSummary,
      to: toSummary,
      datasetId,
      customers,
      matchedBy,
      rows,
      columns,
      stayed: { count: stayed, share: customers > 0 ? stayed / customers : 0 },
      coverage,
      warnings,
      movers: { items: movers, total: moverTotal, limit: options.limit, offset: options.offset },
    };
  }

  private async summary(id: string): Promise<ModelSummary> {
    const model = await this.models.findById(id);
    if (!model) throw new NotFoundError(`model ${id} does not exist`);
    return model;
  }

  /** Per persona of the first version, its counterpart's index in the second (−1: none). */
  private async pair(fromSummary: ModelSummary, toSummary: ModelSummary, fromModel: CompiledModel, toModel: CompiledModel): Promise<{ counterpart: Int32Array; matchedBy: MatchedBy }> {
    if (fromSummary.id === toSummary.id) {
      return { counterpart: Int32Array.from(fromModel.personas, (_persona, index) => index), matchedBy: 'same-version' };
    }
    // A version trained while the other was active carries the pairs found then, under shared keys.
    const inherited = inheritedPairs(fromSummary, toSummary);
    if (inherited) return { counterpart: counterpartsByKey(fromModel, toModel, inherited), matchedBy: 'inherited-keys' };
    const [earlier, later] = await Promise.all([this.personas.listByModel(fromSummary.id), this.personas.listByModel(toSummary.id)]);
    const pairs = matchPersonas(earlier, later).matched.map((match) => ({ from: match.from.key, to: match.to.key }));
    return { counterpart: counterpartsByKey(fromModel, toModel, pairs), matchedBy: 'continuity-matching' };
  }

}

/** The persona pairs recorded when one version was trained with the other active (either direction). */
function inheritedPairs(fromSummary: ModelSummary, toSummary: ModelSummary): Array<{ from: string; to: string }> | null {
  if (toSummary.metrics.continuity?.previousModelId === fromSummary.id) {
    return toSummary.metrics.continuity.matched.map((match) => ({ from: match.from.key, to: match.to.key }));
  }
  if (fromSummary.metrics.continuity?.previousModelId === toSummary.id) {
    return fromSummary.metrics.continuity.matched.map((match) => ({ from: match.to.key, to: match.from.key }));
  }
  return null;
}

function counterpartsByKey(fromModel: CompiledModel, toModel: CompiledModel, pairs: ReadonlyArray<{ from: string; to: string }>): Int32Array {
  const toIndex = new Map(toModel.personas.map((persona, index) => [persona.key, index]));
  const partner = new Map(pairs.map((pair) => [pair.from, toIndex.get(pair.to) ?? -1]));
  return Int32Array.from(fromModel.personas, (persona) => partner.get(persona.key) ?? -1);
}

/** The `from`/`to` filter as row and column indexes (k: unclassified; null: no filter). */
function parseCellFilter(fromModel: CompiledModel, toModel: CompiledModel, options: MigrationOptions): { from: number | null; to: number | null } {
  const issues: FieldIssue[] = [];
  const resolve = (model: CompiledModel, key: string | undefined, field: 'from' | 'to'): number | null => {
    if (key === undefined) return null;
    const index = model.personas.findIndex((persona) => persona.key === key);
    if (index >= 0) return index;
    if (key === UNCLASSIFIED_KEY) return model.personas.length;
    issues.push({
      location: 'query',
      pointer: `/${field}`,
      code: 'unknown_persona',
      message: `model ${model.name} v${model.version} has no persona "${key}"; give one of: ${[...model.personas.map((persona) => persona.key), UNCLASSIFIED_KEY].join(', ')}`,
    });
    return null;
  };
  const filter = { from: resolve(fromModel, options.from, 'from'), to: resolve(toModel, options.to, 'to') };
  if (issues.length > 0) throw new ValidationError('the persona filter does not fit the versions', issues);
  return filter;
}

/** Features the dataset lacks: a warning when some are missing, 422 when all are. */
function featureWarnings(model: CompiledModel, columnNames: ReadonlySet<string>, datasetId: string): string[] {
  const absent = model.features.filter((feature) => !columnNames.has(feature.name)).map((feature) => feature.name);
  if (absent.length === model.features.length) {
    throw new UnprocessableDataError(`model ${model.name} v${model.version} has none of its features (${absent.join(', ')}) among the columns of dataset ${datasetId}`);
  }
  return absent.length > 0 ? [`dataset ${datasetId} has no column ${absent.join(', ')}: model ${model.name} v${model.version} places every customer without it`] : [];
}

/**
 * Places a customer under one version from the features it has (cold start for the others). A value
 * the version cannot read (text in a numeric feature, say) is dropped rather than failing the whole
 * migration; a customer left with no feature is unclassified.
 */
function place(model: CompiledModel, attributes: CustomerAttributes, coverage: FeatureCoverage): Placement {
  const unclassified = { group: model.personas.length, confidence: null };
  const usable: Record<string, unknown> = {};
  let given = 0;
  for (const feature of model.features) {
    const value = attributes[feature.name];
    if (value === undefined || isMissingValue(value)) continue;
    usable[feature.name] = value;
    given++;
  }
  if (given < model.features.length) coverage.partial++;
  if (given === 0) {
    coverage.withoutFeatures++;
    return unclassified;
  }
  let assignment: Assignment;
  try {
    assignment = assignCustomer(model, usable, { suggestQuestion: false });
  } catch (error) {
    if (!(error instanceof ValidationError)) throw error;
    const remaining = withoutRejected(usable, error.errors ?? []);
    if (given === model.features.length) coverage.partial++;
    if (Object.keys(remaining).length === 0) {
      coverage.withoutFeatures++;
      return unclassified;
    }
    assignment = assignCustomer(model, remaining, { suggestQuestion: false });
  }
  return assignment.isUnclassified ? unclassified : { group: assignment.personaIndex, confidence: assignment.confidence };
}

/** The attributes without those an assignment rejected (its issues point at /attributes/<name>). */
function withoutRejected(attributes: Record<string, unknown>, issues: readonly FieldIssue[]): Record<string, unknown> {
  const rejected = new Set(issues.map((issue) => issue.pointer));
  return Object.fromEntries(Object.entries(attributes).filter(([name]) => !rejected.has(jsonPointer('attributes', name))));
}

function groupLabel(model: CompiledModel, group: number): { key: string; name: string } {
  const persona = model.personas[group];
  return persona ? { key: persona.key, name: persona.name } : { key: UNCLASSIFIED_KEY, name: 'Unclassified' };
}

/** Orders rows and columns so matched personas sit on the diagonal, and computes shares and the customers who stayed. */
function layoutMatrix(fromModel: CompiledModel, toModel: CompiledModel, counterpart: Int32Array, counts: Float64Array) {
  const kFrom = fromModel.personas.length;
  const kTo = toModel.personas.length;
  const width = kTo + 1;
  const fromIndexes = fromModel.personas.map((_persona, index) => index);
  const matchedRows = fromIndexes.filter((index) => counterpart[index]! >= 0);
  const rowOrder = [...matchedRows, ...fromIndexes.filter((index) => counterpart[index]! < 0), kFrom];
  const matchedColumns = new Set(matchedRows.map((index) => counterpart[index]!));
  const columnOrder = [...matchedRows.map((index) => counterpart[index]!), ...toModel.personas.map((_persona, index) => index).filter((index) => !matchedColumns.has(index)), kTo];

  const group = (model: CompiledModel, index: number, count: number): MigrationGroup => {
    const persona = model.personas[index];
    return persona ? { key: persona.key, name: persona.name, personaId: persona.id, count } : { key: UNCLASSIFIED_KEY, name: 'Unclassified', personaId: null, count };
  };
  const columnCount = (column: number) => {
    let sum = 0;
    for (let row = 0; row <= kFrom; row++) sum += counts[row * width + column]!;
    return sum;
  };
  const columns = columnOrder.map((column) => group(toModel, column, columnCount(column)));
  let stayed = 0;
  const rows = rowOrder.map((row): MigrationRow => {
    let rowCount = 0;
    for (let column = 0; column <= kTo; column++) rowCount += counts[row * width + column]!;
    const cells = columnOrder.map((column, position): MigrationCell => {
      const count = counts[row * width + column]!;
      const hasStayed = row === kFrom ? column === kTo : counterpart[row] === column;
      if (hasStayed) stayed += count;
      return { to: columns[position]!.key, count, share: rowCount > 0 ? count / rowCount : 0, hasStayed };
    });
    return { ...group(fromModel, row, rowCount), cells };
  });
  return { rows, columns, stayed };
}
