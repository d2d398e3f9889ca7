/**
 * From transaction lines (invoices, orders, purchases) to customers described by RFM features —
 * recency, frequency, monetary value (Hughes 1994; the recipe of Chen, Sain & Guo 2012 on the UCI
 * Online Retail data) — plus tenure, and, when the lines name products, the products and each
 * customer's purchases of them.
 *
 * Cleaning: lines without a customer, cancellations (invoice numbers starting with "C") and lines
 * with a non-positive quantity, price or amount are dropped. Recency counts calendar days from the
 * last purchase to the reference date (default: the day after the latest purchase); frequency counts
 * distinct invoices (distinct purchase days without an invoice column); monetary sums quantity × price
 * (or the amount column).
 */
import type { AttributeValue } from '../domain/dataset.ts';
import { ValidationError } from '../domain/errors.ts';
import type { FieldIssue } from '../domain/errors.ts';
import { isMissingValue } from './tabular.ts';
import type { Row } from './tabular.ts';

export interface TransactionColumns {
  customer: string;
  date: string;
  invoice?: string | undefined;
  quantity?: string | undefined;
  price?: string | undefined;
  amount?: string | undefined;
  product?: string | undefined;
  productName?: string | undefined;
}

export type DateOrder = 'auto' | 'ymd' | 'mdy' | 'dmy';

export interface TransactionOptions {
  columns: TransactionColumns;
  /** Calendar date the recency is measured to (default: the day after the latest purchase). */
  referenceDate?: string | undefined;
  /** How to read dates written with slashes (auto: day-first when a first part exceeds 12, else month-first). */
  dateOrder?: DateOrder | undefined;
}

export interface TransactionSummary {
  customers: Row[];
  products: Array<{ id: string; name: string }>;
  interactions: Array<{ customerId: string; productId: string; quantity: number; amount: number; occurredAt: string }>;
  report: {
    lines: number;
    kept: number;
    dropped: { noCustomer: number; cancelled: number; nonPositive: number; unreadableDate: number };
    referenceDate: string;
  };
}

const DAY_MS = 86_400_000;
const COLUMN_ALIASES: Record<keyof TransactionColumns, string[]> = {
  customer: ['customerid', 'customer', 'clientid', 'custid', 'memberid'],
  date: ['invoicedate', 'date', 'orderdate', 'occurredat', 'purchasedat', 'timestamp', 'transactiondate'],
  invoice: ['invoiceno', 'invoice', 'invoiceid', 'orderid', 'order', 'transactionid'],
  quantity: ['quantity', 'qty', 'units'],
  price: ['unitprice', 'price'],
  amount: ['amount', 'total', 'revenue', 'sales', 'value'],
  product: ['stockcode', 'productid', 'sku', 'product'],
  productName: ['description', 'productname', 'name'],
};

const normalize = (name: string): string => name.toLowerCase().replace(/[^a-z0-9]/g, '');

/** The transaction columns given, completed by recognising the usual header names. */
export function detectTransactionColumns(headers: readonly string[], given: Partial<TransactionColumns>): TransactionColumns {
  const byNormalized = new Map(headers.map((header) => [normalize(header), header]));
  const pick = (field: keyof TransactionColumns) => given[field] ?? COLUMN_ALIASES[field].map((alias) => byNormalized.get(alias)).find(Boolean);
  const columns = Object.fromEntries((Object.keys(COLUMN_ALIASES) as Array<keyof TransactionColumns>).map((field) => [field, pick(field)])) as Partial<TransactionColumns>;
  const issues: FieldIssue[] = [];
  for (const field of ['customer', 'date'] as const) {
    if (!columns[field]) issues.push({ location: 'query', pointer: `/${field}Column`, code: 'missing_column', message: `no ${field} column found; name it with ?${field}Column=` });
  }
  for (const [field, column] of Object.entries(columns)) {
    if (column && !headers.includes(column)) issues.push({ location: 'query', pointer: `/${field}Column`, code: 'unknown_column', message: `the upload has no column "${column}"` });
  }
  if (!columns.amount && !(columns.quantity && columns.price)) {
    issues.push({ location: 'query', pointer: '/amountColumn', code: 'missing_column', message: 'monetary value needs an amount column, or quantity and price columns' });
  }
  if (issues.length > 0) throw new ValidationError('the transaction columns are incomplete', issues);
  return columns as TransactionColumns;
}

const ISO_DATE = /^(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ](\d{1,2}):(\d{2})(?::(\d{2}))?)?/;
const SLASH_DATE = /^(\d{1,2})\/(\d{1,2})\/(\d{4})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2}))?)?$/;

/** Day-first or month-first: decided once for the whole file from its slash-written dates. */
function slashOrder(values: readonly string[]): 'mdy' | 'dmy' {
  for (const value of values) {
    const match = SLASH_DATE.exec(value);
    if (!match) continue;
    if (Number(match[1]) > 12) return 'dmy';
    if (Number(match[2]) > 12) return 'mdy';
  }
  // Ambiguous throughout (every part ≤ 12): the US order, as in the UCI Online Retail files.
  return 'mdy';
}

