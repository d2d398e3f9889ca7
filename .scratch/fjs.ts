import fastJson from 'fast-json-stringify';
import { z } from 'zod';
import { AssignResponse } from '../src/schemas/assign.ts';
import { readFileSync } from 'node:fs';
const sample = JSON.parse(readFileSync('/tmp/prof/answer.json', 'utf8'));
delete sample.nextQuestion.ranking;
const schema = z.toJSONSchema(AssignResponse, { io: 'output', target: 'draft-7', unrepresentable: 'any' });
const stringify = fastJson(schema as never);
console.log(stringify(sample) === JSON.stringify(sample), stringify(sample).length, JSON.stringify(sample).length);
for (const [name, fn] of [['JSON.stringify', JSON.stringify], ['fast-json-stringify', stringify]] as const) {
  for (let i = 0; i < 20000; i++) fn(sample);
  const n = 200000; const t0 = performance.now();
  for (let i = 0; i < n; i++) fn(sample);
  console.log(name, ((performance.now() - t0) * 1000 / n).toFixed(2), 'µs');
}
import { isDeepStrictEqual } from 'node:util';
console.log('deep equal', isDeepStrictEqual(JSON.parse(stringify(sample)), sample));
console.log(stringify(sample).slice(0, 200));
