/**
 * The persona board in a real browser: Debian's Chromium driven by playwright-core against the real
 * server (listening on a free port) with the demo model, as a marketer would use it. Screenshots of
 * the main views go to test-artifacts/screenshots/ (git-ignored) for review.
 *
 * Without /usr/bin/chromium the file is skipped locally; with CI set it fails instead (.ci/run
 * installs the chromium package).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { generateInsuranceBook, insuranceBookToCsv } from '../../src/demo/insurance-book.ts';
import { buildTestApp } from '../helpers/app.ts';
import type { TestApp } from '../helpers/app.ts';

const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-dev-shm-usage'];
const SCREENSHOTS = fileURLToPath(new URL('../../test-artifacts/screenshots/', import.meta.url));
const KEY_STORAGE = 'persona-board.api-key';
const hasChromium = existsSync(CHROMIUM);

if (!hasChromium && process.env.CI) throw new Error(`${CHROMIUM} is missing: CI must run the browser tests (.ci/run installs Debian's chromium package)`);
if (!hasChromium) console.warn(`test/web skipped: ${CHROMIUM} not found (apt-get install chromium to run the persona board's browser tests)`);

/** What the page exposes for tests: the series an ECharts instance drew, its tooltips and its points. */
type ChartSeries = Array<{ type: string; name: string; points: number }> | null;
interface BoardHooks {
  chartSeries(selector: string): ChartSeries;
  chartTooltips(selector: string): number;
  chartPointPixel(selector: string, seriesIndex: number, dataIndex: number): [number, number] | null;
}

/** expect.poll waits 1 s by default: too short for a browser on a shared CI machine. */
const poll = <T>(check: () => T | Promise<T>, timeout = 15_000) => expect.poll(check, { timeout });

/** What the document says about focus and its title (the test runs in Node: no DOM types). */
const focusedText = (page: Page) =>
  page.evaluate(() => {
    const active = (globalThis as unknown as { document: { activeElement: { id: string; textContent: string } | null } }).document.activeElement;
    return { id: active?.id ?? '', text: active?.textContent ?? '' };
  });

interface PersonaDto {
  id: string;
  name: string;
  profile: { snake: Array<{ feature: string; value: number }> };
}

