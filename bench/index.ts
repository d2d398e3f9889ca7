/**
 * `npm run bench`: every engine benchmark in turn, each printing its figures beside the baseline it
 * measures in the same run. `npm run bench -- kmeans gmm` runs only those.
 *
 *   kmeans       1,000,000 × 12, k = 8: ours (1 and all threads, mini-batch) vs ml-kmeans
 *   kprototypes  200,000 × (8 numeric + 4 categorical), k = 8
 *   gmm          200,000 × 12, k = 8, diagonal covariance (vs scikit-learn when installed)
 *   silhouette   1,000,000 rows scored on a seeded sample of 5,000
 *   data-quality 1,000,000 × 12: the upload's data-quality report vs type inference alone
 *   training     1,000,000 customers end to end through PostgreSQL: time and peak RSS
 *
 * Evaluations run only by name (`npm run bench -- recommendations`):
 *
 *   recommendations  hit rate at 5 on UCI Online Retail, last invoice held out, vs most popular
 */
import { spawnSync } from 'node:child_process';

const BENCHMARKS = ['kmeans', 'kprototypes', 'gmm', 'silhouette', 'data-quality', 'training'] as const;
const EVALUATIONS = ['recommendations'] as const;
const known: readonly string[] = [...BENCHMARKS, ...EVALUATIONS];
const chosen = process.argv.slice(2).filter((name) => !name.startsWith('-'));
const unknown = chosen.filter((name) => !known.includes(name));
if (unknown.length > 0) {
  console.error(`unknown benchmark ${unknown.join(', ')}; choose from ${known.join(', ')}`);
  process.exit(2);
}
for (const name of chosen.length > 0 ? chosen : BENCHMARKS) {
  console.log(`\n== ${name}`);
  const result = spawnSync(process.execPath, [new URL(`./${name}.ts`, import.meta.url).pathname], { stdio: 'inherit' });
  if (result.status !== 0) process.exit(result.status ?? 1);
}
