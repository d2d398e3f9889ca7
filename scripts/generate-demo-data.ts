// Writes the seeded demo insurance book (src/demo/insurance-book.ts) as customers.csv, products.csv and
// interactions.csv, ready to upload in the README walkthrough.
//
//   node scripts/generate-demo-data.ts [--customers N] [--seed S] [--out DIR]   (defaults: 5000, 42, ./demo-data)
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { generateInsuranceBook, insuranceBookToCsv } from '../src/demo/insurance-book.ts';

const usage = 'usage: node scripts/generate-demo-data.ts [--customers N] [--seed S] [--out DIR]';

function parseInteger(name: string, text: string, minimum: number): number {
  const value = Number(text);
  if (text.trim() === '' || !Number.isSafeInteger(value) || value < minimum) {
    fail(`--${name} must be an integer ≥ ${minimum}, got "${text}"`);
  }
  return value;
}

function fail(message: string): never {
  console.error(`${message}\n${usage}`);
  process.exit(2);
}

let values;
try {
  ({ values } = parseArgs({
    options: {
      customers: { type: 'string', default: '5000' },
      seed: { type: 'string', default: '42' },
      out: { type: 'string', default: './demo-data' },
      help: { type: 'boolean', short: 'h', default: false },
    },
    strict: true,
  }));
} catch (error) {
  fail((error as Error).message);
}
if (values.help) {
  console.log(usage);
  process.exit(0);
}

const customers = parseInteger('customers', values.customers, 1);
const seed = parseInteger('seed', values.seed, 0);
const outDir = resolve(values.out);

const startedMs = performance.now();
const book = generateInsuranceBook({ customers, seed });
const csv = insuranceBookToCsv(book);
mkdirSync(outDir, { recursive: true });
for (const table of ['customers', 'products', 'interactions'] as const) {
  writeFileSync(join(outDir, `${table}.csv`), csv[table]);
}
const durationMs = Math.round(performance.now() - startedMs);
console.log(
  `wrote ${book.customers.length} customers, ${book.products.length} products and ${book.interactions.length} interactions ` +
    `(seed ${seed}) to ${outDir} in ${durationMs} ms`,
);
