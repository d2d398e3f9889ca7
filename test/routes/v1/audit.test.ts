/**
 * The audit trail (issue 8, governance): every admin action is recorded append-only with the API
 * key's name, the time, the request id and a digest of the change; GET /v1/audit pages through it
 * and GET /v1/audit/verify recomputes its hash chain. Neither the trail nor the logs hold customer
 * attributes.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuditEntry, AuditVerification } from '../../../src/schemas/audit.ts';
import { pageOf } from '../../../src/schemas/common.ts';
import { buildTestApp } from '../../helpers/app.ts';
import type { TestApp } from '../../helpers/app.ts';
import { queryDatabase } from '../../helpers/database.ts';
import { segmentUpload } from '../../helpers/factories.ts';

const AuditPage = pageOf(AuditEntry);
/** A value no audit entry or log line may contain: if it shows up, customer data leaked. */
const SENTINEL = 'SENTINEL-a3d9f1';

describe('/v1/audit', () => {
  let t: TestApp;
  let adminKeyId: string;
  const sql = (text: string) => queryDatabase(t.database.url, text);
  const audit = async (query = '', headers = t.admin) => {
    const response = await t.app.inject({ method: 'GET', url: `/v1/audit${query}`, headers });
    expect(response.statusCode, response.body).toBe(200);
    return AuditPage.parse(response.json());
  };

  beforeAll(async () => {
    t = await buildTestApp({ captureLogs: true });
    const keys = (await t.app.inject({ method: 'GET', url: '/v1/keys', headers: t.admin })).json();
    adminKeyId = keys.items.find((key: { name: string }) => key.name === 'test admin').id;
  });
  afterAll(async () => t.close());

  describe('recording', () => {
    it('records upload, training, activation, rollback, persona edit and key creation and revocation with the key, the request id and a digest', async () => {
      const done: Array<{ action: string; requestId: string; targetId: string; status: number }> = [];
      const call = async (action: string, options: { method: 'POST' | 'PATCH' | 'DELETE'; url: string; payload?: object }, targetOf: (body: Record<string, unknown>) => string) => {
        const response = await t.app.inject({ ...options, headers: t.admin });
        expect(response.statusCode, response.body).toBeLessThan(300);
        expect(response.headers['audit-trail']).toBeUndefined();
        done.push({ action, requestId: response.headers['x-request-id'] as string, targetId: targetOf(response.statusCode === 204 ? {} : response.json()), status: response.statusCode });
        return response.statusCode === 204 ? {} : response.json();
      };
      const before = await audit();

      const dataset = await call('dataset.upload', { method: 'POST', url: '/v1/datasets', payload: segmentUpload() }, (body) => body.id as string);
      const train = { method: 'POST' as const, url: '/v1/models?wait=true', payload: { name: 'audited', datasetId: dataset.id, k: 3, seed: 7 } };
      const first = await call('model.train', train, () => 'audited');
      await call('model.activate', { method: 'POST', url: `/v1/models/${first.id}/activate` }, () => first.id as string);
      const second = await call('model.train', { ...train, payload: { ...train.payload, seed: 8 } }, () => 'audited');
      await call('model.activate', { method: 'POST', url: `/v1/models/${second.id}/activate` }, () => second.id as string);
      await call('model.rollback', { method: 'POST', url: '/v1/models/audited/rollback' }, () => 'audited');
      const persona = (first.personas as Array<{ id: string }>)[0]!;
      await call('persona.update', { method: 'PATCH', url: `/v1/personas/${persona.id}`, payload: { name: 'Audited savers' } }, () => persona.id);
      const key = await call('key.create', { method: 'POST', url: '/v1/keys', payload: { name: 'crm-audit', scopes: ['read'] } }, (body) => body.id as string);
      await call('key.revoke', { method: 'DELETE', url: `/v1/keys/${key.id}` }, () => key.id as string);

      const page = await audit();
      expect(page.total).toBe(before.total + done.length);
      const entries = page.items.slice(0, done.length).reverse();
      expect(entries.map((entry) => entry.action)).toEqual(done.map((call) => call.action));
      entries.forEach((entry, i) => {
        expect(entry).toMatchObject({ actor: 'test admin', keyId: adminKeyId, requestId: done[i]!.requestId, status: done[i]!.status, target: { id: done[i]!.targetId } });
        expect(entry.digest).toMatch(/^[0-9a-f]{64}$/);
      });
      expect(entries[0]).toMatchObject({ method: 'POST', route: '/v1/datasets', target: { type: 'dataset' }, details: { customers: 60, products: 4 } });
      expect(entries[1]!.details).toEqual({ modelId: first.id, version: 1 });
      expect(entries[4]).toMatchObject({ route: '/v1/models/:id/activate', details: { name: 'audited', version: 2, previousVersion: 1 } });
      expect(entries[5]).toMatchObject({ route: '/v1/models/:name/rollback', target: { type: 'model' }, details: { modelId: first.id, version: 1, previousVersion: 2 } });
      expect(entries[6]!.details).toEqual({ fields: ['name'] });
      expect(entries[7]!.details).toEqual({ name: 'crm-audit', scopes: ['read'] });
      // Newest first, the database's clock in the same order.
      const times = page.items.map((entry) => Date.parse(entry.occurredAt));
      expect(times).toEqual([...times].sort((a, b) => b - a));
    });

    it('gives identical changes identical digests and different changes different ones', async () => {
      const upload = (payload: string) => t.app.inject({ method: 'POST', url: '/v1/datasets?name=digest', headers: { ...t.admin, 'content-type': 'text/csv' }, payload });
      const csv = 'customer_id,age,income\nA,31,40000\nB,52,61000\nC,44,52000\n';
      const ids = [(await upload(csv)).json().id, (await upload(csv)).json().id, (await upload(csv.replace('40000', '40001'))).json().id];
      // The same JSON change with its keys in another order is the same change.
      const patch = async (payload: string) => {
        const persona = (await t.app.inject({ method: 'GET', url: '/v1/personas?model=audited', headers: t.admin })).json().items[0];
        return t.app.inject({ method: 'PATCH', url: `/v1/personas/${persona.id}`, headers: { ...t.admin, 'content-type': 'application/json' }, payload });
      };
      await patch('{"name":"Digest test","description":"Same change"}');
      await patch('{ "description": "Same change", "name": "Digest test" }');

      const { items } = await audit('?limit=5');
      const [secondPatch, firstPatch, changed, second, first] = items;
      expect([first!.target.id, second!.target.id, changed!.target.id]).toEqual(ids);
      expect(second!.digest).toBe(first!.digest);
      expect(changed!.digest).not.toBe(first!.digest);
      expect(secondPatch!.digest).toBe(firstPatch!.digest);
      expect(secondPatch!.requestId).not.toBe(firstPatch!.requestId);
    });

    it('records an admin action refused for want of scope (403), and no attempt without a valid key (401)', async () => {
      const reader = await t.keyWith('read');
      const { total } = await audit();
      const model = (await t.app.inject({ method: 'GET', url: '/v1/models?name=audited', headers: t.admin })).json().items[0];
      const refused = await t.app.inject({ method: 'POST', url: `/v1/models/${model.id}/activate`, headers: reader });
      expect(refused.statusCode).toBe(403);
      expect((await t.app.inject({ method: 'POST', url: `/v1/models/${model.id}/activate`, headers: { authorization: 'Bearer not-a-key' } })).statusCode).toBe(401);
      expect((await t.app.inject({ method: 'POST', url: `/v1/models/${model.id}/activate` })).statusCode).toBe(401);

      const page = await audit();
      expect(page.total).toBe(total + 1);
      expect(page.items[0]).toMatchObject({ action: 'model.activate', actor: 'test read', status: 403, requestId: refused.headers['x-request-id'], target: { type: 'model', id: model.id } });
    });

    it('records nothing for a change that failed', async () => {
      const { total } = await audit();
      const missing = await t.app.inject({ method: 'POST', url: '/v1/models/00000000-0000-4000-8000-000000000000/activate', headers: t.admin });
      expect(missing.statusCode).toBe(404);
      const invalid = await t.app.inject({ method: 'POST', url: '/v1/keys', headers: t.admin, payload: { name: '', scopes: [] } });
      expect(invalid.statusCode).toBe(400);
      expect((await audit()).total).toBe(total);
    });

    it('holds no customer attributes, and neither do the logs', async () => {
      const upload = segmentUpload(3);
      upload.customers[0]!.home_ownership = `${SENTINEL}-json`;
      expect((await t.app.inject({ method: 'POST', url: '/v1/datasets', headers: t.admin, payload: upload })).statusCode).toBe(201);
      const csv = `customer_id,age,segment\n${SENTINEL}-id,30,${SENTINEL}-csv\nB,40,x\nC,50,y\n`;
      expect((await t.app.inject({ method: 'POST', url: '/v1/datasets', headers: { ...t.admin, 'content-type': 'text/csv' }, payload: csv })).statusCode).toBe(201);
      const ndjson = `{"customer_id":"N1","note":"${SENTINEL}-ndjson","age":1}\n{"customer_id":"N2","note":"x","age":2}\n`;
      expect((await t.app.inject({ method: 'POST', url: '/v1/datasets', headers: { ...t.admin, 'content-type': 'application/x-ndjson' }, payload: ndjson })).statusCode).toBe(201);

      const trail = await t.app.inject({ method: 'GET', url: '/v1/audit?limit=500', headers: t.admin });
      expect(trail.json().items.slice(0, 3).map((entry: { action: string }) => entry.action)).toEqual(['dataset.upload', 'dataset.upload', 'dataset.upload']);
      expect(trail.body).not.toContain(SENTINEL);
      const stored = await sql('SELECT row_to_json(audit_entry)::text AS row FROM audit_entry');
      expect(stored.rows.length).toBeGreaterThan(3);
      expect(stored.rows.map((row) => row.row).join('\n')).not.toContain(SENTINEL);
      expect(t.logLines.length).toBeGreaterThan(10);
      expect(t.logLines.join('\n')).not.toContain(SENTINEL);
    });
  });

  describe('append-only', () => {
    it('refuses UPDATE, DELETE and TRUNCATE on the trail, even to the database owner', async () => {
      const { rows } = await sql('SELECT count(*)::int AS n FROM audit_entry');
      expect(rows[0].n).toBeGreaterThan(0);
      await expect(sql("UPDATE audit_entry SET actor = 'mallory'")).rejects.toThrow(/append-only: UPDATE/);
      await expect(sql('DELETE FROM audit_entry')).rejects.toThrow(/append-only: DELETE/);
      await expect(sql('TRUNCATE audit_entry')).rejects.toThrow(/append-only: TRUNCATE/);
      expect((await sql('SELECT count(*)::int AS n FROM audit_entry')).rows[0].n).toBe(rows[0].n);
      expect(AuditVerification.parse((await t.app.inject({ method: 'GET', url: '/v1/audit/verify', headers: t.admin })).json())).toMatchObject({ intact: true, checked: rows[0].n });
    });
  });

  describe('GET /v1/audit', () => {
    it('pages newest first, without gaps or overlaps', async () => {
      const all = await audit('?limit=500');
      expect(all.total).toBeGreaterThan(5);
      const pages = [await audit('?limit=2&offset=0'), await audit('?limit=2&offset=2'), await audit('?limit=2&offset=4')];
      expect(pages.flatMap((page) => page.items.map((entry) => entry.id))).toEqual(all.items.slice(0, 6).map((entry) => entry.id));
      expect(pages.every((page) => page.total === all.total && page.limit === 2)).toBe(true);
      const ids = all.items.map((entry) => BigInt(entry.id));
      expect(ids).toEqual([...ids].sort((a, b) => (a > b ? -1 : a < b ? 1 : 0)));
      // Each entry links to the one before it.
      all.items.slice(0, -1).forEach((entry, i) => expect(entry.previousHash).toBe(all.items[i + 1]!.hash));
    });

    it('filters by action, actor, target and time', async () => {
      const all = (await audit('?limit=500')).items;
      const activations = await audit('?action=model.activate&limit=500');
      expect(activations.items.map((entry) => entry.id)).toEqual(all.filter((entry) => entry.action === 'model.activate').map((entry) => entry.id));
      expect(activations.total).toBeGreaterThanOrEqual(3);

      expect((await audit('?actor=test%20read')).items.map((entry) => entry.status)).toEqual([403]);
      const modelId = activations.items.at(-1)!.target.id!;
      const aboutModel = await audit(`?targetType=model&target=${modelId}`);
      expect(aboutModel.items.length).toBeGreaterThan(0);
      expect(aboutModel.items.every((entry) => entry.target.id === modelId)).toBe(true);

      const middle = all[Math.floor(all.length / 2)]!;
      const from = await audit(`?limit=500&from=${encodeURIComponent(middle.occurredAt)}`);
      const to = await audit(`?limit=500&to=${encodeURIComponent(middle.occurredAt)}`);
      expect(from.total + to.total).toBe(all.length);
      expect(from.items.every((entry) => entry.occurredAt >= middle.occurredAt)).toBe(true);
      expect(to.items.every((entry) => entry.occurredAt < middle.occurredAt)).toBe(true);
    });

    it('rejects an unknown action and a time range that ends before it starts, with pointers', async () => {
      const unknown = await t.app.inject({ method: 'GET', url: '/v1/audit?action=model.explode', headers: t.admin });
      expect(unknown.statusCode).toBe(400);
      expect(unknown.json().errors[0]).toMatchObject({ location: 'query', pointer: '/action' });
      const backwards = await t.app.inject({ method: 'GET', url: '/v1/audit?from=2026-11-26T00:00:00Z&to=2026-11-25T00:00:00Z', headers: t.admin });
      expect(backwards.statusCode).toBe(400);
      expect(backwards.json().errors[0]).toMatchObject({ location: 'query', pointer: '/to' });
    });

    it('is for admin keys only', async () => {
      for (const scope of ['read', 'assign'] as const) {
        const headers = await t.keyWith(scope);
        expect((await t.app.inject({ method: 'GET', url: '/v1/audit', headers })).statusCode).toBe(403);
        expect((await t.app.inject({ method: 'GET', url: '/v1/audit/verify', headers })).statusCode).toBe(403);
      }
      expect((await t.app.inject({ method: 'GET', url: '/v1/audit' })).statusCode).toBe(401);
    });
  });
});

