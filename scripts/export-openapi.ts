// Writes the live OpenAPI document (generated from the routes' zod schemas) to openapi.yaml.
// Needs no database: the app is built without connecting and never listens.
import { writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { renderOpenApiYaml } from '../src/openapi-document.ts';

const target = fileURLToPath(new URL('../openapi.yaml', import.meta.url));
await writeFile(target, await renderOpenApiYaml());
console.log(`wrote ${target}`);
