/**
 * Dataset uploads: customers (with their external ids), products and purchases, validated as a whole
 * and stored in one transaction — a rejected upload leaves nothing behind and reports its first
 * problems by record and column.
 */
import type { AttributeValue, ColumnProfile, CustomerAttributes, DatasetSummary, NewDataset, NewInteraction, NewProduct, TenureUnit, ValueDeclaration, ValueKind } from '../domain/dataset.ts';
import type { DataQualityReport, DataQualitySummary } from '../domain/data-quality.ts';
import { jsonPointer, NotFoundError, ValidationError } from '../domain/errors.ts';
import type { FieldIssue } from '../domain/errors.ts';
import type { DatasetRepository, Page } from '../domain/repositories.ts';
import { assessDataQuality } from './data-quality.ts';
import { IssueCollector, isMissingValue, MAX_ABS_NUMBER, parseCsv, parseNdjson } from './tabular.ts';
import { detectTransactionColumns, summarizeTransactions } from './transactions.ts';
import type { DateOrder, TransactionColumns, TransactionSummary } from './transactions.ts';
import type { ParsedTable, Row } from './tabular.ts';

export const MAX_COLUMNS = 500;
export const MAX_CUSTOMERS = 2_000_000;
/** Customers read per page when computing the report of a dataset stored before reports existed. */
const QUALITY_PAGE_ROWS = 10_000;

/** A stored dataset with the short form of its data-quality report. */
export type UploadedDataset = DatasetSummary & { quality: DataQualitySummary };

/** Column names recognised as the customers' external id when the upload does not name one. */
const ID_COLUMN_NAMES = new Set(['id', 'customerid', 'custid', 'clientid', 'clientnum', 'customernumber', 'customerno', 'memberid', 'accountid']);

export interface ProductInput {
  id: string;
  name?: string | undefined;
  category?: string | null | undefined;
  price?: number | null | undefined;
  attributes?: Record<string, AttributeValue> | undefined;
}

export interface InteractionInput {
  customerId: string;
  productId: string;
  quantity?: number | undefined;
  amount?: number | null | undefined;
  occurredAt?: string | null | undefined;
}

export interface CustomerUpload {
  name?: string | undefined;
  /** Column holding the external ids: undefined detects one by name, null uses row numbers. */
  idColumn?: string | null | undefined;
  rows: Row[];
  /** Column order for the stored profile; defaults to the order of first appearance. */
  columns?: string[] | undefined;
  /** Numeric column of each customer's value (premium, spend, balance); undefined: detected by name. */
  valueColumn?: string | undefined;
  valueKind?: ValueKind | undefined;
  /** Numeric column of each customer's tenure and its unit; undefined: detected by name. */
  tenureColumn?: string | undefined;
  tenureUnit?: TenureUnit | undefined;
  products?: ProductInput[] | undefined;
  interactions?: InteractionInput[] | undefined;
  /** Where customers, products and interactions sit in the request body, for error pointers. */
  pointers?: { customers: string; products: string; interactions: string } | undefined;
  /**
   * A repeated external id: reject the upload (default; assignment history needs unique ids) or keep
   * the first row with that id, drop the later ones and count them in the data-quality report.
   */
  duplicateIds?: DuplicateIdPolicy | undefined;
  /** Values stored as missing in every column but the id (e.g. "999", "-1", "unknown"), compared as trimmed text. */
  missingValues?: readonly string[] | undefined;
  /** Columns declared protected (gender, age…): left out of default features and audited for fairness (services/fairness.ts). */
  protectedAttributes?: readonly string[] | undefined;
}

export type DuplicateIdPolicy = 'reject' | 'keep-first';

/** An upload sent as text: CSV with a header row, or NDJSON (one JSON object per line). */
export interface TextTable {
  format: 'csv' | 'ndjson';
  text: string;
}

const ROOT_POINTERS = { customers: '', products: '/products', interactions: '/interactions' };