describe('GET /v1/audit/verify', () => {
  let t: TestApp;
  const sql = (text: string) => queryDatabase(t.database.url, text);
  const verify = async () => AuditVerification.parse((await t.app.inject({ method: 'GET', url: '/v1/audit/verify', headers: t.admin })).json());
  /** Changes the trail behind the trigger's back, as only a superuser could. */
  const tamper = (statement: string) =>
    sql(`BEGIN; ALTER TABLE audit_entry DISABLE TRIGGER audit_entry_no_update_delete; ${statement}; ALTER TABLE audit_entry ENABLE TRIGGER audit_entry_no_update_delete; COMMIT`);

  beforeAll(async () => {
    t = await buildTestApp();
    for (const name of ['one', 'two', 'three', 'four']) await t.app.inject({ method: 'POST', url: '/v1/keys', headers: t.admin, payload: { name, scopes: ['read'] } });
  });
  afterAll(async () => t.close());

  it('finds the chain intact and names its head', async () => {
    const newest = (await t.app.inject({ method: 'GET', url: '/v1/audit?limit=1', headers: t.admin })).json().items[0];
    expect(await verify()).toEqual({ intact: true, checked: 4, firstBroken: null, head: { id: newest.id, hash: newest.hash } });
  });

  it('stays one chain when two replicas record at the same time', async () => {
    const replica = await buildTestApp({ database: t.database });
    try {
      const create = (app: TestApp['app'], i: number) => app.inject({ method: 'POST', url: '/v1/keys', headers: t.admin, payload: { name: `concurrent-${i}`, scopes: ['read'] } });
      const answers = await Promise.all(Array.from({ length: 16 }, (_, i) => create(i % 2 === 0 ? t.app : replica.app, i)));
      expect(answers.map((answer) => answer.statusCode)).toEqual(Array(16).fill(201));
      expect(answers.every((answer) => answer.headers['audit-trail'] === undefined)).toBe(true);
      expect(await verify()).toMatchObject({ intact: true, checked: 4 + 16 });
      await Promise.all(answers.map((answer) => t.app.inject({ method: 'DELETE', url: `/v1/keys/${answer.json().id}`, headers: t.admin })));
      expect(await verify()).toMatchObject({ intact: true, checked: 4 + 32 });
    } finally {
      await replica.close();
    }
  });

  it('finds an entry whose content was changed', async () => {
    const [, second] = (await sql('SELECT id FROM audit_entry ORDER BY id')).rows;
    await tamper(`UPDATE audit_entry SET actor = 'someone else' WHERE id = ${second.id}`);
    expect(await verify()).toEqual({ intact: false, checked: 1, firstBroken: { id: String(second.id), reason: 'hash-mismatch' }, head: null });
    await tamper(`UPDATE audit_entry SET actor = 'test admin' WHERE id = ${second.id}`);
    expect((await verify()).intact).toBe(true);
  });

  it('finds an entry that was removed from the middle', async () => {
    const [, , third, fourth] = (await sql('SELECT id FROM audit_entry ORDER BY id')).rows;
    await tamper(`DELETE FROM audit_entry WHERE id = ${third.id}`);
    expect(await verify()).toEqual({ intact: false, checked: 2, firstBroken: { id: String(fourth.id), reason: 'previous-hash-mismatch' }, head: null });
  });
});

