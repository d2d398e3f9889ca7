import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ModelDetail } from '../../../src/schemas/models.ts';
import { buildTestApp } from '../../helpers/app.ts';
import type { TestApp } from '../../helpers/app.ts';
import { segmentUpload } from '../../helpers/factories.ts';
import { chatCompletion, startFakeLlmServer } from '../../helpers/fake-llm-server.ts';
import type { FakeLlmServer } from '../../helpers/fake-llm-server.ts';

/** The operator's settings that shape personas: NAMING_VOCABULARY_FILE, STRATEGY_RULES_FILE and LLM_NAMING_*. */
describe('persona naming settings', () => {
  let folder: string;
  let llm: FakeLlmServer;

  const train = async (t: TestApp, name: string) => {
    const upload = await t.app.inject({ method: 'POST', url: '/v1/datasets', headers: t.admin, payload: segmentUpload(20) });
    const response = await t.app.inject({ method: 'POST', url: '/v1/models?wait=true', headers: t.admin, payload: { name, datasetId: upload.json().id, k: 3, seed: 1, stabilityResamples: 0 } });
    expect(response.statusCode, response.body).toBe(201);
    return ModelDetail.parse(response.json());
  };

  beforeAll(async () => {
    folder = mkdtempSync(join(tmpdir(), 'persona-naming-'));
    llm = await startFakeLlmServer();
  });
  afterAll(async () => {
    await llm.close();
    rmSync(folder, { recursive: true, force: true });
  });

  describe('an operator vocabulary and strategy library', () => {
    let t: TestApp;
    let model: ReturnType<typeof ModelDetail.parse>;

    beforeAll(async () => {
      const vocabularyFile = join(folder, 'vocabulary.json');
      const strategyRulesFile = join(folder, 'strategies.json');
      writeFileSync(
        vocabularyFile,
        JSON.stringify({ categorical: [{ feature: 'home_ownership', values: [{ value: 'rent', word: 'Tenants', role: 'noun' }] }] }),
      );
      writeFileSync(
        strategyRulesFile,
        JSON.stringify({
          rules: [{ id: 'digital-first', title: 'Digital-first onboarding', description: 'App-only welcome journey.', when: [{ feature: 'web_visits', direction: 'high' }] }],
        }),
      );
      t = await buildTestApp({ config: { namingVocabularyFile: vocabularyFile, strategyRulesFile } });
      model = await train(t, 'own-words');
    });
    afterAll(async () => t.close());

    it('names with the operator words before the shipped ones, and keeps the shipped ones for the rest', () => {
      const names = model.personas.map((persona) => persona.name);
      expect(names.some((name) => name.includes('Tenants'))).toBe(true);
      expect(names.some((name) => name.includes('Renters'))).toBe(false);
      expect(names.some((name) => name.includes('Homeowners'))).toBe(true);
    });

    it('proposes the operator strategies where their conditions hold, with the trait that triggered them', async () => {
      const details = await Promise.all(model.personas.map(async (persona) => (await t.app.inject({ method: 'GET', url: `/v1/personas/${persona.id}`, headers: t.admin })).json()));
      const withRule = details.filter((persona) => persona.strategies.some((strategy: { id: string }) => strategy.id === 'digital-first'));
      expect(withRule).toHaveLength(1);
      expect(withRule[0].name).toContain('Tenants'); // the renters visit the web most (14 a month against 2–6)
      expect(withRule[0].strategies.find((strategy: { id: string }) => strategy.id === 'digital-first').trigger).toMatch(/web visits/i);
    });
  });

  it('refuses to start with an invalid vocabulary file, naming the setting, the file and the field', async () => {
    const broken = join(folder, 'broken.json');
    writeFileSync(broken, JSON.stringify({ numeric: [{ feature: '(unclosed', high: { word: 'Big' }, low: { word: 'Small' } }] }));
    await expect(buildTestApp({ config: { namingVocabularyFile: broken } })).rejects.toThrow(/NAMING_VOCABULARY_FILE .*broken\.json.*numeric\.0\.feature: must be a valid regular expression/);
  });

  it('refuses to start with a strategy file that is not JSON', async () => {
    const broken = join(folder, 'not-json.json');
    writeFileSync(broken, '{ rules: [');
    await expect(buildTestApp({ config: { strategyRulesFile: broken } })).rejects.toThrow(/STRATEGY_RULES_FILE .*not-json\.json/);
  });

  describe('LLM naming', () => {
    let t: TestApp;

    beforeAll(async () => {
      t = await buildTestApp({ config: { llmNaming: { baseUrl: llm.baseUrl, model: 'fake-8b', apiKey: 'sk-test-secret', timeoutMs: 5_000 } } });
    });
    afterAll(async () => t.close());

    it('takes names and taglines from the endpoint, keeps keys from the deterministic names, and sends aggregates only', async () => {
      llm.requests.length = 0;
      llm.reply({
        status: 200,
        body: chatCompletion(
          JSON.stringify({
            personas: [0, 1, 2].map((index) => ({ index, name: `Named By Model ${index}`, tagline: `Tagline ${index}.` })),
          }),
        ),
      });
      const model = await train(t, 'llm-named');
      expect(model.personas.map((persona) => persona.name).sort()).toEqual(['Named By Model 0', 'Named By Model 1', 'Named By Model 2']);
      for (const persona of model.personas) expect(persona.key).not.toMatch(/named-by-model/);
      const persona = (await t.app.inject({ method: 'GET', url: `/v1/personas/${model.personas[0]!.id}`, headers: t.admin })).json();
      expect(persona.tagline).toMatch(/^Tagline \d\.$/);

      expect(llm.requests).toHaveLength(1);
      const request = llm.requests[0]!;
      expect(request.headers.authorization).toBe('Bearer sk-test-secret');
      expect(request.text).not.toMatch(/S\d-\d{3}/); // no customer id
      expect(request.text).not.toContain('30900'); // no raw customer value
    });

    it('keeps the deterministic names and records a warning when the endpoint fails', async () => {
      llm.reply({ status: 500, body: { error: 'overloaded' } });
      const model = await train(t, 'llm-down');
      expect(model.personas.some((persona) => persona.name.includes('Renters'))).toBe(true);
      expect(model.metrics.warnings.join(' ')).toMatch(/LLM naming/i);
      expect(model.metrics.warnings.join(' ')).not.toContain('sk-test-secret');
    });
  });
});
