/**
 * Turns uploaded text (CSV or NDJSON) into records of JSON scalars, collecting the first errors with
 * their line and column instead of stopping at the first one.
 *
 * CSV: header row required; the delimiter (`,`, `;` or tab) is detected from the header; numbers are
 * converted (with a decimal comma accepted in `;`-separated files, the European convention) except in
 * columns of zero-padded codes such as "0001" or "02139", which stay text; empty cells and the usual
 * missing markers (NA, N/A, null, NaN, ?) become null.
 */
import { parse } from 'csv-parse/sync';
import type { CsvError } from 'csv-parse/sync';
import type { AttributeValue } from '../domain/dataset.ts';
import { isMissingValue } from '../domain/customer-table.ts';
import { DomainError, jsonPointer, ValidationError } from '../domain/errors.ts';
import type { FieldIssue } from '../domain/errors.ts';

export type Row = Record<string, AttributeValue>;

export interface ParsedTable {
  rows: Row[];
  /** Columns in file order (CSV header; for NDJSON, in order of first appearance). */
  columns: string[];
}

/** How many issues a rejected upload reports; the detail says how many there were in all. */
export const MAX_REPORTED_ISSUES = 20;

const NUMBER_PATTERN = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;
const DECIMAL_COMMA_PATTERN = /^[+-]?\d+,\d+$/;
/** "0001", "02139": zero-padded codes (ids, zip codes) are text, and so is every value of their column. */
const ZERO_PADDED_PATTERN = /^[+-]?0\d/;
/** Larger magnitudes lose integer precision in float64 and overflow squared distances. */
export const MAX_ABS_NUMBER = 1e15;

export { isMissingValue };

export class IssueCollector {
  readonly issues: FieldIssue[] = [];
  total = 0;

  add(issue: FieldIssue): void {
    this.total++;
    if (this.issues.length < MAX_REPORTED_ISSUES) this.issues.push(issue);
  }

  get isFull(): boolean {
    return this.issues.length >= MAX_REPORTED_ISSUES;
  }

  /** Throws a validation problem when any issue was collected. */
  throwIfAny(what: string): void {
    if (this.total === 0) return;
    const shown = this.total > this.issues.length ? ` (the first ${this.issues.length} are listed)` : '';
    throw new ValidationError(`${what} has ${this.total} problem${this.total === 1 ? '' : 's'}${shown}`, this.issues);
  }
}

function detectDelimiter(text: string): string {
  const firstLine = text.slice(0, text.search(/\r?\n|$/));
  const counts = new Map<string, number>([[',', 0], [';', 0], ['\t', 0]]);
  let isQuoted = false;
  for (const char of firstLine) {
    if (char === '"') isQuoted = !isQuoted;
    else if (!isQuoted && counts.has(char)) counts.set(char, counts.get(char)! + 1);
  }
  let best = ',';
  for (const [delimiter, count] of counts) if (count > counts.get(best)!) best = delimiter;
  return best;
}

function convertCell(raw: string, delimiter: string, isText: boolean): AttributeValue {
  const value = raw.trim();
  if (isMissingValue(value)) return null;
  if (isText) return value;
  if (NUMBER_PATTERN.test(value)) return Number(value);
  if (delimiter === ';' && DECIMAL_COMMA_PATTERN.test(value)) return Number(value.replace(',', '.'));
  return value;
}

