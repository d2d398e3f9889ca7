/**
 * Background trainings: POST /v1/models answers 202 with a job that any replica may take; the job
 * reports status, phase and progress, stores exactly one model, can be cancelled, fails at once on
 * data that cannot be trained, and survives its replica being killed mid-training.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateInsuranceBook } from '../../../src/demo/insurance-book.ts';
import { Job } from '../../../src/schemas/jobs.ts';
import { buildTestApp } from '../../helpers/app.ts';
import type { TestApp } from '../../helpers/app.ts';
import { segmentUpload } from '../../helpers/factories.ts';

const JOBS = { isWorker: true, heartbeatSeconds: 10, pollSeconds: 0.5 };

async function modelsNamed(url: string, name: string): Promise<number> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return Number((await client.query('SELECT count(*) FROM segmentation_model WHERE name = $1', [name])).rows[0].count);
  } finally {
    await client.end();
  }
}

describe('background trainings: POST /v1/models and /v1/jobs', () => {
  let t: TestApp;
  let datasetId: string;
  /** A dataset that takes seconds to train (20,000 customers, k from 2 to 6, 10 bootstrap re-fits). */
  let slowDatasetId: string;

  beforeAll(async () => {
    t = await buildTestApp({ config: { jobs: JOBS } });
    datasetId = (await t.app.inject({ method: 'POST', url: '/v1/datasets', headers: t.admin, payload: segmentUpload() })).json().id;
    const book = generateInsuranceBook({ customers: 20_000, seed: 5 });
    slowDatasetId = (await t.app.inject({ method: 'POST', url: '/v1/datasets', headers: t.admin, payload: { name: 'slow', idColumn: 'customer_id', customers: book.customers } })).json().id;
  }, 60_000);
  afterAll(async () => t.close());

  const submit = (payload: Record<string, unknown>, app = t.app) => app.inject({ method: 'POST', url: '/v1/models', headers: t.admin, payload });
  const job = async (id: string, app = t.app) => Job.parse((await app.inject({ method: 'GET', url: `/v1/jobs/${id}`, headers: t.admin })).json());
  const until = async (id: string, done: (job: Job) => boolean, withinMs = 60_000, app = t.app): Promise<Job> => {
    const deadline = Date.now() + withinMs;
    for (;;) {
      const current = await job(id, app);
      if (done(current)) return current;
      if (Date.now() > deadline) throw new Error(`job ${id} still ${current.status} (${current.phase}) after ${withinMs} ms`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  };
  type Job = ReturnType<typeof Job.parse>;

  it('answers 202 with the job, which reports its phases and names the model it stored', async () => {
    const response = await submit({ name: 'background', datasetId, k: 3, seed: 7 });
    expect(response.statusCode, response.body).toBe(202);
    const queued = Job.parse(response.json());
    expect(response.headers.location).toBe(`/v1/jobs/${queued.id}`);
    expect(queued).toMatchObject({ status: 'queued', kind: 'train', attempts: 0, model: null, createdBy: expect.stringContaining('admin') });
    const done = await until(queued.id, (current) => current.status === 'completed');
    expect(done).toMatchObject({ status: 'completed', phase: 'done', attempts: 1, error: null, model: { name: 'background', version: 1 } });
    expect(done.durationMs).toBeGreaterThan(0);
    const model = await t.app.inject({ method: 'GET', url: `/v1/models/${done.model!.id}`, headers: t.admin });
    expect(model.json()).toMatchObject({ status: 'candidate', metrics: { k: 3 } });
  });

  it('keeps the synchronous form with ?wait=true', async () => {
    const response = await t.app.inject({ method: 'POST', url: '/v1/models?wait=true', headers: t.admin, payload: { name: 'waited', datasetId, k: 3 } });
    expect(response.statusCode).toBe(201);
    expect(response.json()).toMatchObject({ name: 'waited', version: 1 });
  });

  it('refuses an unknown dataset at once, and fails a job whose data cannot be trained without retrying it', async () => {
    const unknown = await submit({ name: 'nowhere', datasetId: '00000000-0000-4000-8000-000000000000', k: 3 });
    expect(unknown.statusCode).toBe(422);
    expect(unknown.json().errors[0]).toMatchObject({ pointer: '/datasetId' });
    const small = (await t.app.inject({ method: 'POST', url: '/v1/datasets', headers: t.admin, payload: [{ x: 1 }, { x: 2 }, { x: 3 }] })).json().id;
    const tooMany = Job.parse((await submit({ name: 'too-many', datasetId: small, k: 3 })).json());
    const failed = await until(tooMany.id, (current) => current.status === 'failed');
    expect(failed).toMatchObject({ attempts: 1, model: null, error: { status: 400, type: '/problems/validation-error' } });
    expect(await modelsNamed(t.database.url, 'too-many')).toBe(0);
  });

  it('cancels a queued job at once and a running one within seconds, storing no model; a finished job is a 409', async () => {
    // The replica takes one job at a time (TRAINING_CONCURRENCY): while it trains a slow one, the next waits queued.
    const busy = Job.parse((await submit({ name: 'busy', datasetId: slowDatasetId, kRange: [2, 6], stabilityResamples: 10 })).json());
    await until(busy.id, (current) => current.status === 'running');
    const queued = Job.parse((await submit({ name: 'never', datasetId, k: 3 })).json());
    const cancelled = await t.app.inject({ method: 'DELETE', url: `/v1/jobs/${queued.id}`, headers: t.admin });
    expect(cancelled.statusCode).toBe(200);
    expect(cancelled.json()).toMatchObject({ status: 'cancelled', cancelRequested: true });

    const stopping = await t.app.inject({ method: 'DELETE', url: `/v1/jobs/${busy.id}`, headers: t.admin });
    expect(stopping.json()).toMatchObject({ status: 'running', cancelRequested: true });
    await until(busy.id, (current) => current.status === 'cancelled', 15_000);
    expect(await modelsNamed(t.database.url, 'busy')).toBe(0);
    expect(await modelsNamed(t.database.url, 'never')).toBe(0);

    const finished = (await job((await until(Job.parse((await submit({ name: 'finished', datasetId, k: 3 })).json()).id, (current) => current.status === 'completed')).id)).id;
    const conflict = await t.app.inject({ method: 'DELETE', url: `/v1/jobs/${finished}`, headers: t.admin });
    expect(conflict.statusCode).toBe(409);
    expect((await t.app.inject({ method: 'GET', url: '/v1/jobs/00000000-0000-4000-8000-000000000000', headers: t.admin })).statusCode).toBe(404);
  }, 60_000);

  it('survives its replica being killed mid-training: retried once elsewhere, exactly one model', async () => {
    // This test's app stops taking jobs; a replica in another process takes the next one.
    const replica: ChildProcess = spawn(process.execPath, [new URL('../../helpers/job-worker-process.ts', import.meta.url).pathname, t.database.url], { stdio: ['ignore', 'pipe', 'inherit'] });
    const observer = await buildTestApp({ database: t.database, config: { jobs: { ...JOBS, isWorker: false } } });
    try {
      await t.app.services.jobs.stop();
      await new Promise<void>((resolve, reject) => {
        replica.stdout!.on('data', (chunk: Buffer) => String(chunk).includes('ready') && resolve());
        replica.once('exit', (code) => reject(new Error(`the replica exited with ${code}`)));
      });
      const submitted = Job.parse((await submit({ name: 'survivor', datasetId: slowDatasetId, kRange: [2, 6], stabilityResamples: 10 }, observer.app)).json());
      await until(submitted.id, (current) => current.status === 'running' && current.phase !== 'queued', 30_000, observer.app);
      replica.kill('SIGKILL');
      // Another replica (this process again) takes it once the dead one's heartbeats have stopped.
      await t.app.services.jobs.start(1);
      const done = await until(submitted.id, (current) => current.status === 'completed', 120_000, observer.app);
      expect(done.attempts).toBe(2);
      expect(await modelsNamed(t.database.url, 'survivor')).toBe(1);
    } finally {
      replica.kill('SIGKILL');
      await observer.close();
    }
  }, 180_000);
});
