import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startService } from '../src/startup.ts';
import type { RunningService } from '../src/startup.ts';
import { createLogger } from '../src/logger.ts';
import { testConfig } from './helpers/app.ts';
import { createTestDatabase } from './helpers/database.ts';
import type { TestDatabase } from './helpers/database.ts';

describe('startService on an empty database', () => {
  let database: TestDatabase;
  let service: RunningService;

  beforeAll(async () => {
    database = await createTestDatabase({ isMigrated: false });
    const config = testConfig({ databaseUrl: database.url, demoOnEmpty: true, bootstrapAdminKey: 'psk_bootstrap-key-for-this-test-only' });
    service = await startService(config, createLogger(config));
  });
  afterAll(async () => {
    await database.drop();
  });

  it('migrates, uses the configured bootstrap key as the first admin key, and activates the demo model', async () => {
    expect(service.generatedAdminKey).toBeNull();
    const response = await service.app.inject({ method: 'GET', url: '/v1/models', headers: { authorization: 'Bearer psk_bootstrap-key-for-this-test-only' } });
    expect(response.statusCode).toBe(200);
    expect(response.json().items).toEqual([expect.objectContaining({ name: 'insurance-demo', status: 'active', version: 1 })]);
  });

  it('lets an in-flight request finish when it is stopped, then refuses new ones', async () => {
    const headers = { authorization: 'Bearer psk_bootstrap-key-for-this-test-only' };
    await service.app.listen({ port: 0, host: '127.0.0.1' });
    const { port } = service.app.server.address() as { port: number };
    const base = `http://127.0.0.1:${port}`;
    const datasets = await request(base).get('/v1/datasets').set(headers).expect(200);
    const datasetId = datasets.body.items[0].id;
    // Training takes long enough to still be running when stop() begins.
    const training = request(base).post('/v1/models?wait=true').set(headers).send({ name: 'in-flight', datasetId, kRange: [2, 6] }).then((response) => response);
    await new Promise((resolve) => setTimeout(resolve, 50));
    await service.stop();
    const trained = await training;
    expect(trained.status).toBe(201);
    expect(trained.body.name).toBe('in-flight');
    await expect(request(base).get('/healthz')).rejects.toThrow();
  });
});