describe.skipIf(!hasChromium)('persona board in Chromium', () => {
  let t: TestApp;
  let browser: Browser;
  let context: BrowserContext;
  let base: string;
  let adminKey: string;
  let v1: { id: string; name: string; version: number };
  const pageErrors: string[] = [];

  async function api<T>(url: string, init: { method?: string; body?: unknown } = {}): Promise<T> {
    const response = await t.app.inject({ method: (init.method ?? 'GET') as 'GET', url, headers: t.admin, payload: init.body as object | undefined });
    expect(response.statusCode, `${url}: ${response.body}`).toBeLessThan(300);
    return response.json() as T;
  }

  /**
   * A browser context as the board's users have one: the board formats numbers with
   * navigator.language, so the locale is pinned; reduced motion skips the charts' animation.
   */
  const newContext = (options: Parameters<Browser['newContext']>[0] = {}) => browser.newContext({ viewport: { width: 1280, height: 800 }, reducedMotion: 'reduce', locale: 'en-US', ...options });

  /** A page whose console errors, failed requests and CSP violations fail the test that opened it. */
  async function open(target: BrowserContext, path: string): Promise<Page> {
    const page = await target.newPage();
    // CSP violations also as console errors, whatever the browser itself logs about them.
    await page.addInitScript(() => {
      const scope = globalThis as unknown as { addEventListener(type: string, listener: (event: { violatedDirective: string; blockedURI: string }) => void): void; console: { error(text: string): void } };
      scope.addEventListener('securitypolicyviolation', (event) => scope.console.error(`CSP violation: ${event.violatedDirective} ${event.blockedURI}`));
    });
    page.on('pageerror', (error) => pageErrors.push(`page error: ${error.message}`));
    page.on('console', (message) => {
      // The browser logs every 4xx answer (the 401 before the key, the 404 of a missing persona): expected.
      if (message.type() === 'error' && !/Failed to load resource: the server responded with a status of 4\d\d/.test(message.text())) pageErrors.push(`console: ${message.text()}`);
    });
    page.on('requestfailed', (request) => {
      // The board aborts the calls of a view the user left (net::ERR_ABORTED): on purpose.
      if (request.failure()?.errorText === 'net::ERR_ABORTED' && new URL(request.url()).pathname.startsWith('/v1/')) return;
      pageErrors.push(`request failed: ${request.url()} ${request.failure()?.errorText ?? ''}`);
    });
    page.on('response', (response) => {
      if (response.status() >= 500) pageErrors.push(`HTTP ${response.status()}: ${response.url()}`);
    });
    await page.goto(path.startsWith('http') ? path : `${base}${path}`);
    return page;
  }

  const chartSeries = (page: Page, selector: string) =>
    page.waitForFunction((css) => (globalThis as unknown as { personaBoard: BoardHooks }).personaBoard.chartSeries(css), selector).then((handle) => handle.jsonValue() as Promise<ChartSeries>);

  const shoot = (page: Page, name: string) => page.screenshot({ path: `${SCREENSHOTS}${name}.png`, fullPage: false });

  beforeAll(async () => {
    // The board the tests see is built from the current source.
    execFileSync(process.execPath, [fileURLToPath(new URL('../../scripts/build-web.ts', import.meta.url))], { stdio: 'pipe' });
    mkdirSync(SCREENSHOTS, { recursive: true });
    t = await buildTestApp({ config: { jobs: { isWorker: true, heartbeatSeconds: 10, pollSeconds: 0.5 } } });
    const demo = await t.app.services.demo.seed();
    v1 = demo.model;
    adminKey = t.admin.authorization.replace(/^Bearer /, '');
    base = await t.app.listen({ port: 0, host: '127.0.0.1' });
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
    // Reduced motion: the charts skip their animation, so screenshots show them drawn.
    context = await newContext();
    await context.addInitScript(([storage, key]) => sessionStorage.setItem(storage, key), [KEY_STORAGE, adminKey] as const);
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  // Every test's pages must run without a script error, failed request or CSP violation.
  afterEach(() => {
    const errors = pageErrors.splice(0);
    expect(errors).toEqual([]);
  });

  it('asks for an API key first, then shows one card per persona with its figures', async () => {
    const stranger = await newContext();
    const page = await open(stranger, '/');
    await page.getByLabel('Key', { exact: true }).fill(adminKey);
    await page.getByRole('button', { name: 'Use this key' }).click();
    const personas = (await api<{ items: PersonaDto[] }>(`/v1/personas?model=${v1.id}`)).items;
    await poll(() => page.locator('.persona-card').count()).toBe(personas.length);
    const names = await page.locator('.persona-card h3').allTextContents();
    expect(names.sort()).toEqual(personas.map((persona) => persona.name).sort());
    // Numbers for people: a thousands separator in the customer counts and percentages.
    await poll(() => page.locator('.persona-card .stats').first().textContent()).toMatch(/\d,\d{3} · \d+(\.\d)?%/);
    await shoot(page, 'personas');
    await stranger.close();
  });

  it('opens a persona and draws its snake plot: one series per persona, one point per numeric feature', async () => {
    const personas = (await api<{ items: PersonaDto[] }>(`/v1/personas?model=${v1.id}`)).items;
    const page = await open(context, '/#/personas');
    const first = page.locator('.persona-card h3 a').first();
    const name = await first.textContent();
    await first.click();
    await poll(() => page.locator('#persona-title').textContent()).toBe(name);
    const series = await chartSeries(page, '#persona-snake');
    expect(series).toHaveLength(personas.length);
    expect(series!.map((entry) => entry.name).sort()).toEqual(personas.map((persona) => persona.name).sort());
    for (const entry of series!) expect(entry.points).toBe(personas[0]!.profile.snake.length);
    expect(await page.locator('#persona-snake canvas').count()).toBeGreaterThan(0);
    await shoot(page, 'persona');
    await page.close();
  });

  it('renames a persona and the new name is still there after a reload', async () => {
    const persona = (await api<{ items: PersonaDto[] }>(`/v1/personas?model=${v1.id}`)).items[1]!;
    const page = await open(context, `/#/persona/${persona.id}?model=${v1.id}`);
    await page.getByLabel('Name', { exact: true }).fill('City Starters');
    await page.getByRole('button', { name: 'Save' }).click();
    await poll(() => page.locator('#persona-title').textContent()).toBe('City Starters');
    // The form was re-drawn: the focus is on the confirmation, not lost on the page's body.
    await poll(async () => (await focusedText(page)).text).toBe('Saved.');
    await page.reload();
    await poll(() => page.locator('#persona-title').textContent()).toBe('City Starters');
    expect((await api<PersonaDto>(`/v1/personas/${persona.id}`)).name).toBe('City Starters');
    await page.close();
  });

  it('draws the snake plot, the 2-D map with the persona centres and value by persona', async () => {
    const personas = (await api<{ items: PersonaDto[] }>(`/v1/personas?model=${v1.id}`)).items;
    const detail = await api<{ map: { sample: unknown[] } }>(`/v1/models/${v1.id}`);
    const page = await open(context, `/#/charts?model=${v1.id}`);
    expect(await chartSeries(page, '#chart-snake')).toHaveLength(personas.length);
    const map = (await chartSeries(page, '#chart-map'))!;
    expect(map).toHaveLength(personas.length + 1);
    expect(map.at(-1)).toMatchObject({ name: 'Persona centres', points: personas.length });
    expect(map.slice(0, -1).reduce((total, entry) => total + entry.points, 0)).toBe(detail.map.sample.length);
    expect((await chartSeries(page, '#chart-value'))!.map((entry) => entry.points)).toEqual([personas.length, personas.length]);
    // The demo fixes k: the k-selection panel says how to get the curves instead of an empty chart.
    await poll(() => page.getByText('Train with a k range').count()).toBe(1);
    expect(await page.getByText(/k = \d+ was fixed at training/).count()).toBe(1);
    // Screen readers get the chart's label and ECharts' description of its series.
    expect(await page.locator('#chart-snake').getAttribute('aria-label')).toMatch(/^Snake plot of the personas.*series/);
    // The figures without a mouse: a table under the snake plot, one row per persona.
    expect(await page.locator('#snake-table tbody tr').count()).toBe(personas.length);
    await shoot(page, 'charts');
    await page.close();
  });

  it('shows a chart tooltip on hover without breaking the content security policy', async () => {
    const page = await open(context, `/#/charts?model=${v1.id}`);
    await chartSeries(page, '#chart-snake');
    const point = (await page.evaluate(() => (globalThis as unknown as { personaBoard: BoardHooks }).personaBoard.chartPointPixel('#chart-snake', 0, 1)))!;
    const box = (await page.locator('#chart-snake').boundingBox())!;
    await page.mouse.move(box.x + point[0], box.y + point[1]);
    await poll(() => page.evaluate(() => (globalThis as unknown as { personaBoard: BoardHooks }).personaBoard.chartTooltips('#chart-snake'))).toBeGreaterThan(0);
    // An HTML tooltip would be a div with inline styles, which style-src 'self' blocks (afterEach reports it).
    await page.waitForTimeout(300);
    await page.close();
  });

  it('keeps the view the user went to when an earlier view’s data arrives late', async () => {
    const page = await open(context, `/#/personas?model=${v1.id}`);
    await page.locator('.persona-card').first().waitFor();
    // Hold the charts' data back, go to Charts, then on to Try it before it arrives.
    let held = 0;
    await page.route(`**/v1/models/${v1.id}`, async (route) => {
      held += 1;
      await new Promise((resolve) => setTimeout(resolve, 1_500));
      await route.continue().catch(() => undefined);
    });
    await page.getByRole('link', { name: 'Charts' }).click();
    await poll(() => held).toBe(1);
    await page.getByRole('link', { name: 'Try it' }).click();
    await poll(() => page.locator('.view-head h2').textContent()).toBe('Try it: place a new customer');
    await page.waitForTimeout(2_000);
    expect(await page.locator('.view-head h2').textContent()).toBe('Try it: place a new customer');
    expect(await page.locator('#chart-snake').count()).toBe(0);
    expect(await page.title()).toBe('Try it: place a new customer · Persona board');
    await page.close();
  });

  it('asks the next best question and shows the persona, its confidence and the reasons as answers come in', async () => {
    // A customer who answers every question (some demo customers leave income empty).
    const customers = generateInsuranceBook({ customers: 50, seed: 7 }).customers as unknown as Array<Record<string, string | number | null>>;
    const customer = customers.find((candidate) => Object.values(candidate).every((value) => value !== null))!;
    const page = await open(context, `/#/try?model=${v1.id}`);
    const answers: Record<string, string | number> = {};
    for (let round = 0; round < 3; round += 1) {
      const label = (await page.locator('#try-question').textContent())!;
      const feature = Object.keys(customer).find((column) => label.includes(`’s ${column.replace(/_/g, ' ')}?`))!;
      expect(feature, label).toBeDefined();
      const value = customer[feature]!;
      const input = page.locator('#try-answer');
      if ((await input.evaluate((element) => element.tagName)) === 'SELECT') await input.selectOption(String(value));
      else await input.fill(String(value));
      answers[feature] = value;
      await page.locator('#try-submit').click();
      await poll(() => page.locator('#try-question-title').textContent()).toBe(`Question ${round + 2}`);
    }
    // The board shows what /v1/assign answers for the same attributes.
    const expected = await api<{ persona: { name: string }; confidence: number }>(`/v1/assign?model=${v1.id}`, { method: 'POST', body: { attributes: answers } });
    await poll(() => page.locator('#try-persona').textContent()).toBe(expected.persona.name);
    expect(await page.locator('#try-confidence').textContent()).toBe(`${Math.round(expected.confidence * 1000) / 10}%`);
    expect(await page.locator('#try-reasons li').count()).toBeGreaterThan(0);
    await shoot(page, 'try');
    await page.close();
  });

  it('trains a second version from an uploaded CSV, switches to it, compares the two and activates it', async () => {
    const csv = insuranceBookToCsv(generateInsuranceBook({ customers: 800, seed: 3 })).customers;
    const page = await open(context, `/#/models?model=${v1.id}`);
    await page.getByLabel('Customers (CSV)').setInputFiles({ name: 'book.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
    await page.getByRole('button', { name: 'Upload and train' }).click();
    await poll(() => page.locator('#train-progress').isVisible()).toBe(true);
    await poll(() => page.getByText(`${v1.name} v2 is trained as a candidate`).count(), 90_000).toBe(1);
    const v2 = (await api<{ items: Array<{ id: string; version: number; status: string; metrics: { k: number; kSelection: unknown[] } }> }>(`/v1/models?name=${v1.name}`)).items.find((model) => model.version === 2)!;
    expect(v2.status).toBe('candidate');
    await shoot(page, 'models');

    // Switch versions with the header's selector: the cards are v2's.
    await page.goto(`${base}/#/personas?model=${v1.id}`);
    await page.locator('#model-select').selectOption(v2.id);
    await poll(() => page.locator('.view-head h2').textContent()).toBe(`Personas of ${v1.name} v2`);
    await poll(() => page.locator('.persona-card').count()).toBe(v2.metrics.k);

    // v2 chose k from a range: the k-selection curves (silhouette, Davies–Bouldin, Calinski–Harabasz).
    await page.getByRole('link', { name: 'Charts' }).click();
    const curves = (await chartSeries(page, '#chart-k'))!;
    expect(curves.map((entry) => entry.name)).toEqual(['Silhouette (higher is better)', 'Davies–Bouldin (lower is better)', 'Calinski–Harabasz (higher is better)']);
    for (const entry of curves) expect(entry.points).toBe(v2.metrics.kSelection.length);

    // Compare v1 → v2: the matching and the migration matrix as a heatmap of every cell.
    await page.getByRole('link', { name: 'Compare' }).click();
    const migration = await api<{ rows: Array<{ cells: unknown[] }> }>(`/v1/models/${v1.id}/migration/${v2.id}?limit=1`);
    const heatmap = (await chartSeries(page, '#chart-migration'))!;
    expect(heatmap).toEqual([{ type: 'heatmap', name: 'Migration', points: migration.rows.reduce((total, row) => total + row.cells.length, 0) }]);
    expect(await page.locator('#matching tbody tr').count()).toBeGreaterThan(0);
    await shoot(page, 'compare');

    // Activate v2 from the models view; then roll back to v1.
    await page.getByRole('link', { name: 'Models' }).click();
    await page.getByRole('button', { name: 'Activate v2' }).click();
    await poll(async () => (await api<{ status: string }>(`/v1/models/${v2.id}`)).status).toBe('active');
    await poll(() => page.locator(`tr[data-model-id="${v2.id}"] .badge`).textContent()).toBe('active');
    // The table was re-drawn under the button: the focus goes to the news.
    await poll(async () => (await focusedText(page)).text).toBe(`${v1.name} v2 is active.`);
    await page.getByRole('button', { name: `Roll ${v1.name} back` }).click();
    await poll(async () => (await api<{ status: string }>(`/v1/models/${v1.id}`)).status).toBe('active');
    await page.close();
  }, 120_000);

  it('shows the drift panel, and the fairness audit: what to do when there is none, every check when there is', async () => {
    const page = await open(context, `/#/health?model=${v1.id}`);
    await poll(() => page.locator('#drift-panel').count()).toBe(1);
    // The panel shows what the API measured: a PSI row per feature, or that nothing was assigned yet.
    const drift = await api<{ observations: number; features: unknown[] }>(`/v1/models/${v1.id}/drift`);
    if (drift.observations === 0) await poll(() => page.locator('#drift-panel .empty').textContent()).toContain('No assignments were logged');
    else await poll(() => page.locator('#drift-panel tbody tr').count()).toBe(drift.features.length);
    // The demo declares no protected attribute: the panel says so and how to get an audit.
    await poll(() => page.locator('#fairness-panel .empty').textContent()).toContain('protectedAttributes');

    // A version trained on data with a protected column shows the audit's checks with the API's verdicts.
    const customers = generateInsuranceBook({ customers: 600, seed: 5 }).customers;
    const dataset = await api<{ id: string }>('/v1/datasets', { method: 'POST', body: { name: 'audited book', idColumn: 'customer_id', protectedAttributes: ['marital_status'], customers } });
    const audited = await api<{ id: string }>('/v1/models?wait=true', { method: 'POST', body: { name: 'audited', datasetId: dataset.id, k: 3, stabilityResamples: 0 } });
    const report = await api<{ verdict: string; checks: Record<string, { verdict: string }> }>(`/v1/models/${audited.id}/fairness`);
    // The version was trained after the page loaded its list of versions: a link to it still works.
    await page.goto(`${base}/#/health?model=${audited.id}`);
    await poll(() => page.locator('.view-head h2').textContent()).toBe('Drift & fairness of audited v1');
    const rows = page.locator('#fairness-panel tbody > tr');
    await poll(() => rows.count()).toBe(Object.keys(report.checks).length);
    const shown = await rows.evaluateAll((elements) => elements.map((row) => row.querySelector('td .badge')?.textContent));
    expect(shown).toEqual(Object.values(report.checks).map((check) => check.verdict));
    expect(await page.locator('#fairness-panel').textContent()).toContain(`Overall: ${report.verdict}`);
    await shoot(page, 'health');
    // A link to a version that does not exist says so instead of showing another version.
    await page.goto(`${base}/#/health?model=00000000-0000-4000-8000-000000000000`);
    await poll(() => page.locator('.empty').textContent()).toContain('names a model version that does not exist');
    await page.close();
  }, 60_000);

  it('keeps the fairness audit when a version has no drift baseline, and the comparison form when a comparison fails', async () => {
    const page = await open(context, `/#/personas?model=${v1.id}`);
    await page.locator('.persona-card').first().waitFor();
    // What the API answers for a version trained before drift baselines existed.
    await page.route('**/v1/models/*/drift', (route) =>
      route.fulfill({ status: 422, contentType: 'application/problem+json', body: JSON.stringify({ title: 'Unprocessable Entity', status: 422, detail: 'model was trained before drift baselines existed; retrain it to measure drift' }) }),
    );
    await page.getByRole('link', { name: 'Drift & fairness' }).click();
    await poll(() => page.locator('#drift-panel .empty').textContent()).toContain('This version has no drift baseline: retrain it to measure drift');
    await poll(() => page.locator('#fairness-panel .empty').textContent()).toContain('protectedAttributes');
    expect(await page.getByRole('alert').count()).toBe(0);

    // Only the migration fails: the matching shows, the error sits below the form, which still works.
    await page.route('**/v1/models/*/migration/**', (route) =>
      route.fulfill({ status: 404, contentType: 'application/problem+json', body: JSON.stringify({ title: 'Not Found', status: 404, detail: 'the migration is gone' }) }),
    );
    await page.getByRole('link', { name: 'Compare' }).click();
    await poll(() => page.getByRole('alert').textContent()).toContain('the migration is gone');
    expect(await page.locator('#matching tbody tr').count()).toBeGreaterThan(0);
    expect(await page.getByRole('button', { name: 'Compare' }).count()).toBe(1);
    expect(await page.locator('#chart-migration').count()).toBe(0);
    await page.close();
  });

  it('says when recommendations could not load, and forgets a failed answer on Start over', async () => {
    const page = await open(context, `/#/personas?model=${v1.id}`);
    await page.locator('.persona-card').first().waitFor();
    // A failing products call is no "no products": each card says it could not load them.
    await page.route('**/v1/personas/*/recommendations*', (route) =>
      route.fulfill({ status: 404, contentType: 'application/problem+json', body: JSON.stringify({ title: 'Not Found', status: 404, detail: 'gone' }) }),
    );
    await page.reload();
    await poll(() => page.getByText('Couldn’t load the recommendations').count()).toBe(await page.locator('.persona-card').count());

    await page.route('**/v1/assign*', (route) =>
      route.fulfill({ status: 422, contentType: 'application/problem+json', body: JSON.stringify({ title: 'Unprocessable Entity', status: 422, detail: 'that answer makes no sense' }) }),
    );
    await page.getByRole('link', { name: 'Try it' }).click();
    const input = page.locator('#try-answer');
    await input.waitFor();
    if ((await input.evaluate((element) => element.tagName)) === 'SELECT') await input.selectOption({ index: 1 });
    else await input.fill('40');
    await page.locator('#try-submit').click();
    await poll(() => page.locator('#try-result').textContent()).toContain('that answer makes no sense');
    await page.getByRole('button', { name: 'Start over' }).click();
    await poll(() => page.locator('#try-result').textContent()).toContain('Answer a question');
    expect(await page.locator('#try-result [role=alert]').count()).toBe(0);
    await page.close();
  });

  it('says a rejected API key is unknown or revoked, with the service’s reason', async () => {
    const stranger = await newContext();
    await stranger.addInitScript(([storage]) => sessionStorage.setItem(storage, 'psk_not-a-real-key'), [KEY_STORAGE] as const);
    const page = await open(stranger, '/');
    await poll(() => page.locator('.key-form').textContent()).toContain('unknown or revoked');
    expect(await page.locator('.key-form').textContent()).not.toContain('This service needs an API key');
    await stranger.close();
  });

  it('survives a malformed link and keeps the version in the title link', async () => {
    const page = await open(context, `/#/persona/%E0%A4%A?model=${v1.id}`);
    // Not stuck on "Loading…": the API says the persona id is not one.
    await poll(() => page.getByRole('alert').textContent()).toMatch(/HTTP 4\d\d/);
    expect(await page.locator('#home-link').getAttribute('href')).toBe(`#/personas?model=${v1.id}`);
    await page.close();
  });

  it('stops following a training when the user leaves Models and leaves their new view alone', async () => {
    const csv = insuranceBookToCsv(generateInsuranceBook({ customers: 600, seed: 11 })).customers;
    const page = await open(context, `/#/models?model=${v1.id}`);
    await page.getByLabel('Customers (CSV)').setInputFiles({ name: 'left.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
    await page.getByLabel('Model name').fill('left-behind');
    await page.getByRole('button', { name: 'Upload and train' }).click();
    await poll(() => page.locator('#train-progress').isVisible()).toBe(true);
    await poll(() => page.getByText('Training:').or(page.getByText('Queued:')).count()).toBeGreaterThan(0);
    // On to Try it, where the user answers a question while the job runs.
    await page.getByRole('link', { name: 'Try it' }).click();
    await poll(() => page.locator('#toast').textContent()).toContain('goes on in the service');
    await page.locator('#try-answer').waitFor();
    const input = page.locator('#try-answer');
    if ((await input.evaluate((element) => element.tagName)) === 'SELECT') await input.selectOption({ index: 1 });
    else await input.fill('40');
    await page.locator('#try-submit').click();
    await poll(() => page.locator('#try-question-title').textContent()).toBe('Question 2');
    // The job completes in the service; the Try it view keeps its answer.
    await poll(async () => (await api<{ items: unknown[] }>('/v1/models?name=left-behind')).items.length, 60_000).toBe(1);
    await page.waitForTimeout(2_500);
    expect(await page.locator('#try-question-title').textContent()).toBe('Question 2');
    expect(await page.locator('.answers li').count()).toBe(1);
    await page.close();
  }, 90_000);

  it('says what went wrong and what to do when a persona does not exist', async () => {
    const page = await open(context, `/#/persona/00000000-0000-4000-8000-000000000000?model=${v1.id}`);
    const alert = page.getByRole('alert');
    await poll(() => alert.textContent()).toContain('HTTP 404');
    expect(await alert.textContent()).toContain('go back to Models');
    await page.close();
  });

  it('hides the admin controls from a read-only key', async () => {
    const reader = (await t.keyWith('read')).authorization.replace(/^Bearer /, '');
    const readOnly = await newContext();
    await readOnly.addInitScript(([storage, key]) => sessionStorage.setItem(storage, key), [KEY_STORAGE, reader] as const);
    const persona = (await api<{ items: PersonaDto[] }>(`/v1/personas?model=${v1.id}`)).items[0]!;
    const page = await open(readOnly, `/#/persona/${persona.id}?model=${v1.id}`);
    await poll(() => page.locator('#persona-title').textContent()).toBe(persona.name);
    expect(await page.locator('#persona-name').count()).toBe(0);
    await page.getByRole('link', { name: 'Models' }).click();
    await poll(() => page.getByText('An admin key can train, activate and roll back versions here.').count()).toBe(1);
    expect(await page.getByRole('button', { name: /^Activate/ }).count()).toBe(0);
    await readOnly.close();
  });

  it('tells an admin how to get a first model when there is none', async () => {
    const empty = await buildTestApp();
    try {
      const emptyBase = await empty.app.listen({ port: 0, host: '127.0.0.1' });
      const fresh = await newContext();
      await fresh.addInitScript(([storage, key]) => sessionStorage.setItem(storage, key), [KEY_STORAGE, empty.admin.authorization.replace(/^Bearer /, '')] as const);
      const page = await open(fresh, `${emptyBase}/`);
      await poll(() => page.locator('.empty').textContent()).toContain('There is no model yet.');
      await page.getByRole('link', { name: 'Go to Models' }).click();
      await poll(() => page.getByRole('button', { name: 'Upload and train' }).count()).toBe(1);
      await fresh.close();
    } finally {
      await empty.close();
    }
  });

  it('works from the keyboard: tab to a persona card and open it with Enter', async () => {
    const page = await open(context, '/#/personas');
    await page.locator('.persona-card').first().waitFor();
    let focused = '';
    for (let presses = 0; presses < 40 && !focused; presses += 1) {
      await page.keyboard.press('Tab');
      focused = await page.evaluate(() => {
        const active = (globalThis as unknown as { document: { activeElement: { closest(selector: string): unknown; textContent: string } | null } }).document.activeElement;
        return active?.closest('.persona-card') ? active.textContent : '';
      });
    }
    expect(focused).not.toBe('');
    await page.keyboard.press('Enter');
    await poll(() => page.locator('#persona-title').textContent()).toBe(focused);
    // The new view's heading has the focus (so screen readers announce it) and names the tab.
    await poll(async () => (await focusedText(page)).id).toBe('persona-title');
    expect(await page.title()).toBe(`${focused} · Persona board`);
    await page.close();
  });

  it('fits a phone-sized screen without sideways scrolling', async () => {
    const phone = await newContext({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 1, isMobile: true, hasTouch: true });
    await phone.addInitScript(([storage, key]) => sessionStorage.setItem(storage, key), [KEY_STORAGE, adminKey] as const);
    const persona = (await api<{ items: PersonaDto[] }>(`/v1/personas?model=${v1.id}`)).items[0]!;
    for (const view of ['personas', 'charts', 'try', `persona/${persona.id}`, 'compare', 'health', 'models']) {
      const page = await open(phone, `/#/${view}?model=${v1.id}`);
      await page.locator('main h2').waitFor();
      const { overflow, culprits } = await page.evaluate(() => {
        type Box = { getBoundingClientRect(): { right: number }; tagName: string; id: string; className: string; closest(selector: string): unknown };
        const document = (globalThis as unknown as { document: { documentElement: { scrollWidth: number; clientWidth: number }; querySelectorAll(selector: string): Iterable<Box> } }).document;
        const width = document.documentElement.clientWidth;
        // The elements that stick out (tables scroll inside their .table-wrap), to say what to fix.
        const wide = [...document.querySelectorAll('body *')].filter((element) => element.getBoundingClientRect().right > width + 0.5 && !element.closest('.table-wrap'));
        return { overflow: document.documentElement.scrollWidth - width, culprits: wide.slice(0, 5).map((element) => `${element.tagName}#${element.id}.${element.className}`) };
      });
      expect(overflow, `${view}: ${culprits.join(', ')}`).toBeLessThanOrEqual(0);
      await shoot(page, `phone-${view.split('/')[0]!}`);
      await page.close();
    }
    await phone.close();
  });

});
