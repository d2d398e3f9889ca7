import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp } from '../helpers/app.ts';
import type { TestApp } from '../helpers/app.ts';
import { trainSegmentModel } from '../helpers/factories.ts';

describe('GET /metrics', () => {
  let t: TestApp;
  let model: { id: string; version: number };
  beforeAll(async () => {
    // The assignment log is written when a test flushes it, not by the interval timer.
    t = await buildTestApp({ config: { assignmentLog: { sampleRate: 1, flushIntervalMs: 600_000, batchSize: 500, maxPending: 50_000 } } });
    ({ model } = await trainSegmentModel(t.app, t.admin, { name: 'metered' }));
  });
  afterAll(async () => t.close());

  it('exposes request counts and latency per route pattern, assignments per persona and the active model', async () => {
    const assigned = await t.app.inject({ method: 'POST', url: '/v1/assign', headers: t.admin, payload: { attributes: { age: 25 } } });
    const persona = assigned.json().persona.key;
    await t.app.inject({ method: 'GET', url: '/v1/models/00000000-0000-4000-8000-000000000000', headers: t.admin });
    const response = await t.app.inject({ method: 'GET', url: '/metrics' });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toMatch(/^text\/plain/);
    const text = response.body;
    expect(text).toContain('http_requests_total{method="POST",route="/v1/assign",status_code="200"} 1');
    expect(text).toContain('http_requests_total{method="GET",route="/v1/models/:id",status_code="404"} 1');
    expect(text).toMatch(/http_request_duration_seconds_bucket\{le="0\.005",method="POST",route="\/v1\/assign",status_code="200"\} \d/);
    expect(text).toContain(`persona_assignments_total{model="metered",version="${model.version}",persona="${persona}"} 1`);
    expect(text).toContain(`persona_active_model_info{model="metered",version="${model.version}",id="${model.id}",default="true"} 1`);
    expect(text).toContain('process_cpu_user_seconds_total');
  });

  it('counts assignment log entries and batches by outcome, and the entries waiting', async () => {
    await t.app.services.assignmentLog.flush();
    const before = t.app.services.assignmentLog.stats;
    await t.app.inject({ method: 'POST', url: '/v1/assign', headers: t.admin, payload: { customerId: 'crm-metered', attributes: { age: 25 } } });
    expect((await t.app.inject({ method: 'GET', url: '/metrics' })).body).toContain('persona_assignment_log_pending 1');
    await t.app.services.assignmentLog.flush();
    const text = (await t.app.inject({ method: 'GET', url: '/metrics' })).body;
    expect(text).toContain(`persona_assignment_log_entries_total{outcome="recorded"} ${before.recorded + 1}`);
    expect(text).toContain(`persona_assignment_log_entries_total{outcome="written"} ${before.written + 1}`);
    expect(text).toContain('persona_assignment_log_entries_total{outcome="dropped"} 0');
    expect(text).toContain('persona_assignment_log_entries_total{outcome="failed"} 0');
    expect(text).toContain(`persona_assignment_log_batches_total{outcome="written"} ${before.batchesWritten + 1}`);
    expect(text).toContain('persona_assignment_log_pending 0');
  });
});
