import pg from 'pg';
import { z } from 'zod';
import { ColumnProfile, TenureUnit, ValueKind } from '../domain/dataset.ts';
import { DataQualityReport } from '../domain/data-quality.ts';
import { CustomerTableBuilder } from '../domain/customer-table.ts';
import type { ColumnRequest } from '../domain/customer-table.ts';
import type { AttributeValue, CustomerAttributes, DatasetSummary, NewDataset, NewInteraction, NewProduct } from '../domain/dataset.ts';
import type { DatasetRepository, Page } from '../domain/repositories.ts';
import type { Database } from './client.ts';
import type { Prisma } from './generated/client.ts';

type Transaction = Prisma.TransactionClient;

// Rows per INSERT … SELECT FROM unnest(…): one round trip moves thousands of rows, while a
// chunk's parameters stay a few megabytes.
const INSERT_CHUNK_ROWS = 5_000;
// Uploads at least this large refresh the planner's statistics at once instead of waiting for autovacuum.
const ANALYZE_AFTER_ROWS = 10_000;
// Customers read per query when training: bounded memory for any dataset size, few round trips.
const LOAD_CHUNK_ROWS = 10_000;
// Uploads of 100k+ rows outlive Prisma's default 5 s interactive-transaction timeout.
const UPLOAD_TRANSACTION = { maxWait: 10_000, timeout: 10 * 60_000 };

const ColumnProfiles = z.array(ColumnProfile);

const summarySelect = {
  id: true,
  name: true,
  idColumn: true,
  valueColumn: true,
  valueKind: true,
  tenureColumn: true,
  tenureUnit: true,
  columns: true,
  protectedAttributes: true,
  createdAt: true,
  _count: { select: { customers: true, products: true, interactions: true } },
} as const;

type SummaryRow = Prisma.DatasetGetPayload<{ select: typeof summarySelect }>;

function toSummary(row: SummaryRow): DatasetSummary {
  return {
    id: row.id,
    name: row.name,
    idColumn: row.idColumn,
    valueColumn: row.valueColumn,
    // Datasets stored before value kinds existed read as annual, the figure they were given then.
    valueKind: row.valueColumn ? ValueKind.parse(row.valueKind ?? 'annual') : null,
    tenure: row.tenureColumn ? { column: row.tenureColumn, unit: TenureUnit.parse(row.tenureUnit ?? 'years') } : null,
    columns: ColumnProfiles.parse(row.columns),
    protectedAttributes: row.protectedAttributes ?? [],
    createdAt: row.createdAt,
    counts: { customers: row._count.customers, products: row._count.products, interactions: row._count.interactions },
  };
}

/**
 * @param databaseUrl the same database, for the bulk reads of training: they bypass Prisma's row
 *   mapping (about five times faster for a million customers) on a connection of their own.
 */
