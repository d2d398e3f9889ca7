import { compileSerializer } from '../src/routes/v1/fast-json.ts';
import { BatchNdjsonLine, AssignResponse } from '../src/schemas/assign.ts';
import { readFileSync } from 'node:fs';
const sample = JSON.parse(readFileSync('/tmp/prof/answer.json', 'utf8'));
delete sample.nextQuestion;
const line = { line: 3, ...sample };
const a = compileSerializer(BatchNdjsonLine);
const b = compileSerializer(AssignResponse);
for (const [name, fn, input] of [['JSON', JSON.stringify, line], ['line', a, line], ['assign', b, sample]] as const) {
  for (let i = 0; i < 20000; i++) fn(input);
  const n = 100000; const t0 = performance.now();
  for (let i = 0; i < n; i++) fn(input);
  console.log(name, ((performance.now() - t0) * 1000 / n).toFixed(2), 'µs');
}
