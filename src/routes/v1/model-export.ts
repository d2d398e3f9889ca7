import { Readable } from 'node:stream';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { commonProblems, IdParams, Problem } from '../../schemas/common.ts';
import { ExportCsv, ExportNdjson, ExportQuery } from '../../schemas/export.ts';

export const modelExportRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get(
    '/models/:id/export',
    {
      config: { scope: 'read' },
      schema: {
        tags: ['models'],
        summary: 'Export the persona of every customer of a dataset as CSV or NDJSON',
        description:
          "Places every customer of a dataset (default: the model's training dataset) with this model version, active or not, and streams external id → persona → confidence, one row per customer in upload order, as a file download (`<model>-v<version>-personas.csv`). Streams with constant memory and backpressure, so any dataset size works; a customer whose values do not fit the model gets an error row and the export goes on. Only the model's features are read from each customer; assignments made here are not logged.",
        security: [{ apiKey: [] }],
        params: IdParams,
        querystring: ExportQuery,
        response: {
          200: { description: 'The export file', content: { 'text/csv': { schema: ExportCsv }, 'application/x-ndjson': { schema: ExportNdjson } } },
          ...commonProblems,
          404: Problem,
          503: Problem,
        },
      },
    },
    async (request, reply) => {
      const startedAt = performance.now();
      const { format, datasetId } = request.query;
      const exported = await app.services.modelExport.open(request.params.id, {
        format,
        datasetId,
        instance: `urn:request:${request.id}`,
        onUnexpectedError: (error) => request.log.error({ err: error }, 'unexpected error while exporting a customer'),
        onFinished: ({ customers, failed }) =>
          request.log.info({ modelId: exported.model.id, datasetId: exported.datasetId, format, customers, failed, durationMs: Math.round(performance.now() - startedAt) }, 'export finished'),
      });
      // One chunk (a page of customers) buffered ahead of the socket: memory stays a page or two.
      const body = Readable.from(exported.chunks, { highWaterMark: 1 });
      // The reply's typed payload is the schema's string; a stream is sent as is (Fastify never serializes streams).
      return reply.type(exported.contentType).header('content-disposition', `attachment; filename="${exported.fileName}"`).send(body as unknown as string);
    },
  );
};
