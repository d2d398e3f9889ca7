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
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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

/** What the page exposes for tests: the series an ECharts instance drew. */
type ChartSeries = Array<{ type: string; name: string; points: number }> | null;

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

  /** A page whose console errors, failed requests and CSP violations fail the suite at the end. */
  async function open(target: BrowserContext, path: string): Promise<Page> {
    const page = await target.newPage();
    page.on('pageerror', (error) => pageErrors.push(`page error: ${error.message}`));
    page.on('console', (message) => {
      // The browser logs every 4xx answer (the 401 before the key, the 404 of a missing persona): expected.
      if (message.type() === 'error' && !/Failed to load resource: the server responded with a status of 4\d\d/.test(message.text())) pageErrors.push(`console: ${message.text()}`);
    });
    page.on('requestfailed', (request) => pageErrors.push(`request failed: ${request.url()} ${request.failure()?.errorText ?? ''}`));
    page.on('response', (response) => {
      if (response.status() >= 500) pageErrors.push(`HTTP ${response.status()}: ${response.url()}`);
    });
    await page.goto(`${base}${path}`);
    return page;
  }

  const chartSeries = (page: Page, selector: string) =>
    page.waitForFunction((css) => (globalThis as unknown as { personaBoard: { chartSeries(selector: string): ChartSeries } }).personaBoard.chartSeries(css), selector).then((handle) => handle.jsonValue() as Promise<ChartSeries>);

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
    context = await browser.newContext({ viewport: { width: 1280, height: 800 }, reducedMotion: 'reduce' });
    await context.addInitScript(([storage, key]) => sessionStorage.setItem(storage, key), [KEY_STORAGE, adminKey] as const);
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  it('asks for an API key first, then shows one card per persona with its figures', async () => {
    const stranger = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const page = await open(stranger, '/');
    await page.getByLabel('Key', { exact: true }).fill(adminKey);
    await page.getByRole('button', { name: 'Use this key' }).click();
    const personas = (await api<{ items: PersonaDto[] }>(`/v1/personas?model=${v1.id}`)).items;
    await expect.poll(() => page.locator('.persona-card').count()).toBe(personas.length);
    const names = await page.locator('.persona-card h3').allTextContents();
    expect(names.sort()).toEqual(personas.map((persona) => persona.name).sort());
    // Numbers for people: a thousands separator in the customer counts and percentages.
    await expect.poll(() => page.locator('.persona-card .stats').first().textContent()).toMatch(/\d,\d{3} · \d+(\.\d)?%/);
    await shoot(page, 'personas');
    await stranger.close();
  });

  it('opens a persona and draws its snake plot: one series per persona, one point per numeric feature', async () => {
    const personas = (await api<{ items: PersonaDto[] }>(`/v1/personas?model=${v1.id}`)).items;
    const page = await open(context, '/#/personas');
    const first = page.locator('.persona-card h3 a').first();
    const name = await first.textContent();
    await first.click();
    await expect.poll(() => page.locator('#persona-title').textContent()).toBe(name);
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
    await expect.poll(() => page.locator('#persona-title').textContent()).toBe('City Starters');
    await page.reload();
    await expect.poll(() => page.locator('#persona-title').textContent()).toBe('City Starters');
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
    await expect.poll(() => page.getByText('Train with a k range').count()).toBe(1);
    await shoot(page, 'charts');
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
      await expect.poll(() => page.locator('#try-question-title').textContent()).toBe(`Question ${round + 2}`);
    }
    // The board shows what /v1/assign answers for the same attributes.
    const expected = await api<{ persona: { name: string }; confidence: number }>(`/v1/assign?model=${v1.id}`, { method: 'POST', body: { attributes: answers } });
    await expect.poll(() => page.locator('#try-persona').textContent()).toBe(expected.persona.name);
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
    await expect.poll(() => page.locator('#train-progress').isVisible()).toBe(true);
    await expect.poll(() => page.getByText(`${v1.name} v2 is trained as a candidate`).count(), { timeout: 90_000 }).toBe(1);
    const v2 = (await api<{ items: Array<{ id: string; version: number; status: string; metrics: { k: number; kSelection: unknown[] } }> }>(`/v1/models?name=${v1.name}`)).items.find((model) => model.version === 2)!;
    expect(v2.status).toBe('candidate');
    await shoot(page, 'models');

    // Switch versions with the header's selector: the cards are v2's.
    await page.goto(`${base}/#/personas?model=${v1.id}`);
    await page.locator('#model-select').selectOption(v2.id);
    await expect.poll(() => page.locator('.view-head h2').textContent()).toBe(`Personas of ${v1.name} v2`);
    await expect.poll(() => page.locator('.persona-card').count()).toBe(v2.metrics.k);

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
    await expect.poll(async () => (await api<{ status: string }>(`/v1/models/${v2.id}`)).status).toBe('active');
    await expect.poll(() => page.locator(`tr[data-model-id="${v2.id}"] .badge`).textContent()).toBe('active');
    await page.getByRole('button', { name: `Roll ${v1.name} back` }).click();
    await expect.poll(async () => (await api<{ status: string }>(`/v1/models/${v1.id}`)).status).toBe('active');
    await page.close();
  }, 120_000);

  it('shows the drift panel, and the fairness audit: what to do when there is none, every check when there is', async () => {
    const page = await open(context, `/#/health?model=${v1.id}`);
    await expect.poll(() => page.locator('#drift-panel').count()).toBe(1);
    // The demo declares no protected attribute: the panel says so and how to get an audit.
    await expect.poll(() => page.locator('#fairness-panel .empty').textContent()).toContain('protectedAttributes');

    // A version trained on data with a protected column shows the audit's checks with the API's verdicts.
    const customers = generateInsuranceBook({ customers: 600, seed: 5 }).customers;
    const dataset = await api<{ id: string }>('/v1/datasets', { method: 'POST', body: { name: 'audited book', idColumn: 'customer_id', protectedAttributes: ['marital_status'], customers } });
    const audited = await api<{ id: string }>('/v1/models?wait=true', { method: 'POST', body: { name: 'audited', datasetId: dataset.id, k: 3, stabilityResamples: 0 } });
    const report = await api<{ verdict: string; checks: Record<string, { verdict: string }> }>(`/v1/models/${audited.id}/fairness`);
    // The version was trained after the page loaded its list of versions: a link to it still works.
    await page.goto(`${base}/#/health?model=${audited.id}`);
    await expect.poll(() => page.locator('.view-head h2').textContent()).toBe('Drift & fairness of audited v1');
    const rows = page.locator('#fairness-panel tbody > tr');
    await expect.poll(() => rows.count()).toBe(Object.keys(report.checks).length);
    const shown = await rows.evaluateAll((elements) => elements.map((row) => row.querySelector('td .badge')?.textContent));
    expect(shown).toEqual(Object.values(report.checks).map((check) => check.verdict));
    expect(await page.locator('#fairness-panel').textContent()).toContain(`Overall: ${report.verdict}`);
    await shoot(page, 'health');
    // A link to a version that does not exist says so instead of showing another version.
    await page.goto(`${base}/#/health?model=00000000-0000-4000-8000-000000000000`);
    await expect.poll(() => page.locator('.empty').textContent()).toContain('names a model version that does not exist');
    await page.close();
  }, 60_000);

  it('says what went wrong and what to do when a persona does not exist', async () => {
    const page = await open(context, `/#/persona/00000000-0000-4000-8000-000000000000?model=${v1.id}`);
    const alert = page.getByRole('alert');
    await expect.poll(() => alert.textContent()).toContain('HTTP 404');
    expect(await alert.textContent()).toContain('go back to Models');
    await page.close();
  });

  it('hides the admin controls from a read-only key', async () => {
    const reader = (await t.keyWith('read')).authorization.replace(/^Bearer /, '');
    const readOnly = await browser.newContext({ viewport: { width: 1280, height: 800 }, reducedMotion: 'reduce' });
    await readOnly.addInitScript(([storage, key]) => sessionStorage.setItem(storage, key), [KEY_STORAGE, reader] as const);
    const persona = (await api<{ items: PersonaDto[] }>(`/v1/personas?model=${v1.id}`)).items[0]!;
    const page = await open(readOnly, `/#/persona/${persona.id}?model=${v1.id}`);
    await expect.poll(() => page.locator('#persona-title').textContent()).toBe(persona.name);
    expect(await page.locator('#persona-name').count()).toBe(0);
    await page.getByRole('link', { name: 'Models' }).click();
    await expect.poll(() => page.getByText('An admin key can train, activate and roll back versions here.').count()).toBe(1);
    expect(await page.getByRole('button', { name: /^Activate/ }).count()).toBe(0);
    await readOnly.close();
  });

  it('tells an admin how to get a first model when there is none', async () => {
    const empty = await buildTestApp();
    try {
      const emptyBase = await empty.app.listen({ port: 0, host: '127.0.0.1' });
      const fresh = await browser.newContext({ viewport: { width: 1280, height: 800 } });
      await fresh.addInitScript(([storage, key]) => sessionStorage.setItem(storage, key), [KEY_STORAGE, empty.admin.authorization.replace(/^Bearer /, '')] as const);
      const page = await fresh.newPage();
      await page.goto(`${emptyBase}/`);
      await expect.poll(() => page.locator('.empty').textContent()).toContain('There is no model yet.');
      await page.getByRole('link', { name: 'Go to Models' }).click();
      await expect.poll(() => page.getByRole('button', { name: 'Upload and train' }).count()).toBe(1);
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
    await expect.poll(() => page.locator('#persona-title').textContent()).toBe(focused);
    await page.close();
  });

  it('fits a phone-sized screen without sideways scrolling', async () => {
    const phone = await browser.newContext({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 1, isMobile: true, hasTouch: true, reducedMotion: 'reduce' });
    await phone.addInitScript(([storage, key]) => sessionStorage.setItem(storage, key), [KEY_STORAGE, adminKey] as const);
    for (const view of ['personas', 'charts', 'try']) {
      const page = await open(phone, `/#/${view}?model=${v1.id}`);
      await page.locator('main .view-head').waitFor();
      const overflow = await page.evaluate(() => {
        const root = (globalThis as unknown as { document: { documentElement: { scrollWidth: number; clientWidth: number } } }).document.documentElement;
        return root.scrollWidth - root.clientWidth;
      });
      expect(overflow, view).toBeLessThanOrEqual(0);
      await shoot(page, `phone-${view}`);
      await page.close();
    }
    await phone.close();
  });

  it('raised no script error, failed request or content-security-policy violation on any page', () => {
    expect(pageErrors).toEqual([]);
  });
});