export class DatasetService {
  private readonly datasets: DatasetRepository;
  private readonly maxJsonDepth: number;
  /** Reports being computed for datasets uploaded before reports existed, by dataset id. */
  private readonly computingQuality = new Map<string, Promise<DataQualityReport>>();

  constructor(datasets: DatasetRepository, options: { maxJsonDepth: number }) {
    this.datasets = datasets;
    this.maxJsonDepth = options.maxJsonDepth;
  }

  /**
   * Customers described by RFM features (recency_days, frequency, monetary, tenure_days) computed
   * from transaction lines; with a product column, also the products and each customer's purchases.
   */
  async createFromTransactions(
    source: TextTable | Row[],
    options: { name?: string | undefined; columns: Partial<TransactionColumns>; referenceDate?: string | undefined; dateOrder?: DateOrder | undefined },
  ): Promise<DatasetSummary & { transactions: TransactionSummary['report'] }> {
    const table = Array.isArray(source) ? { rows: source, columns: columnsOf(source) } : this.readTable(source);
    const columns = detectTransactionColumns(table.columns, options.columns);
    const summary = summarizeTransactions(table.rows, { columns, referenceDate: options.referenceDate, dateOrder: options.dateOrder });
    const dataset = await this.create({
      name: options.name,
      idColumn: 'customer_id',
      valueColumn: 'monetary',
      valueKind: 'lifetime',
      tenureColumn: 'tenure_days',
      tenureUnit: 'days',
      rows: summary.customers,
      products: summary.products,
      interactions: summary.interactions,
    });
    return { ...dataset, transactions: summary.report };
  }

  /** Customers from CSV or NDJSON text. */
  async createFromText(source: TextTable, options: Omit<CustomerUpload, 'rows' | 'columns' | 'products' | 'interactions' | 'pointers'>): Promise<UploadedDataset> {
    const table = this.readTable(source);
    return this.create({ ...options, rows: table.rows, columns: table.columns });
  }

  async create(upload: CustomerUpload): Promise<UploadedDataset> {
    const { dataset, report } = this.prepare(upload);
    const stored = await this.datasets.create(dataset);
    return { ...stored, quality: { rows: report.rows, flags: report.flags, summary: report.summary } };
  }

  /**
   * The data-quality report of customers as an upload would store them, without storing anything
   * (a dry run). Repeated ids are counted, not rejected (as with duplicateIds=keep-first); products
   * and interactions are not part of the report.
   */
  profileUpload(upload: CustomerUpload | { source: TextTable; options: Omit<CustomerUpload, 'rows' | 'columns' | 'products' | 'interactions' | 'pointers'> }): DataQualityReport {
    const customers = 'source' in upload ? { ...upload.options, ...this.readTable(upload.source) } : upload;
    return this.prepare({ ...customers, duplicateIds: 'keep-first', products: undefined, interactions: undefined }).report;
  }

  /**
   * The stored data-quality report; for a dataset uploaded before reports existed, computed from its
   * stored customers now and stored. Its verdicts are then advisory: training keeps the column
   * profiles the dataset was uploaded with.
   */
  /**
   * The dataset's stored report; for a dataset uploaded before reports existed, computed once (requests
   * arriving meanwhile on this replica share the computation) and stored.
   */
  quality(datasetId: string): Promise<DataQualityReport> {
    const pending = this.computingQuality.get(datasetId);
    if (pending) return pending;
    const computing = this.loadOrComputeQuality(datasetId).finally(() => this.computingQuality.delete(datasetId));
    this.computingQuality.set(datasetId, computing);
    return computing;
  }

