/**
 * A model name's lifecycle (issue 7): every activation, rollback, deletion and alias change is
 * recorded with the API key's name; rollback returns to the previously active version; aliases name
 * versions wherever a model is named.
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pageOf } from '../../../src/schemas/common.ts';
import { ModelAlias, ModelEvent, SetAliasResult } from '../../../src/schemas/model-history.ts';
import { ActivationResult } from '../../../src/schemas/models.ts';
import { buildTestApp } from '../../helpers/app.ts';
import type { TestApp } from '../../helpers/app.ts';
import { SEGMENTS, segmentUpload } from '../../helpers/factories.ts';

const NAME = 'churn-personas';
const HistoryPage = pageOf(ModelEvent);

interface Version {
  id: string;
  version: number;
}

describe('model history, rollback and aliases', () => {
  let t: TestApp;
  let datasetId: string;
  /** An admin key named like a deployment tool, to see its name in the history. */
  let releaseBot: { authorization: string };
  let reader: { authorization: string };
  let v1: Version;
  let v2: Version;
  let v3: Version;

  const train = async (name: string): Promise<Version> => {
    const response = await t.app.inject({ method: 'POST', url: '/v1/models?wait=true', headers: t.admin, payload: { name, datasetId, k: 3, seed: 7 } });
    expect(response.statusCode).toBe(201);
    const { id, version } = response.json();
    return { id, version };
  };
  const activate = (id: string, headers = releaseBot) => t.app.inject({ method: 'POST', url: `/v1/models/${id}/activate`, headers });
  const rollback = (name = NAME, headers = releaseBot) => t.app.inject({ method: 'POST', url: `/v1/models/${name}/rollback`, headers });
  const history = async (name = NAME, query = '') => {
    const response = await t.app.inject({ method: 'GET', url: `/v1/models/${name}/history${query}`, headers: reader });
    expect(response.statusCode).toBe(200);
    return HistoryPage.parse(response.json());
  };
  const putAlias = (alias: string, payload: object, name = NAME) => t.app.inject({ method: 'PUT', url: `/v1/models/${name}/aliases/${alias}`, headers: releaseBot, payload });
  const servedBy = async (model?: string) => {
    const query = model === undefined ? '' : `?model=${encodeURIComponent(model)}`;
    const customer = { age: SEGMENTS[0]!.age, income: SEGMENTS[0]!.income, home_ownership: SEGMENTS[0]!.home, web_visits: 14 };
    const response = await t.app.inject({ method: 'POST', url: `/v1/assign${query}`, headers: t.admin, payload: { attributes: customer } });
    return { status: response.statusCode, modelId: (response.json().model?.id as string | undefined) ?? null };
  };
  /** Status of every version of a name, read from the database itself. */
  const statusesInDatabase = async (name = NAME) => {
    const client = new pg.Client({ connectionString: t.database.url });
    await client.connect();
    try {
      const { rows } = await client.query<{ id: string; status: string }>('SELECT id, status::text AS status FROM segmentation_model WHERE name = $1', [name]);
      return new Map(rows.map((row) => [row.id, row.status]));
    } finally {
      await client.end();
    }
  };
  const expectProblem = (response: { statusCode: number; headers: Record<string, unknown>; json(): { status: number; detail: string; errors?: unknown[] } }, status: number) => {
    expect(response.statusCode).toBe(status);
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(response.json().status).toBe(status);
    return response.json();
  };

  beforeAll(async () => {
    t = await buildTestApp({ config: { defaultModel: NAME } });
    const upload = await t.app.inject({ method: 'POST', url: '/v1/datasets', headers: t.admin, payload: segmentUpload() });
    datasetId = upload.json().id;
    releaseBot = { authorization: `Bearer ${(await t.app.services.apiKeys.create('release-bot', ['admin'])).key}` };
    reader = await t.keyWith('read');
    v1 = await train(NAME);
    v2 = await train(NAME);
    v3 = await train(NAME);
  });
  afterAll(async () => t?.close());

  describe('GET /v1/models/{name}/history', () => {
    it('records each activation with the version before, the version after and the name of the key that made it', async () => {
      expect((await activate(v1.id)).statusCode).toBe(200);
      expect((await activate(v2.id)).statusCode).toBe(200);
      const page = await history();
      expect(page.total).toBe(2);
      expect(page.items.map(({ kind, from, to, alias, actor }) => ({ kind, from, to, alias, actor }))).toEqual([
        { kind: 'activated', from: v1, to: v2, alias: null, actor: 'release-bot' },
        { kind: 'activated', from: null, to: v1, alias: null, actor: 'release-bot' },
      ]);
      expect(Date.parse(page.items[0]!.at)).toBeGreaterThanOrEqual(Date.parse(page.items[1]!.at));
    });

    it('answers 404 for a model name that never existed', async () => {
      const response = await t.app.inject({ method: 'GET', url: '/v1/models/no-such-model/history', headers: reader });
      expectProblem(response, 404);
    });
  });

  describe('POST /v1/models/{name}/rollback', () => {
    it('activates the previously active version, serves it at once and records a rolled_back event', async () => {
      const response = await rollback();
      expect(response.statusCode).toBe(200);
      const result = ActivationResult.parse(response.json());
      expect(result.activated).toMatchObject({ id: v1.id, status: 'active' });
      expect(result.previous).toMatchObject({ id: v2.id, status: 'inactive' });
      expect(await statusesInDatabase()).toEqual(new Map([[v1.id, 'active'], [v2.id, 'inactive'], [v3.id, 'candidate']]));
      expect(await servedBy()).toEqual({ status: 200, modelId: v1.id });
      expect(await servedBy(NAME)).toEqual({ status: 200, modelId: v1.id });
      const [latest] = (await history()).items;
      expect(latest).toMatchObject({ kind: 'rolled_back', from: v2, to: v1, actor: 'release-bot' });
    });

    it('undoes the last switch: a second rollback returns to the version the first one left', async () => {
      const response = await rollback();
      expect(response.statusCode).toBe(200);
      expect(ActivationResult.parse(response.json()).activated.id).toBe(v2.id);
      expect(await servedBy()).toEqual({ status: 200, modelId: v2.id });
      expect((await history()).items[0]).toMatchObject({ kind: 'rolled_back', from: v1, to: v2 });
    });

    it('returns to the version active just before the current one, not an older one', async () => {
      const [a, b, c] = [await train('three-steps'), await train('three-steps'), await train('three-steps')];
      for (const version of [a, b, c]) expect((await activate(version.id)).statusCode).toBe(200);
      expect(ActivationResult.parse((await rollback('three-steps')).json()).activated.id).toBe(b.id);
      expect(ActivationResult.parse((await rollback('three-steps')).json()).activated.id).toBe(c.id);
    });

    it('skips a previously active version deleted since, going further back, and records the deletion', async () => {
      expect((await activate(v3.id)).statusCode).toBe(200);
      const deleted = await t.app.inject({ method: 'DELETE', url: `/v1/models/${v2.id}`, headers: releaseBot });
      expect(deleted.statusCode).toBe(204);
      expect((await history()).items[0]).toMatchObject({ kind: 'deleted', from: v2, to: null, actor: 'release-bot' });

      const response = await rollback();
      expect(response.statusCode).toBe(200);
      expect(ActivationResult.parse(response.json()).activated.id).toBe(v1.id);
      expect(await servedBy()).toEqual({ status: 200, modelId: v1.id });
      // The deleted version keeps its history.
      const kinds = (await history()).items.map((event) => `${event.kind} ${event.from?.version ?? '-'}→${event.to?.version ?? '-'}`);
      expect(kinds).toEqual(['rolled_back 3→1', 'deleted 2→-', 'activated 2→3', 'rolled_back 1→2', 'rolled_back 2→1', 'activated 1→2', 'activated -→1']);
    });

    it('pages the history newest first with its total', async () => {
      const all = await history();
      const page = await history(NAME, '?limit=2&offset=1');
      expect(page).toMatchObject({ total: all.total, limit: 2, offset: 1 });
      expect(page.items).toEqual(all.items.slice(1, 3));
    });

    it('answers 409 when no previously active version is left', async () => {
      const single = await train('single-version');
      const neverActivated = await rollback('single-version');
      expect(expectProblem(neverActivated, 409).detail).toBe('single-version has no previously active version to roll back to');
      expect((await activate(single.id)).statusCode).toBe(200);
      expectProblem(await rollback('single-version'), 409);
      expect((await statusesInDatabase('single-version')).get(single.id)).toBe('active');
    });

    it('answers 404 for an unknown model name and 403 for a key without the admin scope', async () => {
      expectProblem(await rollback('no-such-model'), 404);
      expectProblem(await rollback(NAME, reader), 403);
    });
  });

  describe('concurrent activations', () => {
    it('leave exactly one active version of the name, the one served', async () => {
      const a = await train('race');
      const b = await train('race');
      for (let round = 0; round < 8; round++) {
        const [first, second] = round % 2 === 0 ? [a, b] : [b, a];
        const responses = await Promise.all([activate(first.id), activate(second.id), rollback('race')]);
        // The rollback may find nothing to return to in the first round; the activations always succeed.
        expect(responses.slice(0, 2).map((response) => response.statusCode)).toEqual([200, 200]);
        const statuses = await statusesInDatabase('race');
        const active = [...statuses].filter(([, status]) => status === 'active').map(([id]) => id);
        expect(active).toHaveLength(1);
        expect(await servedBy('race')).toEqual({ status: 200, modelId: active[0] });
        // The events chain: each starts where the one before it ended, and the last ends at the active version.
        const events = (await history('race', '?limit=500')).items.reverse();
        events.slice(1).forEach((event, i) => expect(event.from?.id).toBe(events[i]!.to!.id));
        expect(events.at(-1)!.to!.id).toBe(active[0]);
      }
    });
  });

  describe('aliases', () => {
    it('serves ?model=name@alias, follows the alias when it moves and answers 404 once it is removed', async () => {
      const set = await putAlias('challenger', { version: v3.version });
      expect(set.statusCode).toBe(200);
      const alias = SetAliasResult.parse(set.json());
      expect(alias).toMatchObject({ name: NAME, alias: 'challenger', model: v3, updatedBy: 'release-bot', previous: null });
      expect(await servedBy(`${NAME}@challenger`)).toEqual({ status: 200, modelId: v3.id });

      const moved = await putAlias('challenger', { modelId: v1.id });
      expect(SetAliasResult.parse(moved.json())).toMatchObject({ model: v1, previous: v3 });
      expect(await servedBy(`${NAME}@challenger`)).toEqual({ status: 200, modelId: v1.id });

      const removed = await t.app.inject({ method: 'DELETE', url: `/v1/models/${NAME}/aliases/challenger`, headers: releaseBot });
      expect(removed.statusCode).toBe(204);
      const served = await t.app.inject({ method: 'POST', url: `/v1/assign?model=${NAME}@challenger`, headers: t.admin, payload: { attributes: { age: 30 } } });
      expect(expectProblem(served, 404).detail).toBe(`model ${NAME} has no alias challenger`);
      const again = await t.app.inject({ method: 'DELETE', url: `/v1/models/${NAME}/aliases/challenger`, headers: releaseBot });
      expectProblem(again, 404);

      const events = (await history(NAME, '?limit=3')).items.map(({ kind, from, to, alias, actor }) => ({ kind, from, to, alias, actor }));
      expect(events).toEqual([
        { kind: 'alias_removed', from: v1, to: null, alias: 'challenger', actor: 'release-bot' },
        { kind: 'alias_set', from: v3, to: v1, alias: 'challenger', actor: 'release-bot' },
        { kind: 'alias_set', from: null, to: v3, alias: 'challenger', actor: 'release-bot' },
      ]);
    });

    it('works wherever a model is named, such as the persona list', async () => {
      expect((await putAlias('champion', { version: v3.version })).statusCode).toBe(200);
      const response = await t.app.inject({ method: 'GET', url: `/v1/personas?model=${NAME}@champion`, headers: reader });
      expect(response.statusCode).toBe(200);
      expect(response.json().model).toEqual({ id: v3.id, name: NAME, version: v3.version });
      expect(response.json().items).toHaveLength(3);
    });

    it('lists the aliases of a name', async () => {
      expect((await putAlias('baseline', { version: v1.version })).statusCode).toBe(200);
      const response = await t.app.inject({ method: 'GET', url: `/v1/models/${NAME}/aliases`, headers: reader });
      expect(response.statusCode).toBe(200);
      const items = response.json().items.map((item: unknown) => ModelAlias.parse(item));
      expect(items.map(({ alias, model }: { alias: string; model: Version }) => ({ alias, model }))).toEqual([
        { alias: 'baseline', model: v1 },
        { alias: 'champion', model: v3 },
      ]);
    });

    it('records nothing when an alias is set to the version it already names', async () => {
      const before = (await history()).total;
      const response = await putAlias('baseline', { version: v1.version });
      expect(SetAliasResult.parse(response.json())).toMatchObject({ model: v1, previous: v1 });
      expect((await history()).total).toBe(before);
    });

    it('drops the aliases of a deleted version and records their removal', async () => {
      const doomed = await train(NAME);
      expect((await putAlias('doomed', { modelId: doomed.id })).statusCode).toBe(200);
      expect(await servedBy(`${NAME}@doomed`)).toEqual({ status: 200, modelId: doomed.id });
      expect((await t.app.inject({ method: 'DELETE', url: `/v1/models/${doomed.id}`, headers: releaseBot })).statusCode).toBe(204);
      expect((await servedBy(`${NAME}@doomed`)).status).toBe(404);
      const [deleted, aliasRemoved] = (await history()).items;
      expect(deleted).toMatchObject({ kind: 'deleted', from: doomed });
      expect(aliasRemoved).toMatchObject({ kind: 'alias_removed', from: doomed, alias: 'doomed' });
    });

    it.each([
      ['an upper-case letter', 'Champion'],
      ['a leading digit', '1st'],
      ['digits only, which would read as a version', '12'],
      ['41 characters', `a${'b'.repeat(40)}`],
      ['a dot', 'champ.ion'],
    ])('rejects an alias with %s with 400 and a pointer to it', async (_reason, alias) => {
      const problem = expectProblem(await putAlias(alias, { version: 1 }), 400);
      expect(problem.errors).toEqual([expect.objectContaining({ location: 'params', pointer: '/alias' })]);
    });

    it('rejects a body naming no version, or both a version and an id, with a pointer', async () => {
      expect(expectProblem(await putAlias('champion', {}), 400).errors).toEqual([expect.objectContaining({ location: 'body', pointer: '/version' })]);
      expect(expectProblem(await putAlias('champion', { version: 1, modelId: v1.id }), 400).errors).toEqual([
        expect.objectContaining({ location: 'body', pointer: '/modelId' }),
      ]);
    });

    it('rejects a version of another name, or one that does not exist, with 400 and a pointer', async () => {
      const other = await train('other-personas');
      const wrongName = expectProblem(await putAlias('champion', { modelId: other.id }), 400);
      expect(wrongName.errors).toEqual([expect.objectContaining({ location: 'body', pointer: '/modelId', code: 'other_model_name' })]);
      const missing = expectProblem(await putAlias('champion', { version: 99 }), 400);
      expect(missing.errors).toEqual([expect.objectContaining({ location: 'body', pointer: '/version', code: 'unknown_version' })]);
      // The alias still names what it named.
      expect(await servedBy(`${NAME}@champion`)).toEqual({ status: 200, modelId: v3.id });
    });

    it('answers 404 for aliases of an unknown model name', async () => {
      expectProblem(await putAlias('champion', { version: 1 }, 'no-such-model'), 404);
      expectProblem(await t.app.inject({ method: 'GET', url: '/v1/models/no-such-model/aliases', headers: reader }), 404);
      expectProblem(await t.app.inject({ method: 'POST', url: '/v1/assign?model=no-such-model@champion', headers: t.admin, payload: { attributes: { age: 30 } } }), 404);
    });
  });
});
