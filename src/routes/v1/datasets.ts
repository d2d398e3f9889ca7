import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import { DomainError } from '../../domain/errors.ts';
import { commonProblems, IdParams, pageOf, PageQuery, Problem } from '../../schemas/common.ts';
import { DataQualityReport, Dataset, DatasetFromTransactions, DatasetProfileQuery, DatasetUploadBody, DatasetUploaded, DatasetUploadQuery, InteractionsBody, ProductsBody, TransactionLines, TransactionsQuery } from '../../schemas/datasets.ts';
import type { TextTable } from '../../services/datasets.ts';
import { auditTarget, noteAudit } from './audit-note.ts';
import { toDatasetDto } from './mappers.ts';

const CSV_TEXT = z.string().describe('CSV with a header row; `,`, `;` or tab separated (detected)');
const NDJSON_TEXT = z.string().describe('One JSON object per line');

/** Upload routes take JSON, CSV or NDJSON, each with its own schema (the body is one of them). */
function bodyByMediaType<T extends z.ZodType>(json: T) {
  return {
    content: {
      'application/json': { schema: json },
      'text/csv': { schema: CSV_TEXT },
      'application/x-ndjson': { schema: NDJSON_TEXT },
    },
  };
}

/** The body as text to parse when it is CSV or NDJSON; null for JSON (already parsed and validated). */
function textTableOf(request: FastifyRequest): TextTable | null {
  if (typeof request.body !== 'string') return null;
  const mediaType = request.headers['content-type']?.split(';', 1)[0]?.trim().toLowerCase();
  if (mediaType === 'text/csv') return { format: 'csv', text: request.body };
  if (mediaType === 'application/x-ndjson' || mediaType === 'application/ndjson') return { format: 'ndjson', text: request.body };
  throw new DomainError('unsupported-media-type', `Content-Type ${mediaType ?? '(none)'} is not accepted here`);
}