  private async loadOrComputeQuality(datasetId: string): Promise<DataQualityReport> {
    const dataset = await this.get(datasetId);
    const stored = await this.datasets.findQuality(datasetId);
    if (stored) return stored;
    const rows: CustomerAttributes[] = [];
    for (let afterId: string | null = null; ; ) {
      const page = await this.datasets.pageCustomers(datasetId, afterId, QUALITY_PAGE_ROWS);
      for (const customer of page) rows.push(customer.attributes);
      if (page.length < QUALITY_PAGE_ROWS) break;
      afterId = page[page.length - 1]!.id;
    }
    const { report } = assessDataQuality(
      dataset.columns.map((column) => column.name),
      rows,
      { rowsReceived: rows.length, duplicateIdRows: 0, duplicateIds: 0, missingValueCodes: [], computedAt: new Date() },
    );
    return this.datasets.saveQuality(datasetId, report);
  }

  /** Validates an upload and computes what create stores; throws ValidationError listing the first problems. */
  private prepare(upload: CustomerUpload): { dataset: NewDataset; report: DataQualityReport } {
    const columns = upload.columns ?? columnsOf(upload.rows);
    const issues = new IssueCollector();
    if (upload.rows.length === 0) {
      throw new ValidationError('the upload holds no customers', [{ location: 'body', pointer: '', code: 'empty', message: 'send at least one customer' }]);
    }
    if (upload.rows.length > MAX_CUSTOMERS) {
      throw new ValidationError(`the upload holds ${upload.rows.length} customers; the limit is ${MAX_CUSTOMERS}`, [
        { location: 'body', pointer: '', code: 'too_many_rows', message: `at most ${MAX_CUSTOMERS} customers per dataset` },
      ]);
    }
    if (columns.length > MAX_COLUMNS) {
      throw new ValidationError(`the upload has ${columns.length} columns; the limit is ${MAX_COLUMNS}`, [
        { location: 'body', pointer: '', code: 'too_many_columns', message: `at most ${MAX_COLUMNS} columns` },
      ]);
    }
    const pointers = upload.pointers ?? ROOT_POINTERS;
    const idColumn = upload.idColumn === undefined ? detectIdColumn(columns) : upload.idColumn;
    if (idColumn !== null && !columns.includes(idColumn)) {
      throw new ValidationError(`the upload has no column "${idColumn}"`, [
        { location: 'query', pointer: '/idColumn', code: 'unknown_column', message: `columns are: ${columns.join(', ')}` },
      ]);
    }
    const received = collectExternalIds(upload.rows, idColumn, pointers.customers, upload.duplicateIds ?? 'reject', issues);
    const externalIds = received.externalIds;
    const rows = received.keptRows === null ? upload.rows : received.keptRows.map((i) => upload.rows[i]!);
    checkNumbers(upload.rows, pointers.customers, issues);
    const missingValues = new Set((upload.missingValues ?? []).map((code) => code.trim()));
    const attributes: CustomerAttributes[] = rows.map((uploaded) => {
      const row = missingValues.size > 0 ? withMissingValues(uploaded, idColumn, missingValues) : uploaded;
      if (idColumn === null) return row;
      const { [idColumn]: _id, ...rest } = row;
      return rest;
    });
    const products = toNewProducts(upload.products ?? [], pointers.products, issues);
    const interactions = toNewInteractions(upload.interactions ?? [], pointers.interactions, issues);
    const customerIds = new Set(externalIds);
    const productIds = new Set(products.map((p) => p.externalId));
    checkReferences(interactions, (id) => customerIds.has(id), (id) => productIds.has(id), pointers.interactions, issues);
    issues.throwIfAny('the upload');

    const { report, profiles } = assessDataQuality(
      columns.filter((column) => column !== idColumn),
      attributes,
      { rowsReceived: upload.rows.length, duplicateIdRows: received.duplicateIdRows, duplicateIds: received.duplicateIds, missingValueCodes: [...missingValues], computedAt: new Date() },
    );
    const dataset: NewDataset = {
      name: upload.name ?? `upload ${new Date().toISOString()}`,
      idColumn,
      columns: profiles,
      quality: report,
      protectedAttributes: checkProtectedAttributes(upload, columns, idColumn),
      ...declareValueColumns(profiles, upload),
      customers: { externalIds, attributes },
      products,
      interactions,
    };
    return { dataset, report };
  }

