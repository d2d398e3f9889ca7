/**
 * The demo that makes a fresh install useful at once: on an empty database, load the seeded
 * insurance book, train a model on it and activate it, so the first /v1/assign call works.
 */
import { generateInsuranceBook } from '../demo/insurance-book.ts';
import type { DatasetService } from './datasets.ts';
import type { ModelService } from './models.ts';
import type { ModelSummary } from '../domain/model.ts';

export const DEMO_MODEL_NAME = 'insurance-demo';
const DEMO_CUSTOMERS = 5_000;
const DEMO_SEED = 42;
const DEMO_PERSONAS = 5;
/** Recorded as the actor of the demo model's activation in its history. */
const DEMO_ACTOR = 'demo seed';

export interface DemoResult {
  datasetId: string;
  model: ModelSummary;
}

export class DemoService {
  private readonly datasets: DatasetService;
  private readonly models: ModelService;

  constructor(datasets: DatasetService, models: ModelService) {
    this.datasets = datasets;
    this.models = models;
  }

  /** Loads, trains and activates the demo when the database holds no dataset and no model. */
  async seedIfEmpty(): Promise<DemoResult | null> {
    const [datasets, models] = await Promise.all([
      this.datasets.list({ limit: 1, offset: 0 }),
      this.models.list({}, { limit: 1, offset: 0 }),
    ]);
    if (datasets.total > 0 || models.total > 0) return null;
    return this.seed();
  }

  async seed(): Promise<DemoResult> {
    const book = generateInsuranceBook({ customers: DEMO_CUSTOMERS, seed: DEMO_SEED });
    const dataset = await this.datasets.create({
      name: 'Insurance book (demo)',
      idColumn: 'customer_id',
      rows: book.customers,
      products: book.products,
      interactions: book.interactions,
    });
    const model = await this.models.train({ name: DEMO_MODEL_NAME, datasetId: dataset.id, k: DEMO_PERSONAS, seed: DEMO_SEED });
    // Strict governance refuses unaudited versions; the demo's own model is activated with a recorded reason.
    const gate = await this.models.fairnessGate(model.id);
    await this.models.activate(model.id, DEMO_ACTOR, gate.allowed ? {} : { override: { reason: 'demo data loaded on an empty database (not audited)' } });
    return { datasetId: dataset.id, model };
  }
}
