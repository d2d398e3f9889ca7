import { validatorCompiler } from 'fastify-type-provider-zod';
import { AssignRequest, AssignQuery } from '../src/schemas/assign.ts';
const body = { customerId: 'bench-1', attributes: { age: 31, income: 52000, region: 'urban', home_ownership: 'rent', web_visits_month: 9 } };
const v = validatorCompiler({ schema: AssignRequest } as never) as (d: unknown) => unknown;
const q = validatorCompiler({ schema: AssignQuery } as never) as (d: unknown) => unknown;
for (const [name, fn, input] of [['body', v, body], ['query', q, {}]] as const) {
  for (let i = 0; i < 20000; i++) fn(input);
  const n = 200000; const t0 = performance.now();
  for (let i = 0; i < n; i++) fn(input);
  console.log(name, ((performance.now() - t0) * 1000 / n).toFixed(2), 'µs');
}