export function parseCsv(text: string): ParsedTable {
  if (text.trim() === '') throw new DomainError('malformed-body', 'the CSV body is empty; send a header row and at least one data row');
  const delimiter = detectDelimiter(text.replace(/^\uFEFF/, ''));
  const collector = new IssueCollector();
  let header: string[] = [];
  const records = parse(text, {
    bom: true,
    delimiter,
    skip_empty_lines: true,
    relax_quotes: false,
    skip_records_with_error: true,
    info: true,
    columns: (names: string[]) => {
      header = names.map((name) => name.trim());
      return header;
    },
    on_skip: (error: CsvError | undefined) => {
      if (!error) return undefined;
      const line = Number(error.lines);
      collector.add({
        location: 'body',
        // Record index as if each record took one line after the header; the message gives the exact line.
        pointer: jsonPointer(Math.max(0, line - 2)),
        code: 'csv_' + error.code.toLowerCase().replace(/^csv_/, ''),
        message: `line ${line}: ${error.message.replace(/^Invalid Record Length: /, '')}`,
      });
      return undefined;
    },
  }) as Array<{ record: Record<string, string>; info: { lines: number } }>;
  checkHeader(header, collector);
  collector.throwIfAny('the CSV');
  const textColumns = new Set(header.filter((column) => records.some(({ record }) => ZERO_PADDED_PATTERN.test((record[column] ?? '').trim()))));
  const rows = records.map(({ record }) => {
    const row: Row = {};
    for (const column of header) row[column] = convertCell(record[column] ?? '', delimiter, textColumns.has(column));
    return row;
  });
  return { rows, columns: header };
}

function checkHeader(header: string[], collector: IssueCollector): void {
  const seen = new Set<string>();
  header.forEach((name, index) => {
    if (name === '') {
      collector.add({ location: 'body', pointer: '', code: 'empty_column_name', message: `header column ${index + 1} has no name` });
    } else if (seen.has(name)) {
      collector.add({ location: 'body', pointer: '', code: 'duplicate_column', message: `header names column "${name}" twice` });
    }
    seen.add(name);
  });
}

export function parseNdjson(text: string, maxDepth: number): ParsedTable {
  const collector = new IssueCollector();
  const rows: Row[] = [];
  const columns = new Set<string>();
  const lines = text.split(/\r?\n/);
  for (let lineIndex = 0; lineIndex < lines.length && !collector.isFull; lineIndex++) {
    const line = lines[lineIndex]!.trim();
    if (line === '') continue;
    const recordIndex = rows.length;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      collector.add({ location: 'body', pointer: jsonPointer(recordIndex), code: 'invalid_json', message: `line ${lineIndex + 1} is not valid JSON` });
      continue;
    }
    const row = toScalarRecord(value, recordIndex, collector, maxDepth);
    if (row) {
      rows.push(row);
      for (const key of Object.keys(row)) columns.add(key);
    }
  }
  if (rows.length === 0 && collector.total === 0) {
    throw new DomainError('malformed-body', 'the NDJSON body holds no records; send one JSON object per line');
  }
  collector.throwIfAny('the NDJSON body');
  return { rows, columns: [...columns] };
}

function toScalarRecord(value: unknown, index: number, collector: IssueCollector, maxDepth: number): Row | null {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    collector.add({ location: 'body', pointer: jsonPointer(index), code: 'not_an_object', message: 'each record must be a JSON object' });
    return null;
  }
  const row: Row = {};
  let isValid = true;
  for (const [key, field] of Object.entries(value)) {
    if (field === null || typeof field === 'string' || typeof field === 'boolean' || typeof field === 'number') {
      row[key] = field;
    } else {
      isValid = false;
      const nested = depthOf(field, maxDepth) > maxDepth ? ' (and nests too deep)' : '';
      collector.add({ location: 'body', pointer: jsonPointer(index, key), code: 'not_a_scalar', message: `must be a number, string, boolean or null${nested}` });
    }
  }
  return isValid ? row : null;
}

/** Nesting depth of a parsed JSON value, walking iteratively and stopping past `limit`. */
export function depthOf(value: unknown, limit: number): number {
  let deepest = 0;
  const stack: Array<{ node: unknown; depth: number }> = [{ node: value, depth: 1 }];
  while (stack.length > 0) {
    const { node, depth } = stack.pop()!;
    if (typeof node !== 'object' || node === null) continue;
    if (depth > deepest) deepest = depth;
    if (deepest > limit) return deepest;
    for (const child of Object.values(node)) stack.push({ node: child, depth: depth + 1 });
  }
  return deepest;
}