/** Milliseconds since the epoch (UTC), or NaN when the text is not a date this reader knows. */
function parseDate(text: string, order: 'ymd' | 'mdy' | 'dmy'): number {
  const iso = ISO_DATE.exec(text);
  if (iso) return Date.UTC(Number(iso[1]), Number(iso[2]) - 1, Number(iso[3]), Number(iso[4] ?? 0), Number(iso[5] ?? 0), Number(iso[6] ?? 0));
  const slash = SLASH_DATE.exec(text);
  if (!slash || order === 'ymd') return Number.NaN;
  const [month, day] = order === 'mdy' ? [slash[1], slash[2]] : [slash[2], slash[1]];
  return Date.UTC(Number(slash[3]), Number(month) - 1, Number(day), Number(slash[4] ?? 0), Number(slash[5] ?? 0), Number(slash[6] ?? 0));
}

const calendarDay = (ms: number): number => Math.floor(ms / DAY_MS);
const text = (value: AttributeValue | undefined): string | null => (isMissingValue(value) ? null : String(value).trim());

interface CustomerAccumulator {
  firstDay: number;
  lastDay: number;
  invoices: Set<string>;
  monetary: number;
}

export function summarizeTransactions(rows: readonly Row[], options: TransactionOptions): TransactionSummary {
  const { columns } = options;
  const dateTexts = rows.map((row) => text(row[columns.date]) ?? '');
  const order = options.dateOrder === undefined || options.dateOrder === 'auto' ? slashOrder(dateTexts) : options.dateOrder;
  const dropped = { noCustomer: 0, cancelled: 0, nonPositive: 0, unreadableDate: 0 };
  const customers = new Map<string, CustomerAccumulator>();
  const purchases = new Map<string, { customerId: string; productId: string; quantity: number; amount: number; lastMs: number }>();
  const productNames = new Map<string, string>();
  let kept = 0;
  let latestDay = Number.NEGATIVE_INFINITY;

  rows.forEach((row, i) => {
    const customer = text(row[columns.customer]);
    if (customer === null || customer === '(blank)') return void dropped.noCustomer++;
    const invoice = columns.invoice ? text(row[columns.invoice]) : null;
    if (invoice?.toUpperCase().startsWith('C')) return void dropped.cancelled++;
    const quantity = columns.quantity ? row[columns.quantity] : 1;
    const price = columns.price ? row[columns.price] : null;
    const amount = columns.amount ? row[columns.amount] : typeof quantity === 'number' && typeof price === 'number' ? quantity * price : null;
    const isPositive = (value: AttributeValue | undefined) => typeof value === 'number' && value > 0;
    if (!isPositive(quantity) || (columns.price && !isPositive(price)) || !isPositive(amount)) return void dropped.nonPositive++;
    const ms = parseDate(dateTexts[i]!, order);
    if (Number.isNaN(ms)) return void dropped.unreadableDate++;
    kept++;
    const day = calendarDay(ms);
    latestDay = Math.max(latestDay, day);
    let account = customers.get(customer);
    if (!account) customers.set(customer, (account = { firstDay: day, lastDay: day, invoices: new Set(), monetary: 0 }));
    account.firstDay = Math.min(account.firstDay, day);
    account.lastDay = Math.max(account.lastDay, day);
    account.invoices.add(invoice ?? `day:${day}`);
    account.monetary += amount as number;
    const product = columns.product ? text(row[columns.product]) : null;
    if (product !== null) {
      if (!productNames.has(product)) productNames.set(product, (columns.productName ? text(row[columns.productName]) : null) ?? product);
      const key = `${customer}\u0000${product}`;
      const purchase = purchases.get(key);
      if (purchase) {
        purchase.quantity += quantity as number;
        purchase.amount += amount as number;
        purchase.lastMs = Math.max(purchase.lastMs, ms);
      } else {
        purchases.set(key, { customerId: customer, productId: product, quantity: quantity as number, amount: amount as number, lastMs: ms });
      }
    }
  });

  if (kept === 0) {
    throw new ValidationError('no transaction line is left after cleaning', [
      { location: 'body', pointer: '', code: 'no_transactions', message: `dropped: ${JSON.stringify(dropped)}` },
    ]);
  }
  const referenceDay = options.referenceDate ? calendarDay(parseDate(options.referenceDate, 'ymd')) : latestDay + 1;
  if (Number.isNaN(referenceDay)) {
    throw new ValidationError('the reference date is not a date', [
      { location: 'query', pointer: '/referenceDate', code: 'invalid_date', message: 'write it as YYYY-MM-DD' },
    ]);
  }
  return {
    customers: [...customers.entries()].map(([customerId, account]) => ({
      customer_id: customerId,
      recency_days: referenceDay - account.lastDay,
      frequency: account.invoices.size,
      monetary: account.monetary,
      tenure_days: referenceDay - account.firstDay,
    })),
    products: [...productNames.entries()].map(([id, name]) => ({ id, name })),
    interactions: [...purchases.values()].map((purchase) => ({
      customerId: purchase.customerId,
      productId: purchase.productId,
      quantity: purchase.quantity,
      amount: purchase.amount,
      occurredAt: new Date(purchase.lastMs).toISOString(),
    })),
    report: { lines: rows.length, kept, dropped, referenceDate: new Date(referenceDay * DAY_MS).toISOString().slice(0, 10) },
  };
}