export const datasetRoutes: FastifyPluginAsyncZod<{ uploadLimitBytes: number }> = async (app, { uploadLimitBytes }) => {
  const uploadProblems = { ...commonProblems, 404: Problem, 413: Problem, 415: Problem } as const;

  app.post(
    '/datasets',
    {
      config: { scope: 'admin', audit: 'dataset.upload' },
      bodyLimit: uploadLimitBytes,
      schema: {
        tags: ['datasets'],
        summary: 'Upload customers (and optionally products and purchases)',
        description: `Customers as a JSON array, NDJSON or CSV (header row; \`,\`, \`;\` or tab detected; empty cells and NA/N/A/null/? are missing). A JSON object body may add products and interactions. All or nothing: a rejected upload stores nothing and lists its first ${20} problems by record and column. Limit: ${uploadLimitBytes} bytes per request.`,
        security: [{ apiKey: [] }],
        querystring: DatasetUploadQuery,
        body: bodyByMediaType(DatasetUploadBody) as never,
        response: { 201: DatasetUploaded, ...uploadProblems },
      },
    },
    async (request, reply) => {
      const query = request.query;
      const text = textTableOf(request);
      const body = request.body as z.infer<typeof DatasetUploadBody>;
      const dataset = text
        ? await app.services.datasets.createFromText(text, query)
        : Array.isArray(body)
          ? await app.services.datasets.create({ ...query, rows: body })
          : await app.services.datasets.create({
              name: body.name ?? query.name,
              idColumn: body.idColumn === undefined ? query.idColumn : body.idColumn,
              valueColumn: body.valueColumn ?? query.valueColumn,
              valueKind: body.valueKind ?? query.valueKind,
              tenureColumn: body.tenureColumn ?? query.tenureColumn,
              tenureUnit: body.tenureUnit ?? query.tenureUnit,
              duplicateIds: query.duplicateIds,
              missingValues: query.missingValues,
              protectedAttributes: body.protectedAttributes ?? query.protectedAttributes,
              rows: body.customers,
              products: body.products,
              interactions: body.interactions,
              pointers: { customers: '/customers', products: '/products', interactions: '/interactions' },
            });
      request.log.info({ datasetId: dataset.id, ...dataset.counts, droppedDuplicateIds: dataset.quality.rows.duplicateIdRows }, 'dataset uploaded');
      auditTarget(request, dataset.id);
      noteAudit(request, dataset.counts);
      return reply.code(201).header('location', `/v1/datasets/${dataset.id}`).send({ ...toDatasetDto(dataset), quality: dataset.quality });
    },
  );

  app.post(
    '/datasets/profile',
    {
      config: { scope: 'admin' },
      bodyLimit: uploadLimitBytes,
      schema: {
        tags: ['datasets'],
        summary: 'Data-quality report of an upload, without storing it (dry run)',
        description:
          'Takes the same bodies as POST /v1/datasets and answers the report that upload would store. Repeated external ids are counted instead of rejected (as with duplicateIds=keep-first); products and interactions are ignored. Nothing is stored, so nothing is audited.',
        security: [{ apiKey: [] }],
        querystring: DatasetProfileQuery,
        body: bodyByMediaType(DatasetUploadBody) as never,
        response: { 200: DataQualityReport, ...uploadProblems },
      },
    },
    async (request) => {
      const query = request.query;
      const text = textTableOf(request);
      const body = request.body as z.infer<typeof DatasetUploadBody>;
      if (text) return app.services.datasets.profileUpload({ source: text, options: query });
      if (Array.isArray(body)) return app.services.datasets.profileUpload({ ...query, rows: body });
      return app.services.datasets.profileUpload({ idColumn: body.idColumn === undefined ? query.idColumn : body.idColumn, missingValues: query.missingValues, rows: body.customers, pointers: { customers: '/customers', products: '/products', interactions: '/interactions' } });
    },
  );

  app.post(
    '/datasets/from-transactions',
    {
      config: { scope: 'admin', audit: 'dataset.import_transactions' },
      bodyLimit: uploadLimitBytes,
      schema: {
        tags: ['datasets'],
        summary: 'Create a dataset of customers with RFM features from transaction lines',
        description:
          'Transaction lines (invoices, orders) as CSV, NDJSON or a JSON array become one customer each with recency_days, frequency, monetary and tenure_days. Lines without a customer, cancellations ("C" invoices) and non-positive quantities, prices or amounts are dropped and counted. With a product column, products and purchases are stored too, so the personas get recommendations.',
        security: [{ apiKey: [] }],
        querystring: TransactionsQuery,
        body: bodyByMediaType(TransactionLines) as never,
        response: { 201: DatasetFromTransactions, ...uploadProblems },
      },
    },
    async (request, reply) => {
      const { name, referenceDate, dateOrder, ...columns } = request.query;
      const dataset = await app.services.datasets.createFromTransactions(textTableOf(request) ?? (request.body as z.infer<typeof TransactionLines>), {
        name,
        referenceDate,
        dateOrder,
        columns: {
          customer: columns.customerColumn,
          date: columns.dateColumn,
          invoice: columns.invoiceColumn,
          quantity: columns.quantityColumn,
          price: columns.priceColumn,
          amount: columns.amountColumn,
          product: columns.productColumn,
          productName: columns.productNameColumn,
        },
      });
      request.log.info({ datasetId: dataset.id, ...dataset.counts, kept: dataset.transactions.kept }, 'dataset created from transactions');
      auditTarget(request, dataset.id);
      noteAudit(request, dataset.counts);
      return reply.code(201).header('location', `/v1/datasets/${dataset.id}`).send({ ...toDatasetDto(dataset), transactions: dataset.transactions });
    },
  );

  app.post(
    '/datasets/:id/products',
    {
      config: { scope: 'admin', audit: 'dataset.add_products' },
      bodyLimit: uploadLimitBytes,
      schema: {
        tags: ['datasets'],
        summary: 'Add products to a dataset',
        security: [{ apiKey: [] }],
        params: IdParams,
        body: bodyByMediaType(ProductsBody) as never,
        response: { 200: Dataset, ...uploadProblems },
      },
    },
    async (request) => {
      const products = textTableOf(request) ?? (request.body as z.infer<typeof ProductsBody>);
      return toDatasetDto(await app.services.datasets.addProducts(request.params.id, products));
    },
  );

  app.post(
    '/datasets/:id/interactions',
    {
      config: { scope: 'admin', audit: 'dataset.add_interactions' },
      bodyLimit: uploadLimitBytes,
      schema: {
        tags: ['datasets'],
        summary: "Add purchases (customer × product) to a dataset",
        description: 'Every purchase must name a customer and a product of the dataset.',
        security: [{ apiKey: [] }],
        params: IdParams,
        body: bodyByMediaType(InteractionsBody) as never,
        response: { 200: Dataset, ...uploadProblems },
      },
    },
    async (request) => {
      const interactions = textTableOf(request) ?? (request.body as z.infer<typeof InteractionsBody>);
      return toDatasetDto(await app.services.datasets.addInteractions(request.params.id, interactions));
    },
  );

  app.get(
    '/datasets',
    {
      config: { scope: 'read' },
      schema: {
        tags: ['datasets'],
        summary: 'List datasets, newest first',
        security: [{ apiKey: [] }],
        querystring: PageQuery,
        response: { 200: pageOf(Dataset), ...commonProblems },
      },
    },
    async (request) => {
      const { limit, offset } = request.query;
      const page = await app.services.datasets.list({ limit, offset });
      return { items: page.items.map(toDatasetDto), total: page.total, limit, offset };
    },
  );

  app.get(
    '/datasets/:id',
    {
      config: { scope: 'read' },
      schema: {
        tags: ['datasets'],
        summary: 'Get a dataset with its column types and row counts',
        security: [{ apiKey: [] }],
        params: IdParams,
        response: { 200: Dataset, ...commonProblems, 404: Problem },
      },
    },
    async (request) => toDatasetDto(await app.services.datasets.get(request.params.id)),
  );

  app.get(
    '/datasets/:id/profile',
    {
      config: { scope: 'read' },
      schema: {
        tags: ['datasets'],
        summary: 'Data-quality report of a dataset',
        description:
          'Per column: inferred type, missing share, distinct and top values, range, quantiles, outlier share, flags (missing, mostly-missing, empty, constant, id-like, mixed-types, too-many-categories, sentinel) and a verdict (usable, usable-with-imputation, excluded) with its reason; for the dataset, duplicated ids and rows. Computed at upload; for datasets uploaded before reports existed, computed on the first request and stored (its verdicts are then advisory: training keeps the column types stored at upload).',
        security: [{ apiKey: [] }],
        params: IdParams,
        response: { 200: DataQualityReport, ...commonProblems, 404: Problem },
      },
    },
    async (request) => app.services.datasets.quality(request.params.id),
  );
};
