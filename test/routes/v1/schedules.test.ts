/**
 * Scheduled retraining: a schedule fires when its cron time comes (a fake clock drives the check),
 * once across replicas, as a background job on its dataset (or the newest of a name), and its
 * activation policy activates the new version only when its quality holds.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Job } from '../../../src/schemas/jobs.ts';
import { Schedule } from '../../../src/schemas/schedules.ts';
import { buildTestApp } from '../../helpers/app.ts';
import type { TestApp } from '../../helpers/app.ts';
import { segmentUpload } from '../../helpers/factories.ts';

describe('/v1/schedules', () => {
  let t: TestApp;
  let datasetId: string;

  beforeAll(async () => {
    t = await buildTestApp({ config: { jobs: { isWorker: true, heartbeatSeconds: 10, pollSeconds: 0.5 } } });
    datasetId = (await t.app.inject({ method: 'POST', url: '/v1/datasets', headers: t.admin, payload: segmentUpload() })).json().id;
  });
  afterAll(async () => t.close());

  const schedule = (payload: Record<string, unknown>) => t.app.inject({ method: 'POST', url: '/v1/schedules', headers: t.admin, payload });
  /** Moves the clock to the schedule's next run and checks; other schedules due by then fire too. */
  const fire = async (modelName: string): Promise<string> => {
    const before = Schedule.parse((await t.app.inject({ method: 'GET', url: `/v1/schedules/${modelName}`, headers: t.admin })).json());
    await t.app.services.schedules.tick(new Date(new Date(before.nextRunAt).getTime() + 1));
    return Schedule.parse((await t.app.inject({ method: 'GET', url: `/v1/schedules/${modelName}`, headers: t.admin })).json()).lastJobId!;
  };
  const completed = async (jobId: string) => {
    const deadline = Date.now() + 60_000;
    for (;;) {
      const job = Job.parse((await t.app.inject({ method: 'GET', url: `/v1/jobs/${jobId}`, headers: t.admin })).json());
      if (job.status === 'completed' || job.status === 'failed') return job;
      if (Date.now() > deadline) throw new Error(`job ${jobId} still ${job.status}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  };

  it('fires when its time comes, once, as a background training on its dataset, keeping the version as a candidate', async () => {
    const created = Schedule.parse((await schedule({ modelName: 'nightly', cron: '0 3 * * *', datasetId, training: { k: 3, seed: 7 } })).json());
    const next = new Date(created.nextRunAt);
    expect(next.getUTCHours()).toBe(3);
    expect(next.getUTCMinutes()).toBe(0);
    expect(next.getTime()).toBeGreaterThan(Date.now());

    expect(await t.app.services.schedules.tick(new Date(next.getTime() - 60_000))).toEqual([]);
    const [jobId, ...others] = await t.app.services.schedules.tick(new Date(next.getTime() + 1_000));
    expect(others).toEqual([]);
    // A second replica checking at the same moment finds nothing due: the run was claimed.
    expect(await t.app.services.schedules.tick(new Date(next.getTime() + 1_000))).toEqual([]);
    const after = Schedule.parse((await t.app.inject({ method: 'GET', url: '/v1/schedules/nightly', headers: t.admin })).json());
    expect(after).toMatchObject({ lastJobId: jobId, nextRunAt: new Date(next.getTime() + 24 * 3_600_000).toISOString() });

    const job = await completed(jobId!);
    expect(job).toMatchObject({ status: 'completed', createdBy: 'schedule nightly', activationPolicy: 'candidate', activationNote: null, model: { name: 'nightly', version: 1 } });
    const model = (await t.app.inject({ method: 'GET', url: `/v1/models/${job.model!.id}`, headers: t.admin })).json();
    expect(model.status).toBe('candidate');
  });

  it('trains on the newest dataset of a name when given one', async () => {
    await t.app.inject({ method: 'POST', url: '/v1/datasets', headers: t.admin, payload: { ...segmentUpload(), name: 'weekly' } });
    const newest = (await t.app.inject({ method: 'POST', url: '/v1/datasets', headers: t.admin, payload: { ...segmentUpload(20, 1), name: 'weekly' } })).json().id;
    expect((await schedule({ modelName: 'weekly-personas', cron: '30 4 * * 1', datasetName: 'weekly', training: { k: 3 } })).statusCode).toBe(201);
    const job = await completed(await fire('weekly-personas'));
    const model = (await t.app.inject({ method: 'GET', url: `/v1/models/${job.model!.id}`, headers: t.admin })).json();
    expect(model.datasetId).toBe(newest);
  });

  it('activates the new version on its own only when its quality holds and every persona carries over (when-not-worse)', async () => {
    const first = (await t.app.inject({ method: 'POST', url: '/v1/models?wait=true', headers: t.admin, payload: { name: 'guarded', datasetId, k: 3, seed: 7 } })).json();
    await t.app.inject({ method: 'POST', url: `/v1/models/${first.id}/activate`, headers: t.admin });

    // The same training again: same quality, the same three personas.
    await schedule({ modelName: 'guarded', cron: '0 * * * *', datasetId, training: { k: 3, seed: 7 }, activationPolicy: 'when-not-worse' });
    const activated = await completed(await fire('guarded'));
    expect(activated.activationNote).toMatch(/^activated: silhouette/);
    const served = await t.app.inject({ method: 'GET', url: '/v1/personas?model=guarded', headers: t.admin });
    expect(served.json().model.version).toBe(activated.model!.version);

    // Two personas where three were: personas vanish, so a person must decide.
    await schedule({ modelName: 'guarded', cron: '0 * * * *', datasetId, training: { k: 2, seed: 7 }, activationPolicy: 'when-not-worse' });
    const kept = await completed(await fire('guarded'));
    expect(kept.activationNote).toMatch(/^kept as a candidate: .*(not every persona carries over|silhouette)/);
    expect((await t.app.inject({ method: 'GET', url: '/v1/personas?model=guarded', headers: t.admin })).json().model.version).toBe(activated.model!.version);
  });

  it('validates the cron expression and the source, and lists and deletes schedules', async () => {
    const badCron = await schedule({ modelName: 'bad', cron: 'every morning', datasetId });
    expect(badCron.statusCode).toBe(400);
    expect(badCron.json().errors[0]).toMatchObject({ pointer: '/cron', code: 'invalid_cron' });
    const noSource = await schedule({ modelName: 'bad', cron: '0 3 * * *' });
    expect(noSource.json().errors[0]).toMatchObject({ pointer: '/datasetId' });
    const both = await schedule({ modelName: 'bad', cron: '0 3 * * *', datasetId, datasetName: 'weekly' });
    expect(both.statusCode).toBe(400);
    const listed = (await t.app.inject({ method: 'GET', url: '/v1/schedules', headers: t.admin })).json().items.map((item: { modelName: string }) => item.modelName);
    expect(listed).toEqual(expect.arrayContaining(['nightly', 'weekly-personas', 'guarded']));
    expect((await t.app.inject({ method: 'DELETE', url: '/v1/schedules/nightly', headers: t.admin })).statusCode).toBe(204);
    expect((await t.app.inject({ method: 'GET', url: '/v1/schedules/nightly', headers: t.admin })).statusCode).toBe(404);
    expect((await t.app.inject({ method: 'DELETE', url: '/v1/schedules/nightly', headers: t.admin })).statusCode).toBe(404);
  });
});
