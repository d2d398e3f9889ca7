/**
 * Customers in columns — what training needs, without one object per customer: a Float64Array per
 * numeric column (NaN where missing) and category codes per categorical column (−1 where missing),
 * so a million customers fit in tens of megabytes.
 */
import type { AttributeValue, CustomerAttributes } from './dataset.ts';

export interface NumericTableColumn {
  kind: 'numeric';
  /** NaN where the value is missing. */
  values: Float64Array;
  /** The first value that is present but not a number (a numeric feature must not have one). */
  firstText: { row: number; value: string } | null;
}

export interface CategoricalTableColumn {
  kind: 'categorical';
  /** Index into `labels`; −1 where the value is missing. */
  codes: Int32Array;
  /** Labels in order of first appearance. */
  labels: string[];
}

export type TableColumn = NumericTableColumn | CategoricalTableColumn;

export interface CustomerTable {
  size: number;
  /** The customers' database ids, ascending (numbers: ids stay far below 2^53). */
  customerIds: Float64Array;
  columns: ReadonlyMap<string, TableColumn>;
}

export interface ColumnRequest {
  name: string;
  kind: 'numeric' | 'categorical';
}

/** Cells that mean "no value": JSON null, blank text and the usual markers of spreadsheets and exports. */
const MISSING_MARKERS = new Set(['', 'na', 'n/a', 'null', 'nan', 'none', '?', '#n/a']);

export function isMissingValue(value: unknown): boolean {
  return value === null || value === undefined || (typeof value === 'string' && MISSING_MARKERS.has(value.trim().toLowerCase()));
}

/** The category a value stands for: trimmed text, or the text form of a number or boolean. */
export function categoryLabel(value: AttributeValue): string {
  return typeof value === 'string' ? value.trim() : String(value);
}

/** Builds a CustomerTable row by row (from database chunks or in-memory rows), growing its arrays. */
export class CustomerTableBuilder {
  private readonly requests: readonly ColumnRequest[];
  private customerIds: Float64Array;
  private readonly numeric: Array<{ values: Float64Array; firstText: NumericTableColumn['firstText'] } | null>;
  private readonly categorical: Array<{ codes: Int32Array; index: Map<string, number>; labels: string[] } | null>;
  private size = 0;

  constructor(requests: readonly ColumnRequest[], expectedSize = 1024) {
    this.requests = requests;
    const capacity = Math.max(16, expectedSize);
    this.customerIds = new Float64Array(capacity);
    this.numeric = requests.map((request) => (request.kind === 'numeric' ? { values: new Float64Array(capacity), firstText: null } : null));
    this.categorical = requests.map((request) => (request.kind === 'categorical' ? { codes: new Int32Array(capacity), index: new Map(), labels: [] } : null));
  }

  /** Appends one customer (ids must come in ascending order); `values` are aligned with the column requests. */
  add(customerId: number, values: readonly AttributeValue[]): void {
    if (this.size === this.customerIds.length) this.grow();
    const row = this.size++;
    this.customerIds[row] = customerId;
    for (let j = 0; j < this.requests.length; j++) {
      const value = values[j] ?? null;
      const numeric = this.numeric[j];
      if (numeric) {
        if (typeof value === 'number') numeric.values[row] = value;
        else {
          numeric.values[row] = Number.NaN;
          if (numeric.firstText === null && !isMissingValue(value)) numeric.firstText = { row, value: String(value).slice(0, 40) };
        }
        continue;
      }
      const categorical = this.categorical[j]!;
      if (isMissingValue(value)) {
        categorical.codes[row] = -1;
        continue;
      }
      const label = categoryLabel(value);
      let code = categorical.index.get(label);
      if (code === undefined) {
        code = categorical.labels.length;
        categorical.index.set(label, code);
        categorical.labels.push(label);
      }
      categorical.codes[row] = code;
    }
  }

  build(): CustomerTable {
    const columns = new Map<string, TableColumn>();
    this.requests.forEach((request, j) => {
      const numeric = this.numeric[j];
      const categorical = this.categorical[j];
      columns.set(
        request.name,
        numeric
          ? { kind: 'numeric', values: numeric.values.subarray(0, this.size), firstText: numeric.firstText }
          : { kind: 'categorical', codes: categorical!.codes.subarray(0, this.size), labels: categorical!.labels },
      );
    });
    return { size: this.size, customerIds: this.customerIds.subarray(0, this.size), columns };
  }

  private grow(): void {
    const ids = new Float64Array(this.customerIds.length * 2);
    ids.set(this.customerIds);
    this.customerIds = ids;
    for (const column of this.numeric) {
      if (!column) continue;
      const values = new Float64Array(column.values.length * 2);
      values.set(column.values);
      column.values = values;
    }
    for (const column of this.categorical) {
      if (!column) continue;
      const codes = new Int32Array(column.codes.length * 2);
      codes.set(column.codes);
      column.codes = codes;
    }
  }
}

/** A CustomerTable of in-memory rows (tests, tools), with ids 1…n. */
export function customerTableFromRows(rows: readonly CustomerAttributes[], requests: readonly ColumnRequest[]): CustomerTable {
  const builder = new CustomerTableBuilder(requests, rows.length);
  rows.forEach((row, i) => builder.add(i + 1, requests.map((request) => row[request.name] ?? null)));
  return builder.build();
}
