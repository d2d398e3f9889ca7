import { z } from 'zod';
import { BatchNdjsonLine, AssignResponse } from '../src/schemas/assign.ts';
const a = JSON.stringify(z.toJSONSchema(BatchNdjsonLine, { io: 'output', target: 'draft-7', unrepresentable: 'any' }));
const b = JSON.stringify(z.toJSONSchema(AssignResponse, { io: 'output', target: 'draft-7', unrepresentable: 'any' }));
console.log(a.length, b.length, (a.match(/anyOf/g) || []).length, (b.match(/anyOf/g) || []).length, (a.match(/\$ref/g) || []).length, (b.match(/\$ref/g) || []).length);
console.log(a.slice(0, 1500));