  async addProducts(datasetId: string, input: ProductInput[] | TextTable): Promise<DatasetSummary> {
    await this.get(datasetId);
    const productInputs = Array.isArray(input) ? input : productsFromTable(this.readTable(input));
    const issues = new IssueCollector();
    const products = toNewProducts(productInputs, '', issues);
    issues.throwIfAny('the products');
    return this.datasets.addProducts(datasetId, products, []);
  }

  async addInteractions(datasetId: string, input: InteractionInput[] | TextTable): Promise<DatasetSummary> {
    await this.get(datasetId);
    const interactionInputs = Array.isArray(input) ? input : interactionsFromTable(this.readTable(input));
    const issues = new IssueCollector();
    const interactions = toNewInteractions(interactionInputs, '', issues);
    issues.throwIfAny('the interactions');
    await this.checkStoredReferences(datasetId, interactions);
    return this.datasets.addProducts(datasetId, [], interactions);
  }

  async get(id: string): Promise<DatasetSummary> {
    const dataset = await this.datasets.findById(id);
    if (!dataset) throw new NotFoundError(`dataset ${id} does not exist`);
    return dataset;
  }

  list(page: Page) {
    return this.datasets.list(page);
  }

  private readTable(source: TextTable): ParsedTable {
    return source.format === 'csv' ? parseCsv(source.text) : parseNdjson(source.text, this.maxJsonDepth);
  }

  private async checkStoredReferences(datasetId: string, interactions: NewInteraction[]) {
    const customerIds = [...new Set(interactions.map((i) => i.customerExternalId))];
    const productIds = [...new Set(interactions.map((i) => i.productExternalId))];
    const unknown = await this.datasets.findUnknownReferences(datasetId, customerIds, productIds);
    const issues = new IssueCollector();
    const unknownCustomers = new Set(unknown.customers);
    const unknownProducts = new Set(unknown.products);
    checkReferences(interactions, (id) => !unknownCustomers.has(id), (id) => !unknownProducts.has(id), '', issues);
    issues.throwIfAny('the interactions');
  }
}

const VALUE_COLUMN = /premium|monetary|spend|revenue|sales|balance|charges|amount|value|ltv|clv/i;
const TENURE_COLUMN = /tenure|customer.?since|years.?with|months.?with|days.?with|membership/i;

/**
 * The value and tenure columns: as declared, or the first numeric column whose name says so
 * (tenure in days or months when its name says so, else years).
 */
function declareValueColumns(profiles: readonly ColumnProfile[], upload: Pick<CustomerUpload, 'valueColumn' | 'valueKind' | 'tenureColumn' | 'tenureUnit'>): ValueDeclaration {
  const numeric = profiles.filter((profile) => profile.kind === 'numeric');
  const issues: FieldIssue[] = [];
  for (const [field, column] of [['valueColumn', upload.valueColumn], ['tenureColumn', upload.tenureColumn]] as const) {
    // A declared column may also be constant (a one-customer upload); text makes no value.
    if (column !== undefined && !profiles.some((profile) => profile.name === column && (profile.kind === 'numeric' || profile.kind === 'constant'))) {
      issues.push({ location: 'query', pointer: `/${field}`, code: 'not_a_numeric_column', message: `"${column}" is not a numeric column of the upload` });
    }
  }
  if (issues.length > 0) throw new ValidationError('the declared value columns cannot be used', issues);
  const valueColumn = upload.valueColumn ?? numeric.find((profile) => VALUE_COLUMN.test(profile.name))?.name ?? null;
  const tenureColumn = upload.tenureColumn ?? numeric.find((profile) => TENURE_COLUMN.test(profile.name))?.name ?? null;
  const unit: TenureUnit = upload.tenureUnit ?? (/day/i.test(tenureColumn ?? '') ? 'days' : /month/i.test(tenureColumn ?? '') ? 'months' : 'years');
  const valueKind = valueColumn === null ? null : (upload.valueKind ?? valueKindOf(valueColumn));
  return { valueColumn, valueKind, tenure: tenureColumn ? { column: tenureColumn, unit } : null };
}

