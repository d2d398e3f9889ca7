import { parse } from 'csv-parse/sync';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPrismaClient } from '../../src/db/client.ts';
import type { Database } from '../../src/db/client.ts';
import { createDatasetRepository } from '../../src/db/dataset.repo.ts';
import { createModelRepository } from '../../src/db/model.repo.ts';
import type { DatasetRepository } from '../../src/domain/repositories.ts';
import { csvRow, EXPORT_PAGE_ROWS, ModelExportService } from '../../src/services/model-export.ts';
import { buildTestApp } from '../helpers/app.ts';
import type { TestApp } from '../helpers/app.ts';
import { SEGMENTS, trainSegmentModel } from '../helpers/factories.ts';

describe('csvRow', () => {
  it('gives back the same fields when parsed as RFC 4180 CSV', () => {
    fc.assert(
      fc.property(fc.array(fieldText, { minLength: 2, maxLength: 6 }), (fields) => {
        expect(parse(csvRow(fields), { record_delimiter: '\r\n' })).toEqual([fields]);
      }),
    );
  });

  it('quotes only the fields that need it and ends the row with CRLF', () => {
    expect(csvRow(['plain', 'a,b', 'say "hi"', 'two\nlines', ''])).toBe('plain,"a,b","say ""hi""","two\nlines",\r\n');
  });
});

describe('ModelExportService', () => {
  const PAGES = 3;
  let t: TestApp;
  let database: Database;
  let modelId: string;
  let datasetId: string;
  let pageReads: number;
  let service: ModelExportService;

  beforeAll(async () => {
    t = await buildTestApp();
    ({ model: { id: modelId } } = await trainSegmentModel(t.app, t.admin, { name: 'export-service' }));
    // One customer beyond whole pages, so the last page is a partial one.
    const customers = Array.from({ length: PAGES * EXPORT_PAGE_ROWS + 1 }, (_, i) => {
      const segment = SEGMENTS[i % SEGMENTS.length]!;
      return { customer_id: `P${i}`, age: segment.age, income: segment.income, home_ownership: segment.home, web_visits: 5 };
    });
    const upload = await t.app.inject({ method: 'POST', url: '/v1/datasets', headers: t.admin, payload: { idColumn: 'customer_id', customers } });
    expect(upload.statusCode).toBe(201);
    datasetId = upload.json().id;

    database = createPrismaClient({ url: t.database.url, poolSize: 2 });
    const datasets = createDatasetRepository(database, t.database.url);
    const countingDatasets: DatasetRepository = {
      ...datasets,
      pageCustomers: (...args) => {
        pageReads++;
        return datasets.pageCustomers(...args);
      },
    };
    service = new ModelExportService(t.app.services.registry, createModelRepository(database), countingDatasets);
  });
  afterAll(async () => {
    await database?.$disconnect();
    await t?.close();
  });

  it('reads a page of customers only when the chunks before it have been taken, at most one page ahead', async () => {
    pageReads = 0;
    let finished: { customers: number; failed: number } | null = null;
    const exported = await service.open(modelId, { format: 'csv', datasetId, instance: 'urn:test', onFinished: (counts) => (finished = counts) });
    expect(pageReads).toBe(0);
    const header = await exported.chunks.next();
    expect(header.value).toBe('external_id,persona_id,persona_key,persona_name,confidence,unclassified,distance,error\r\n');
    expect(pageReads).toBe(0);
    for (let taken = 1; taken <= PAGES; taken++) {
      const chunk = await exported.chunks.next();
      expect(chunk.value.split('\r\n')).toHaveLength(EXPORT_PAGE_ROWS + 1);
      // This page and the next one, requested while this one is written out.
      expect(pageReads).toBe(taken + 1);
    }
    const last = await exported.chunks.next();
    expect(last.value).toMatch(/^P6000,/);
    expect((await exported.chunks.next()).done).toBe(true);
    expect(pageReads).toBe(PAGES + 1);
    expect(finished).toEqual({ customers: PAGES * EXPORT_PAGE_ROWS + 1, failed: 0 });
  });

  it('stops reading when the consumer stops early', async () => {
    pageReads = 0;
    const exported = await service.open(modelId, { format: 'ndjson', datasetId, instance: 'urn:test' });
    const first = await exported.chunks.next();
    expect(JSON.parse(first.value.split('\n')[0])).toMatchObject({ customerId: 'P0' });
    await exported.chunks.return(undefined);
    expect(pageReads).toBe(2);
  });

  it('names the file after the model version and format', async () => {
    const csv = await service.open(modelId, { format: 'csv', instance: 'urn:test' });
    const ndjson = await service.open(modelId, { format: 'ndjson', instance: 'urn:test' });
    expect([csv.fileName, ndjson.fileName]).toEqual(['export-service-v1-personas.csv', 'export-service-v1-personas.ndjson']);
    await Promise.all([csv.chunks.return(undefined), ndjson.chunks.return(undefined)]);
  });
});

/** Any text, with the characters CSV must quote made frequent. */
const fieldText = fc.string({ unit: fc.oneof(fc.constantFrom(',', '"', '\r', '\n', ' '), fc.string({ unit: 'grapheme', minLength: 1, maxLength: 1 })), maxLength: 12 });