describe('scheduled actions in the audit trail', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await buildTestApp({ config: { jobs: { isWorker: true, heartbeatSeconds: 10, pollSeconds: 0.5 } } });
  });
  afterAll(async () => t.close());

  it('records a scheduled training and the activation its policy decided as the scheduler', async () => {
    const datasetId = (await t.app.inject({ method: 'POST', url: '/v1/datasets', headers: t.admin, payload: segmentUpload() })).json().id;
    const first = (await t.app.inject({ method: 'POST', url: '/v1/models?wait=true', headers: t.admin, payload: { name: 'guarded', datasetId, k: 3, seed: 7 } })).json();
    await t.app.inject({ method: 'POST', url: `/v1/models/${first.id}/activate`, headers: t.admin });
    const saved = await t.app.inject({ method: 'POST', url: '/v1/schedules', headers: t.admin, payload: { modelName: 'guarded', cron: '0 * * * *', datasetId, training: { k: 3, seed: 7 }, activationPolicy: 'when-not-worse' } });
    expect(saved.statusCode).toBe(201);

    const [jobId] = await t.app.services.schedules.tick(new Date(Date.parse(saved.json().nextRunAt) + 1));
    const deadline = Date.now() + 60_000;
    let job = (await t.app.inject({ method: 'GET', url: `/v1/jobs/${jobId}`, headers: t.admin })).json();
    while (job.status !== 'completed' && job.status !== 'failed' && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      job = (await t.app.inject({ method: 'GET', url: `/v1/jobs/${jobId}`, headers: t.admin })).json();
    }
    expect(job).toMatchObject({ status: 'completed', activationNote: expect.stringMatching(/^activated/) });

    const { items } = AuditPage.parse((await t.app.inject({ method: 'GET', url: '/v1/audit?limit=3', headers: t.admin })).json());
    expect(items.map(({ action, actor, requestId, target }) => ({ action, actor, requestId, target }))).toEqual([
      { action: 'model.activate', actor: 'scheduler', requestId: null, target: { type: 'model', id: job.model.id } },
      { action: 'model.train', actor: 'scheduler', requestId: null, target: { type: 'model', id: 'guarded' } },
      { action: 'schedule.save', actor: 'test admin', requestId: saved.headers['x-request-id'], target: { type: 'schedule', id: 'guarded' } },
    ]);
    expect(items[0]!.details).toMatchObject({ jobId, activationPolicy: 'when-not-worse', note: job.activationNote });
    expect(items[1]!.details).toEqual({ jobId, schedule: 'guarded', activationPolicy: 'when-not-worse' });
  });
});