function valueKindOf(column: string): ValueKind {
  if (/month/i.test(column)) return 'monthly';
  if (/total|monetary|lifetime|ltv|clv/i.test(column)) return 'lifetime';
  if (/balance|savings|assets|wealth/i.test(column)) return 'balance';
  return 'annual';
}

function columnsOf(rows: readonly Row[]): string[] {
  const seen = new Set<string>();
  for (const row of rows) for (const key of Object.keys(row)) seen.add(key);
  return [...seen];
}

function detectIdColumn(columns: readonly string[]): string | null {
  return columns.find((column) => ID_COLUMN_NAMES.has(column.toLowerCase().replace(/[^a-z0-9]/g, ''))) ?? null;
}

interface ReceivedIds {
  /** The ids of the rows kept, in order. */
  externalIds: string[];
  /** Indices of the rows kept when some were dropped (keep-first), else null: every row. */
  keptRows: number[] | null;
  duplicateIdRows: number;
  duplicateIds: number;
}

function collectExternalIds(rows: readonly Row[], idColumn: string | null, pointer: string, policy: DuplicateIdPolicy, issues: IssueCollector): ReceivedIds {
  if (idColumn === null) return { externalIds: rows.map((_, i) => String(i + 1)), keptRows: null, duplicateIdRows: 0, duplicateIds: 0 };
  const firstSeen = new Map<string, number>();
  const repeated = new Set<string>();
  const externalIds: string[] = [];
  const keptRows: number[] = [];
  rows.forEach((row, i) => {
    const value = row[idColumn];
    if (isMissingValue(value)) {
      issues.add({ location: 'body', pointer: `${pointer}${jsonPointer(i, idColumn)}`, code: 'missing_id', message: `the id column "${idColumn}" is empty` });
      return;
    }
    const id = String(value).trim();
    const earlier = firstSeen.get(id);
    if (earlier === undefined) {
      firstSeen.set(id, i);
      externalIds.push(id);
      keptRows.push(i);
      return;
    }
    repeated.add(id);
    if (policy === 'reject') {
      issues.add({ location: 'body', pointer: `${pointer}${jsonPointer(i, idColumn)}`, code: 'duplicate_id', message: `id "${id}" repeats record ${earlier} (upload with duplicateIds=keep-first to keep the first)` });
    }
  });
  const duplicateIdRows = rows.length - keptRows.length;
  return { externalIds, keptRows: duplicateIdRows === 0 ? null : keptRows, duplicateIdRows, duplicateIds: repeated.size };
}

/** The row with the declared missing-value codes (compared as trimmed text) set to null, the id aside. */
function withMissingValues(row: Row, idColumn: string | null, codes: ReadonlySet<string>): Row {
  let copy: Row | null = null;
  for (const [column, value] of Object.entries(row)) {
    if (column === idColumn || value === null || !codes.has(String(value).trim())) continue;
    copy ??= { ...row };
    copy[column] = null;
  }
  return copy ?? row;
}

function checkNumbers(rows: readonly Row[], pointer: string, issues: IssueCollector): void {
  rows.forEach((row, i) => {
    for (const [column, value] of Object.entries(row)) {
      if (typeof value === 'number' && !(Math.abs(value) <= MAX_ABS_NUMBER)) {
        issues.add({ location: 'body', pointer: `${pointer}${jsonPointer(i, column)}`, code: 'out_of_range', message: 'numbers must be finite and between -1e15 and 1e15' });
      }
    }
  });
}

