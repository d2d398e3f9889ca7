/**
 * Offline evaluation of recommendations on the UCI Online Retail line sample
 * (../shared/data/online_retail_sample: 40,000 invoice lines with products; the invoice-level file
 * has no product column). Each customer's last invoice is held out (src/services/recommendation-evaluation.ts
 * says why the invoice and not the line); the rest goes through the service as an operator would
 * send it: POST /v1/datasets/from-transactions (RFM customers, products, purchases), then a
 * training of `k` personas on RFM. Every evaluated customer is then recommended 5 products that
 * they have not bought, and a hit is one of their held-out new products among them.
 *
 * Printed: hit rate at 5 of the API (RecommendationService.forCustomer with the customer's RFM
 * attributes and id, so its stored purchases are excluded) under each ranking rule, beside the same
 * rankings recomputed from the training counts and the most-popular baseline.
 *
 *   node bench/recommendations.ts [--data path.csv] [--k 2,4,8] [--min-support 5,20]
 *
 * Runs on DATABASE_URL's server in a scratch database dropped at the end, or on an embedded
 * PostgreSQL in a temporary folder.
 */
import { readFile, chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { buildApp } from '../src/app.ts';
import { loadConfig } from '../src/config.ts';
import { createPrismaClient } from '../src/db/client.ts';
import { startEmbeddedPostgres } from '../src/db/embedded-postgres.ts';
import { applyMigrations } from '../src/db/migrate.ts';
import { createLogger } from '../src/logger.ts';
import type { RankingRule } from '../src/domain/persona.ts';
import { hitRateAtK, PersonaProductRankings, splitLastPurchase } from '../src/services/recommendation-evaluation.ts';
import type { EvaluatedRanking, PurchaseLine } from '../src/services/recommendation-evaluation.ts';
import { parseCsv } from '../src/services/tabular.ts';
import type { Row } from '../src/services/tabular.ts';
import { detectTransactionColumns, summarizeTransactions } from '../src/services/transactions.ts';

const TOP = 5;
const RFM = ['recency_days', 'frequency', 'monetary', 'tenure_days'] as const;

const { values } = parseArgs({
  options: {
    data: { type: 'string', default: new URL('../../shared/data/online_retail_sample/online_retail_40k_sample.csv', import.meta.url).pathname },
    k: { type: 'string', default: '2,4,8' },
    'min-support': { type: 'string', default: '5,20' },
  },
});
const ks = values.k.split(',').map(Number);
const minSupports = values['min-support'].split(',').map(Number);

const started = performance.now();
const { rows, columns: headers } = parseCsv(await readFile(values.data, 'utf8'));
const columns = detectTransactionColumns(headers, {});
const text = (value: unknown): string | null => (value === null || value === undefined || String(value).trim() === '' ? null : String(value).trim());

// The cleaning of summarizeTransactions: only purchases (a customer, not a "C" invoice, positive quantity and price) can be held out.
const purchaseRows: number[] = [];
const lines: PurchaseLine[] = [];
rows.forEach((row, i) => {
  const customerId = text(row[columns.customer]);
  const invoiceId = text(row[columns.invoice!]);
  const productId = text(row[columns.product!]);
  const quantity = row[columns.quantity!];
  const price = row[columns.price!];
  if (customerId === null || invoiceId === null || productId === null || invoiceId.toUpperCase().startsWith('C')) return;
  if (typeof quantity !== 'number' || quantity <= 0 || typeof price !== 'number' || price <= 0) return;
  const occurredAtMs = Date.parse(`${String(row[columns.date]).replace(' ', 'T')}Z`);
  if (Number.isNaN(occurredAtMs)) return;
  purchaseRows.push(i);
  lines.push({ customerId, invoiceId, productId, occurredAtMs });
});
const split = splitLastPurchase(lines);
const heldOutRows = new Set(purchaseRows.filter((_, j) => split.isHeldOut[j] === 1));
const trainingRows: Row[] = rows.filter((_, i) => !heldOutRows.has(i));
const training = summarizeTransactions(trainingRows, { columns });
const attributesOf = new Map(training.customers.map((customer) => [String(customer.customer_id), Object.fromEntries(RFM.map((name) => [name, customer[name]]))]));
const ownedBy = new Map<string, Set<string>>();
for (const { customerId, productId } of training.interactions) {
  let owned = ownedBy.get(customerId);
  if (!owned) ownedBy.set(customerId, (owned = new Set()));
  owned.add(productId);
}

console.log(`data: ${values.data}`);
console.log(
  `  ${rows.length.toLocaleString('en-US')} lines, ${lines.length.toLocaleString('en-US')} purchases of ${split.counts.customers.toLocaleString('en-US')} customers; ` +
    `held out: the last invoice of the ${(split.counts.customers - split.counts.singleInvoice).toLocaleString('en-US')} customers with 2+ invoices (${heldOutRows.size.toLocaleString('en-US')} lines); ` +
    `evaluated: ${split.counts.evaluated.toLocaleString('en-US')} customers whose last invoice has a product new to them (${split.counts.onlyRepeats} had only repeats)`,
);
console.log(`  training: ${training.customers.length.toLocaleString('en-US')} customers, ${training.products.length.toLocaleString('en-US')} products, ${training.interactions.length.toLocaleString('en-US')} customer × product pairs`);

const database = await openScratchDatabase();
try {
  await applyMigrations(database.url);
  const config = { ...loadConfig({ LOG_LEVEL: 'silent', DEMO_ON_EMPTY: 'false', RATE_LIMIT_ENABLED: 'false' }) };
  const app = await buildApp(config, { database: createPrismaClient({ url: database.url, poolSize: 4 }), databaseUrl: database.url, logger: createLogger(config), loadModelsOnReady: false });
  await app.ready();
  try {
    const dataset = await app.services.datasets.createFromTransactions(trainingRows, { name: 'retail-evaluation', columns: {} });
    for (const k of ks) {
      const model = await app.services.models.train({ name: `retail-evaluation-k${k}`, datasetId: dataset.id, features: [...RFM], k, seed: 42 });
      // Every training customer's persona as /v1/assign gives it, for the recomputed rankings.
      const personaOf = new Map<string, number>();
      let unclassified = 0;
      for (const [customerId, attributes] of attributesOf) {
        const assignment = await app.services.assignment.assign(attributes, model.id);
        personaOf.set(customerId, assignment.personaIndex);
        if (split.targets.has(customerId) && assignment.isUnclassified) unclassified++;
      }
      const rankings = new PersonaProductRankings(personaOf, training.interactions, k);
      const sizes = model.personas.map((persona) => `${persona.name} ${persona.size}`).join(', ');
      console.log(`\nk = ${k} (${sizes}); ${unclassified} evaluated customers are unclassified (the API recommends them nothing)`);
      console.log(`  ${'ranking'.padEnd(34)}min support   hit rate@5   hits / customers   vs popularity`);

      const report = (label: string, minSupport: number | string, recommended: Map<string, string[]>, baseline: number) => {
        const { hits, customers, rate } = hitRateAtK(recommended, split.targets, TOP);
        console.log(`  ${label.padEnd(34)}${String(minSupport).padStart(11)}   ${(rate * 100).toFixed(2).padStart(9)}%   ${`${hits} / ${customers}`.padStart(16)}   ${baseline === 0 ? '' : `${(rate / baseline).toFixed(2)}×`}`);
        return rate;
      };
      const recomputed = (ranking: EvaluatedRanking, minSupport: number) =>
        new Map([...split.targets.keys()].map((customerId) => [customerId, rankings.recommend(ranking, personaOf.get(customerId) ?? 0, ownedBy.get(customerId) ?? new Set(), TOP, minSupport)]));
      const baseline = report('most popular (baseline)', 1, recomputed('popularity', 1), 0);
      for (const minSupport of minSupports) {
        for (const ranking of ['lift', 'confidence', 'confidenceTimesLift'] as const) report(`${ranking} (recomputed)`, minSupport, recomputed(ranking, minSupport), baseline);
        for (const rankBy of ['lift', 'confidence'] as RankingRule[]) {
          const api = new Map<string, string[]>();
          for (const customerId of split.targets.keys()) {
            const answer = await app.services.recommendations.forCustomer({ attributes: attributesOf.get(customerId)!, customerId, limit: TOP, minSupport, rankBy }, model.id);
            api.set(customerId, answer.items.map((item) => item.product.id));
          }
          report(`API, rankBy=${rankBy}`, minSupport, api, baseline);
        }
      }
    }
  } finally {
    await app.close();
  }
} finally {
  await database.drop();
}
console.log(`\n(${((performance.now() - started) / 1000).toFixed(1)} s)`);

/** A fresh database: on DATABASE_URL's server (dropped afterwards) or an embedded PostgreSQL in a temporary folder. */
async function openScratchDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  const serverUrl = loadConfig().databaseUrl;
  if (serverUrl !== null) {
    const name = `persona_bench_${process.pid}`;
    const admin = new pg.Client({ connectionString: serverUrl });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${name}`);
    const url = new URL(serverUrl);
    url.pathname = `/${name}`;
    return {
      url: url.toString(),
      async drop() {
        await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
        await admin.end();
      },
    };
  }
  const folder = await mkdtemp(join(tmpdir(), 'persona-bench-'));
  // mkdtemp makes the folder private; PostgreSQL runs as its own user (when we are root) and must enter it.
  await chmod(folder, 0o755);
  const embedded = await startEmbeddedPostgres({ dataDir: join(folder, 'pg'), isEphemeral: true });
  return {
    url: embedded.url,
    async drop() {
      await embedded.stop();
      await rm(folder, { recursive: true, force: true });
    },
  };
}
