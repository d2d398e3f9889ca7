/**
 * GET /v1/models/:id/export: every customer of a dataset placed by one model version, streamed as
 * CSV or NDJSON for BI tools and warehouses (external id → persona → confidence).
 *
 * Customers are read in keyset pages of EXPORT_PAGE_ROWS and each page becomes one text chunk; the
 * chunks come from an async generator, so a page is read only when the client has taken the previous
 * ones (backpressure) and memory holds two pages whatever the dataset's size. Only the model's
 * features are taken from the stored attributes (other columns are not the model's business, as
 * /v1/assign ignores a dataset's non-feature columns); a customer whose values do not fit the model
 * gets an error row and the export goes on.
 */
import { customerPages } from './customer-pages.ts';
import { DomainError, NotFoundError, problemDocument, ValidationError } from '../domain/errors.ts';
import type { DatasetRepository, ModelRepository, StoredCustomer } from '../domain/repositories.ts';
import { assignCustomer } from './assignment.ts';
import type { Assignment } from './assignment.ts';
import type { CompiledModel } from './compiled-model.ts';
import type { ModelRegistry } from './registry.ts';

/** Customers per keyset page: a page of attributes stays about a megabyte, and a 20,000-customer export takes ten queries. */
export const EXPORT_PAGE_ROWS = 2_000;

export type ExportFormat = 'csv' | 'ndjson';

export const CSV_HEADER = ['external_id', 'persona_id', 'persona_key', 'persona_name', 'confidence', 'unclassified', 'distance', 'error'] as const;

export interface ExportOptions {
  format: ExportFormat;
  /** Dataset whose customers are placed; default: the model's training dataset. */
  datasetId?: string | undefined;
  /** URI of this export (urn:request:<id>); error records point into it. */
  instance: string;
  /** Called for a failure that is not a DomainError (a bug), before its row reports an internal error. */
  onUnexpectedError?: (error: unknown) => void;
  /** Called once the last row is produced, with the counts. */
  onFinished?: (counts: { customers: number; failed: number }) => void;
}

export interface ModelExport {
  model: { id: string; name: string; version: number };
  datasetId: string;
  contentType: string;
  fileName: string;
  /** The file's text, one chunk per page of customers, produced only as fast as it is read. */
  chunks: AsyncGenerator<string>;
}

type Outcome = { assignment: Assignment; error: null } | { assignment: null; error: DomainError };

export class ModelExportService {
  private readonly registry: ModelRegistry;
  private readonly models: ModelRepository;
  private readonly datasets: DatasetRepository;

  constructor(registry: ModelRegistry, models: ModelRepository, datasets: DatasetRepository) {
    this.registry = registry;
    this.models = models;
    this.datasets = datasets;
  }

  /**
   * Checks the model and dataset, then returns the export ready to stream (nothing is read yet).
   *
   * @throws NotFoundError for an unknown model or dataset
   * @throws ValidationError when the model records no dataset and none is given (/datasetId)
   */
  async open(modelId: string, options: ExportOptions): Promise<ModelExport> {
    const summary = await this.models.findById(modelId);
    if (!summary) throw new NotFoundError(`model ${modelId} does not exist`);
    const datasetId = options.datasetId ?? summary.datasetId;
    if (datasetId === null) {
      throw new ValidationError('the model does not record the dataset it was trained on', [
        { location: 'query', pointer: '/datasetId', code: 'required', message: 'give the dataset whose customers to export' },
      ]);
    }
    if (!(await this.datasets.findById(datasetId))) throw new NotFoundError(`dataset ${datasetId} does not exist`);
    const model = await this.registry.resolve(summary.id);
    const isCsv = options.format === 'csv';
    return {
      model: { id: model.id, name: model.name, version: model.version },
      datasetId,
      contentType: isCsv ? 'text/csv; charset=utf-8; header=present' : 'application/x-ndjson; charset=utf-8',
      fileName: `${model.name}-v${model.version}-personas.${isCsv ? 'csv' : 'ndjson'}`,
      chunks: this.produce(model, datasetId, options),
    };
  }

  private async *produce(model: CompiledModel, datasetId: string, options: ExportOptions): AsyncGenerator<string> {
    const isCsv = options.format === 'csv';
    let customers = 0;
    let failed = 0;
    if (isCsv) yield csvRow(CSV_HEADER);
    for await (const page of customerPages(this.datasets, datasetId, EXPORT_PAGE_ROWS)) {
      let text = '';
      for (const customer of page) {
        customers++;
        const outcome = this.place(model, customer, options);
        if (outcome.error) failed++;
        text += isCsv ? csvRecord(model, customer, outcome) : ndjsonRecord(model, customer, outcome, `${options.instance}#line=${customers}`);
      }
      if (text !== '') yield text;
    }
    options.onFinished?.({ customers, failed });
  }

  private place(model: CompiledModel, customer: StoredCustomer, options: ExportOptions): Outcome {
    try {
      return { assignment: assignCustomer(model, featureAttributes(model, customer.attributes), { suggestQuestion: false }), error: null };
    } catch (error) {
      if (error instanceof DomainError) return { assignment: null, error };
      options.onUnexpectedError?.(error);
      return { assignment: null, error: new DomainError('internal-error', 'an unexpected error occurred while placing this customer; quote the instance to the operators') };
    }
  }

}

/** Only the model's features: the dataset's other columns are not errors here. */
function featureAttributes(model: CompiledModel, attributes: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const picked: Record<string, unknown> = {};
  for (const feature of model.features) if (Object.hasOwn(attributes, feature.name)) picked[feature.name] = attributes[feature.name];
  return picked;
}

function csvRecord(model: CompiledModel, customer: StoredCustomer, outcome: Outcome): string {
  if (outcome.error) return csvRow([customer.externalId, '', '', '', '', '', '', errorText(outcome.error)]);
  const { assignment } = outcome;
  const persona = model.personas[assignment.personaIndex]!;
  return csvRow([customer.externalId, persona.id, persona.key, persona.name, String(assignment.confidence), String(assignment.isUnclassified), String(assignment.distance), '']);
}

function ndjsonRecord(model: CompiledModel, customer: StoredCustomer, outcome: Outcome, instance: string): string {
  if (outcome.error) {
    const { error } = outcome;
    return `${JSON.stringify({ customerId: customer.externalId, error: problemDocument(error.type, error.message, instance, error.errors) })}\n`;
  }
  const { assignment } = outcome;
  return `${JSON.stringify({
    customerId: customer.externalId,
    persona: model.personas[assignment.personaIndex]!,
    confidence: assignment.confidence,
    distance: assignment.distance,
    unclassified: assignment.isUnclassified,
  })}\n`;
}

/** The problem in one cell: its detail, then each field issue with its pointer. */
function errorText(error: DomainError): string {
  const issues = (error.errors ?? []).map((issue) => `${issue.pointer} ${issue.message}`);
  return issues.length === 0 ? error.message : `${error.message}: ${issues.join('; ')}`;
}

/** RFC 4180: CRLF line ends; a field holding a comma, quote or line break is quoted, quotes doubled. */
export function csvRow(fields: readonly string[]): string {
  return `${fields.map(csvField).join(',')}\r\n`;
}

const NEEDS_QUOTES = /[",\r\n]/;

function csvField(field: string): string {
  return NEEDS_QUOTES.test(field) ? `"${field.replaceAll('"', '""')}"` : field;
}