function toNewProducts(inputs: readonly ProductInput[], pointer: string, issues: IssueCollector): NewProduct[] {
  const seen = new Set<string>();
  return inputs.map((input, i) => {
    const id = input.id.trim();
    if (id === '') issues.add({ location: 'body', pointer: `${pointer}${jsonPointer(i, 'id')}`, code: 'missing_id', message: 'a product needs an id' });
    else if (seen.has(id)) issues.add({ location: 'body', pointer: `${pointer}${jsonPointer(i, 'id')}`, code: 'duplicate_id', message: `product id "${id}" repeats` });
    seen.add(id);
    if (input.price != null && !(input.price >= 0 && input.price <= MAX_ABS_NUMBER)) {
      issues.add({ location: 'body', pointer: `${pointer}${jsonPointer(i, 'price')}`, code: 'out_of_range', message: 'price must be between 0 and 1e15' });
    }
    return {
      externalId: id,
      name: input.name?.trim() || id,
      category: input.category?.trim() || null,
      price: input.price ?? null,
      attributes: input.attributes && Object.keys(input.attributes).length > 0 ? input.attributes : null,
    };
  });
}

function toNewInteractions(inputs: readonly InteractionInput[], pointer: string, issues: IssueCollector): NewInteraction[] {
  return inputs.map((input, i) => {
    const quantity = input.quantity ?? 1;
    if (!(quantity > 0 && quantity <= MAX_ABS_NUMBER)) {
      issues.add({ location: 'body', pointer: `${pointer}${jsonPointer(i, 'quantity')}`, code: 'out_of_range', message: 'quantity must be positive' });
    }
    if (input.amount != null && !(Math.abs(input.amount) <= MAX_ABS_NUMBER)) {
      issues.add({ location: 'body', pointer: `${pointer}${jsonPointer(i, 'amount')}`, code: 'out_of_range', message: 'amount must be between -1e15 and 1e15' });
    }
    let occurredAt: Date | null = null;
    if (input.occurredAt != null && input.occurredAt !== '') {
      occurredAt = new Date(input.occurredAt);
      if (Number.isNaN(occurredAt.getTime())) {
        issues.add({ location: 'body', pointer: `${pointer}${jsonPointer(i, 'occurredAt')}`, code: 'invalid_date', message: 'occurredAt must be an ISO 8601 date or date-time' });
        occurredAt = null;
      }
    }
    return {
      customerExternalId: input.customerId.trim(),
      productExternalId: input.productId.trim(),
      quantity,
      amount: input.amount ?? null,
      occurredAt,
    };
  });
}

/** Every purchase must name a known customer and product. */
function checkReferences(
  interactions: readonly NewInteraction[],
  isKnownCustomer: (id: string) => boolean,
  isKnownProduct: (id: string) => boolean,
  pointer: string,
  issues: IssueCollector,
): void {
  interactions.forEach((interaction, i) => {
    if (!isKnownCustomer(interaction.customerExternalId)) {
      issues.add({ location: 'body', pointer: `${pointer}${jsonPointer(i, 'customerId')}`, code: 'unknown_customer', message: `no customer has id "${interaction.customerExternalId}"` });
    }
    if (!isKnownProduct(interaction.productExternalId)) {
      issues.add({ location: 'body', pointer: `${pointer}${jsonPointer(i, 'productId')}`, code: 'unknown_product', message: `no product has id "${interaction.productExternalId}"` });
    }
  });
}

const normalizeHeader = (name: string): string => name.toLowerCase().replace(/[^a-z0-9]/g, '');

const PRODUCT_HEADERS = {
  id: ['id', 'productid', 'sku', 'stockcode', 'code'],
  name: ['name', 'productname', 'title', 'description'],
  category: ['category', 'productcategory', 'line', 'type'],
  price: ['price', 'unitprice', 'listprice'],
} as const;

