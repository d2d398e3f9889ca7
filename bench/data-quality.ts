/**
 * The data-quality report of an upload on a large customer base: the demo insurance book (1,000,000
 * customers × 12 attribute columns, seeded), against the column type inference alone — what an
 * upload computed before reports existed — measured in the same run. Both run at every upload.
 *
 *   node bench/data-quality.ts [--customers 1000000]
 */
import { parseArgs } from 'node:util';
import { DEMO_CUSTOMER_COLUMNS, generateInsuranceBook } from '../src/demo/insurance-book.ts';
import { profileColumns } from '../src/services/columns.ts';
import { assessDataQuality } from '../src/services/data-quality.ts';

const { values } = parseArgs({ options: { customers: { type: 'string', default: '1000000' } } });
const customers = Number(values.customers);
const columns = DEMO_CUSTOMER_COLUMNS.filter((column) => column !== 'customer_id');
const rows = generateInsuranceBook({ customers, seed: 1 }).customers.map(({ customer_id: _id, ...attributes }) => attributes);

const median = (run: () => void): number => {
  const times: number[] = [];
  for (let round = 0; round < 3; round++) {
    const started = performance.now();
    run();
    times.push(performance.now() - started);
  }
  return times.sort((a, b) => a - b)[1]!;
};

const inference = median(() => profileColumns(columns, rows));
let flagged = 0;
const report = median(() => {
  const { report: quality } = assessDataQuality(columns, rows, { rowsReceived: customers, duplicateIdRows: 0, duplicateIds: 0, missingValueCodes: [], computedAt: new Date() });
  flagged = quality.summary.flaggedColumns;
});
const size = `${customers.toLocaleString('en-US')} × ${columns.length}`;
console.log(`type inference alone (baseline), ${size}: ${inference.toFixed(0)} ms (median of 3)`);
console.log(`data-quality report, ${size}: ${report.toFixed(0)} ms (median of 3), ${flagged} columns flagged; ratio ${(report / inference).toFixed(2)} × the baseline; peak RSS ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB`);
