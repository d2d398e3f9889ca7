import { createPrismaClient } from '../src/db/client.ts';
import { createModelRepository } from '../src/db/model.repo.ts';
import { compileModel } from '../src/services/compiled-model.ts';
import { assignCustomer } from '../src/services/assignment.ts';
const db = createPrismaClient({ url: 'postgresql://postgres@127.0.0.1:5432/bench_probe', poolSize: 1 });
const repo = createModelRepository(db);
const { items } = await repo.list({ status: 'active' }, { limit: 1, offset: 0 });
const model = compileModel((await repo.loadStored(items[0]!.id))!);
await db.$disconnect();
const attributes = { age: 31, income: 52000, region: 'urban', home_ownership: 'rent', web_visits_month: 9 };
for (const suggestQuestion of [false, true]) {
  for (let i = 0; i < 20000; i++) assignCustomer(model, attributes, { suggestQuestion });
  const n = 100000; const t0 = performance.now();
  for (let i = 0; i < n; i++) assignCustomer(model, attributes, { suggestQuestion });
  console.log('suggestQuestion', suggestQuestion, ((performance.now() - t0) * 1000 / n).toFixed(2), 'µs');
}
