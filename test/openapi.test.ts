import { readFile } from 'node:fs/promises';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { renderOpenApiYaml } from '../src/openapi-document.ts';

describe('openapi.yaml', () => {
  it('is the document the routes generate (run `npm run openapi` after changing a route)', async () => {
    const committed = await readFile(new URL('../openapi.yaml', import.meta.url), 'utf8');
    expect(committed).toBe(await renderOpenApiYaml());
  });

  it('documents every operation with a summary, a tag, a success response and problem+json errors', async () => {
    const document = parse(await renderOpenApiYaml());
    const operations = Object.entries(document.paths as Record<string, Record<string, { summary?: string; tags?: string[]; responses: Record<string, { content?: Record<string, unknown> }> }>>).flatMap(
      ([path, methods]) => Object.entries(methods).map(([method, operation]) => ({ name: `${method.toUpperCase()} ${path}`, operation })),
    );
    expect(operations.map((o) => o.name)).toEqual(
      expect.arrayContaining([
        'POST /v1/assign',
        'GET /v1/personas',
        'GET /v1/personas/{id}',
        'GET /v1/personas/{id}/recommendations',
        'POST /v1/models',
        'GET /v1/models',
        'GET /v1/models/{id}',
        'POST /v1/models/{id}/activate',
        'DELETE /v1/models/{id}',
        'POST /v1/datasets',
        'POST /v1/datasets/{id}/products',
        'POST /v1/datasets/{id}/interactions',
        'POST /v1/keys',
        'DELETE /v1/keys/{id}',
        'GET /healthz',
        'GET /readyz',
        'GET /metrics',
      ]),
    );
    for (const { name, operation } of operations) {
      expect(operation.summary, name).toBeTruthy();
      expect(operation.tags?.length, name).toBeGreaterThan(0);
      expect(Object.keys(operation.responses).some((status) => status.startsWith('2')), name).toBe(true);
      for (const [status, response] of Object.entries(operation.responses)) {
        if (Number(status) >= 400 && name !== 'GET /readyz') expect(Object.keys(response.content ?? {}), `${name} ${status}`).toEqual(['application/problem+json']);
      }
    }
  });

  it('shows an example request for every operation that takes a JSON body', async () => {
    const document = parse(await renderOpenApiYaml());
    for (const [path, methods] of Object.entries(document.paths as Record<string, Record<string, { requestBody?: { content: Record<string, { example?: unknown; schema?: { examples?: unknown[] } }> } }>>)) {
      for (const [method, operation] of Object.entries(methods)) {
        const json = operation.requestBody?.content['application/json'];
        if (!json) continue;
        expect(json.example ?? json.schema?.examples, `${method} ${path}`).toBeDefined();
      }
    }
  });
});
