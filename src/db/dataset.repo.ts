import { z } from 'zod';
import { ColumnProfile } from '../domain/dataset.ts';
import type { CustomerAttributes, DatasetSummary, NewDataset, NewInteraction, NewProduct } from '../domain/dataset.ts';
import type { DatasetRepository, Page } from '../domain/repositories.ts';
import type { Database } from './client.ts';
import type { Prisma } from './generated/client.ts';

type Transaction = Prisma.TransactionClient;

// Rows per INSERT … SELECT FROM unnest(…): one round trip moves thousands of rows, while a
// chunk's parameters stay a few megabytes.
const INSERT_CHUNK_ROWS = 5_000;
// Uploads of 100k+ rows outlive Prisma's default 5 s interactive-transaction timeout.
const UPLOAD_TRANSACTION = { maxWait: 10_000, timeout: 10 * 60_000 };

const ColumnProfiles = z.array(ColumnProfile);

const summarySelect = {
  id: true,
  name: true,
  idColumn: true,
  columns: true,
  createdAt: true,
  _count: { select: { customers: true, products: true, interactions: true } },
} as const;

type SummaryRow = Prisma.DatasetGetPayload<{ select: typeof summarySelect }>;

function toSummary(row: SummaryRow): DatasetSummary {
  return {
    id: row.id,
    name: row.name,
    idColumn: row.idColumn,
    columns: ColumnProfiles.parse(row.columns),
    createdAt: row.createdAt,
    counts: { customers: row._count.customers, products: row._count.products, interactions: row._count.interactions },
  };
}

export function createDatasetRepository(db: Database): DatasetRepository {
  async function findById(id: string): Promise<DatasetSummary | null> {
    const row = await db.dataset.findUnique({ where: { id }, select: summarySelect });
    return row ? toSummary(row) : null;
  }

  return {
    async create(dataset: NewDataset) {
      const id = await db.$transaction(async (tx) => {
        const created = await tx.dataset.create({
          data: { name: dataset.name, idColumn: dataset.idColumn, columns: dataset.columns },
          select: { id: true },
        });
        await insertCustomers(tx, created.id, dataset.customers.externalIds, dataset.customers.attributes);
        await insertProducts(tx, created.id, dataset.products);
        await insertInteractions(tx, created.id, dataset.interactions);
        return created.id;
      }, UPLOAD_TRANSACTION);
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

    async loadCustomers(datasetId: string) {
      const rows = await db.customer.findMany({
        where: { datasetId },
        select: { externalId: true, attributes: true },
        orderBy: { id: 'asc' },
      });
      return {
        externalIds: rows.map((row) => row.externalId),
        attributes: rows.map((row) => row.attributes as CustomerAttributes),
      };
    },

    async loadPurchases(datasetId: string) {
      // DISTINCT: a customer who bought a product twice counts once as a buyer.
      const rows = await db.$queryRaw<Array<{ external_id: string; product_id: bigint }>>`
        SELECT DISTINCT c.external_id, i.product_id
        FROM interaction i JOIN customer c ON c.id = i.customer_id
        WHERE i.dataset_id = ${datasetId}::uuid`;
      return { customerExternalIds: rows.map((r) => r.external_id), productIds: rows.map((r) => r.product_id) };
    },
  };
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