const INTERACTION_HEADERS = {
  customerId: ['customerid', 'customer', 'clientid', 'custid'],
  productId: ['productid', 'product', 'sku', 'stockcode'],
  quantity: ['quantity', 'qty', 'units'],
  amount: ['amount', 'total', 'revenue', 'value', 'sales'],
  occurredAt: ['occurredat', 'date', 'timestamp', 'time', 'invoicedate', 'purchasedat', 'orderdate'],
} as const;

/** Maps table headers to fields by normalized name; reports required fields that no header provides. */
function mapHeaders<F extends string>(
  columns: readonly string[],
  aliases: Record<F, readonly string[]>,
  required: readonly F[],
  what: string,
): Record<F, string | undefined> {
  const byNormalized = new Map(columns.map((column) => [normalizeHeader(column), column]));
  const mapping = {} as Record<F, string | undefined>;
  for (const field of Object.keys(aliases) as F[]) {
    mapping[field] = aliases[field].map((alias) => byNormalized.get(alias)).find((column) => column !== undefined);
  }
  const absent = required.filter((field) => mapping[field] === undefined);
  if (absent.length > 0) {
    throw new ValidationError(`the ${what} table lacks required columns`, absent.map((field) => ({
      location: 'body' as const,
      pointer: '',
      code: 'missing_column',
      message: `a column for ${field} is required (accepted headers: ${aliases[field].join(', ')})`,
    })));
  }
  return mapping;
}

const text = (value: AttributeValue | undefined): string | undefined => (isMissingValue(value) ? undefined : String(value).trim());
const numberOrNull = (value: AttributeValue | undefined): number | null => (typeof value === 'number' ? value : null);

/** Products from a CSV/NDJSON table; columns other than id, name, category and price become attributes. */
function productsFromTable(table: ParsedTable): ProductInput[] {
  const headers = mapHeaders<keyof typeof PRODUCT_HEADERS>(table.columns, PRODUCT_HEADERS, ['id'], 'products');
  const known = new Set(Object.values(headers));
  return table.rows.map((row) => {
    const attributes: Record<string, AttributeValue> = {};
    for (const column of table.columns) if (!known.has(column)) attributes[column] = row[column] ?? null;
    return {
      id: text(row[headers.id!]) ?? '',
      name: headers.name ? text(row[headers.name]) : undefined,
      category: headers.category ? (text(row[headers.category]) ?? null) : null,
      price: headers.price ? numberOrNull(row[headers.price]) : null,
      attributes,
    };
  });
}

function interactionsFromTable(table: ParsedTable): InteractionInput[] {
  const headers = mapHeaders<keyof typeof INTERACTION_HEADERS>(table.columns, INTERACTION_HEADERS, ['customerId', 'productId'], 'interactions');
  return table.rows.map((row) => ({
    customerId: text(row[headers.customerId!]) ?? '',
    productId: text(row[headers.productId!]) ?? '',
    quantity: headers.quantity ? (numberOrNull(row[headers.quantity]) ?? undefined) : undefined,
    amount: headers.amount ? numberOrNull(row[headers.amount]) : null,
    occurredAt: headers.occurredAt ? (text(row[headers.occurredAt]) ?? null) : null,
  }));
}

/** The declared protected attributes, each a column of the upload other than the id; a 400 names any other. */
function checkProtectedAttributes(upload: CustomerUpload, columns: readonly string[], idColumn: string | null): string[] {
  const declared = upload.protectedAttributes ?? [];
  const issues: FieldIssue[] = [];
  // Pointers index the list as sent, repeats included.
  declared.forEach((name, index) => {
    if (!columns.includes(name) || name === idColumn) {
      issues.push({
        location: upload.pointers ? 'body' : 'query',
        pointer: jsonPointer('protectedAttributes', index),
        code: 'unknown_column',
        message: name === idColumn ? `"${name}" is the id column` : `the upload has no column "${name}"`,
      });
    }
  });
  if (issues.length > 0) throw new ValidationError('some protected attributes are not columns of the upload', issues);
  return [...new Set(declared)];
}