export function createDatasetRepository(db: Database, databaseUrl: string): DatasetRepository {
  async function findQuality(datasetId: string): Promise<DataQualityReport | null> {
    const row = await db.dataset.findUnique({ where: { id: datasetId }, select: { quality: true } });
    return row?.quality ? DataQualityReport.parse(row.quality) : null;
  }

  async function findById(id: string): Promise<DatasetSummary | null> {
    const row = await db.dataset.findUnique({ where: { id }, select: summarySelect });
    return row ? toSummary(row) : null;
  }

  return {
    async create(dataset: NewDataset) {
      const id = await db.$transaction(async (tx) => {
        const created = await tx.dataset.create({
          data: {
            name: dataset.name,
            idColumn: dataset.idColumn,
            columns: dataset.columns,
            quality: dataset.quality,
            protectedAttributes: dataset.protectedAttributes,
            valueColumn: dataset.valueColumn,
            valueKind: dataset.valueKind,
            tenureColumn: dataset.tenure?.column ?? null,
            tenureUnit: dataset.tenure?.unit ?? null,
          },
          select: { id: true },
        });
        await insertCustomers(tx, created.id, dataset.customers.externalIds, dataset.customers.attributes);
        await insertProducts(tx, created.id, dataset.products);
        await insertInteractions(tx, created.id, dataset.interactions);
        return created.id;
      }, UPLOAD_TRANSACTION);
      // Fresh statistics after a bulk load, so the planner estimates the new rows right.
      if (dataset.customers.externalIds.length >= ANALYZE_AFTER_ROWS) await db.$executeRawUnsafe('ANALYZE customer');
      return (await findById(id))!;
    },

    findById,

    async list(page: Page) {
      const [rows, total] = await Promise.all([
        db.dataset.findMany({ select: summarySelect, orderBy: { createdAt: 'desc' }, take: page.limit, skip: page.offset }),
        db.dataset.count(),
      ]);
      return { items: rows.map(toSummary), total };
    },

    async addProducts(datasetId: string, products: NewProduct[], interactions: NewInteraction[]) {
      await db.$transaction(async (tx) => {
        await insertProducts(tx, datasetId, products);
        await insertInteractions(tx, datasetId, interactions);
      }, UPLOAD_TRANSACTION);
      return (await findById(datasetId))!;
    },

    async findUnknownReferences(datasetId: string, customerExternalIds: string[], productExternalIds: string[]) {
      const [customers, products] = await Promise.all([
        db.$queryRaw<Array<{ external_id: string }>>`
          SELECT t.external_id FROM unnest(${customerExternalIds}::text[]) AS t(external_id)
          WHERE NOT EXISTS (SELECT 1 FROM customer c WHERE c.dataset_id = ${datasetId}::uuid AND c.external_id = t.external_id)`,
        db.$queryRaw<Array<{ external_id: string }>>`
          SELECT t.external_id FROM unnest(${productExternalIds}::text[]) AS t(external_id)
          WHERE NOT EXISTS (SELECT 1 FROM product p WHERE p.dataset_id = ${datasetId}::uuid AND p.external_id = t.external_id)`,
      ]);
      return { customers: customers.map((r) => r.external_id), products: products.map((r) => r.external_id) };
    },

    async loadCustomerTable(datasetId: string, columns: readonly ColumnRequest[], expectedSize: number) {
      const builder = new CustomerTableBuilder(columns, expectedSize);
      // Only the requested attributes leave the database ($3…: the column names, as parameters),
      // each as its JSON text, decoded below without building an object per customer.
      const selected = columns.map((_, j) => `, attributes -> $${j + 4}`).join('');
      // Chunks are id ranges, so each query's cost is bounded whatever the planner's row estimates.
      const text = `SELECT id${selected} FROM customer WHERE dataset_id = $1::uuid AND id >= $2 AND id < $3 ORDER BY id`;
      const client = new pg.Client({ connectionString: databaseUrl });
      await client.connect();
      try {
        const bounds = await client.query<{ low: string | null; high: string | null }>(
          'SELECT min(id)::text AS low, max(id)::text AS high FROM customer WHERE dataset_id = $1::uuid',
          [datasetId],
        );
        const low = BigInt(bounds.rows[0]?.low ?? 1);
        const high = BigInt(bounds.rows[0]?.high ?? 0);
        const step = BigInt(LOAD_CHUNK_ROWS);
        const fetchFrom = (start: bigint) =>
          client.query<string[]>({ text, values: [datasetId, String(start), String(start + step), ...columns.map((c) => c.name)], rowMode: 'array', types: RAW_TEXT });
        const values = new Array<AttributeValue>(columns.length);
        // The next chunk is requested before this one is decoded, so the server works while we do.
        let pending = low <= high ? fetchFrom(low) : null;
        for (let start = low; pending; start += step) {
          const { rows } = await pending;
          pending = start + step <= high ? fetchFrom(start + step) : null;
          for (const row of rows) {
            for (let j = 0; j < columns.length; j++) values[j] = decodeJsonScalar(row[j + 1] ?? null);
            builder.add(Number(row[0]), values);
          }
        }
      } finally {
        await client.end();
      }
      return builder.build();
    },

    async loadPurchases(datasetId: string) {
      // DISTINCT: a customer who bought a product twice counts once as a buyer.
      const rows = await db.$queryRaw<Array<{ customer_id: bigint; product_id: bigint }>>`
        SELECT DISTINCT customer_id, product_id FROM interaction WHERE dataset_id = ${datasetId}::uuid`;
      return { customerIds: Float64Array.from(rows, (r) => Number(r.customer_id)), productIds: rows.map((r) => r.product_id) };
    },

    findQuality,

    async saveQuality(datasetId: string, report: DataQualityReport) {
      // The first report stored wins: requests computing one at once store it once and answer it alike.
      await db.$executeRaw`UPDATE dataset SET quality = ${JSON.stringify(report)}::jsonb WHERE id = ${datasetId}::uuid AND quality IS NULL`;
      return (await findQuality(datasetId)) ?? report;
    },

    async findHighCostProducts(datasetId: string, externalIds: readonly string[]) {
      // A flag may be stored as a JSON boolean, a number or text ("true", "yes"), under either spelling.
      const rows = await db.$queryRaw<Array<{ id: bigint; external_id: string; name: string }>>`
        SELECT id, external_id, name FROM product
        WHERE dataset_id = ${datasetId}::uuid
          AND (lower(coalesce(attributes ->> 'highCost', attributes ->> 'high_cost', '')) IN ('true', '1', 'yes', 'y')
               OR external_id = ANY(${[...externalIds]}::text[]))
        ORDER BY id`;
      return rows.map((row) => ({ id: BigInt(row.id), externalId: row.external_id, name: row.name }));
    },

    async pageCustomers(datasetId: string, afterId: string | null, limit: number) {
      // Served by the (dataset_id, id) index: a keyset page reads `limit` rows wherever it starts.
      const rows = await db.customer.findMany({
        where: { datasetId, ...(afterId === null ? {} : { id: { gt: BigInt(afterId) } }) },
        orderBy: { id: 'asc' },
        take: limit,
        select: { id: true, externalId: true, attributes: true },
      });
      return rows.map((row) => ({ id: row.id.toString(), externalId: row.externalId, attributes: row.attributes as CustomerAttributes }));
    },
  };
}

/** Every column as the text PostgreSQL sends: ids stay exact, JSON is decoded by decodeJsonScalar. */
const RAW_TEXT = { getTypeParser: () => (value: string) => value };

/** A JSON scalar from its text (attributes hold scalars only); objects or arrays count as missing. */
function decodeJsonScalar(text: string | null): AttributeValue {
  if (text === null || text === 'null') return null;
  const first = text.charCodeAt(0);
  if (first === 34 /* " */) return JSON.parse(text) as string;
  if (text === 'true') return true;
  if (text === 'false') return false;
  if (first === 123 /* { */ || first === 91 /* [ */) return null;
  return Number(text);
}

function chunks<T>(items: readonly T[]): T[][] {
  const result: T[][] = [];
  for (let start = 0; start < items.length; start += INSERT_CHUNK_ROWS) result.push(items.slice(start, start + INSERT_CHUNK_ROWS));
  return result;
}

async function insertCustomers(tx: Transaction, datasetId: string, externalIds: string[], attributes: CustomerAttributes[]) {
  const rows = externalIds.map((externalId, i) => ({ externalId, attributes: JSON.stringify(attributes[i]) }));
  for (const chunk of chunks(rows)) {
    await tx.$executeRaw`
      INSERT INTO customer (dataset_id, external_id, attributes)
      SELECT ${datasetId}::uuid, t.external_id, t.attributes::jsonb
      FROM unnest(${chunk.map((r) => r.externalId)}::text[], ${chunk.map((r) => r.attributes)}::text[]) AS t(external_id, attributes)`;
  }
}

async function insertProducts(tx: Transaction, datasetId: string, products: NewProduct[]) {
  for (const chunk of chunks(products)) {
    await tx.$executeRaw`
      INSERT INTO product (dataset_id, external_id, name, category, price, attributes)
      SELECT ${datasetId}::uuid, t.external_id, t.name, t.category, t.price, t.attributes::jsonb
      FROM unnest(
        ${chunk.map((p) => p.externalId)}::text[],
        ${chunk.map((p) => p.name)}::text[],
        ${chunk.map((p) => p.category)}::text[],
        ${chunk.map((p) => p.price)}::float8[],
        ${chunk.map((p) => (p.attributes ? JSON.stringify(p.attributes) : null))}::text[]
      ) AS t(external_id, name, category, price, attributes)`;
  }
}

async function insertInteractions(tx: Transaction, datasetId: string, interactions: NewInteraction[]) {
  for (const chunk of chunks(interactions)) {
    // Customers and products are resolved by external id through their unique indexes.
    const inserted = await tx.$executeRaw`
      INSERT INTO interaction (dataset_id, customer_id, product_id, quantity, amount, occurred_at)
      SELECT ${datasetId}::uuid, c.id, p.id, t.quantity, t.amount, t.occurred_at
      FROM unnest(
        ${chunk.map((i) => i.customerExternalId)}::text[],
        ${chunk.map((i) => i.productExternalId)}::text[],
        ${chunk.map((i) => i.quantity)}::float8[],
        ${chunk.map((i) => i.amount)}::float8[],
        ${chunk.map((i) => i.occurredAt?.toISOString() ?? null)}::timestamptz[]
      ) AS t(customer_external_id, product_external_id, quantity, amount, occurred_at)
      JOIN customer c ON c.dataset_id = ${datasetId}::uuid AND c.external_id = t.customer_external_id
      JOIN product p ON p.dataset_id = ${datasetId}::uuid AND p.external_id = t.product_external_id`;
    // The service checked every reference; a shortfall means a bug, and the transaction must not commit.
    if (inserted !== chunk.length) throw new Error(`stored ${inserted} of ${chunk.length} interactions`);
  }
}
