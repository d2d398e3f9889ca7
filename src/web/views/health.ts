/** Drift of recent assignments against training, and the fairness audit computed at training. */
import { ApiError, api } from '../api.ts';
import type { Drift } from '../api-types.ts';
import { shareShift } from '../charts.ts';
import type { Context } from '../context.ts';
import { emptyState, h, mount } from '../dom.ts';
import { formatDate, formatInteger, formatNumber, humanize } from '../format.ts';

/** PSI below 0.1 stable, from 0.1 watch, from 0.25 drifted; fewer than 100 assignments: insufficient data. */
const verdictClass = (verdict: string) => ({ stable: 'ok', watch: 'warn', drifted: 'bad' })[verdict] ?? 'info';

function driftPanel(drift: Drift): HTMLElement {
  const chart = h('div', { class: 'chart', id: 'chart-drift', role: 'img', 'aria-label': 'Persona shares at training and in recent assignments' });
  const panel = h(
    'section',
    { class: 'panel', id: 'drift-panel' },
    h('h3', null, 'Drift'),
    h('p', null, 'Overall: ', h('span', { class: `badge ${verdictClass(drift.verdict)}` }, drift.verdict), ` · ${formatInteger(drift.observations)} assignments from ${formatDate(drift.from)} to ${formatDate(drift.to)}`),
    drift.observations === 0
      ? emptyState('No assignments were logged in this window.', 'Drift compares /v1/assign traffic with the training data: it appears once the model serves customers.')
      : [
          drift.verdict === 'insufficient data' ? h('p', { class: 'muted' }, 'Fewer than 100 assignments so far: read the figures below as a first glimpse, not a verdict.') : null,
          h(
          'div',
          { class: 'columns' },
          h(
            'div',
            { class: 'table-wrap' },
            h(
            'table',
            null,
            h('caption', null, 'Population stability index per feature (from 0.1: watch, from 0.25: drifted)'),
            h('thead', null, h('tr', null, h('th', { scope: 'col' }, 'Feature'), h('th', { scope: 'col' }, 'Given by'), h('th', { scope: 'col' }, 'PSI'), h('th', { scope: 'col' }, 'Verdict'))),
            h(
              'tbody',
              null,
              drift.features.map((feature) =>
                h('tr', null, h('th', { scope: 'row' }, humanize(feature.feature)), h('td', { class: 'num' }, formatInteger(feature.observations)), h('td', { class: 'num' }, feature.psi === null ? '—' : formatNumber(feature.psi)), h('td', null, h('span', { class: `badge ${verdictClass(feature.verdict)}` }, feature.verdict))),
              ),
            ),
          ),
          ),
          chart,
          ),
        ],
  );
  return panel;
}

/** GET /v1/models/{id}/fairness: the audit computed at training for the declared protected attributes. */
interface FairnessReport {
  status: 'audited' | 'not_audited';
  verdict: 'pass' | 'review' | 'fail' | null;
  reason: string;
  highCostPersonas?: Array<{ name: string; because: string[] }>;
  checks: Record<string, { verdict: string; reason: string; attributes: Array<{ attribute: string; verdict: string; reason: string; proxies?: string[] }> }> | null;
  computedAt: string | null;
}

const FAIRNESS_VERDICT_CLASS: Record<string, string> = { pass: 'ok', review: 'warn', fail: 'bad' };
const CHECK_NAMES: Record<string, string> = { composition: 'Composition', steering: 'Steering to high-cost offers', proxies: 'Proxies' };

function fairnessPanel(report: FairnessReport): HTMLElement {
  const head = h('h3', null, 'Fairness');
  if (report.status !== 'audited' || !report.checks) {
    return h(
      'section',
      { class: 'panel', id: 'fairness-panel' },
      head,
      emptyState(
        'This version has no fairness audit.',
        `${report.reason}. Declare the protected columns (gender, age, marital status, region…) with protectedAttributes when uploading the dataset or training, then train a new version.`,
      ),
    );
  }
  return h(
    'section',
    { class: 'panel', id: 'fairness-panel' },
    head,
    h('p', null, 'Overall: ', h('span', { class: `badge ${FAIRNESS_VERDICT_CLASS[report.verdict ?? ''] ?? 'info'}` }, report.verdict ?? '—'), ` ${report.reason}`),
    h(
      'div',
      { class: 'table-wrap' },
      h(
      'table',
      null,
      h('thead', null, h('tr', null, h('th', { scope: 'col' }, 'Check'), h('th', { scope: 'col' }, 'Verdict'), h('th', { scope: 'col' }, 'Why'))),
      h(
        'tbody',
        null,
        Object.entries(report.checks).map(([name, check]) =>
          h(
            'tr',
            null,
            h('th', { scope: 'row' }, CHECK_NAMES[name] ?? humanize(name)),
            h('td', null, h('span', { class: `badge ${FAIRNESS_VERDICT_CLASS[check.verdict] ?? 'info'}` }, check.verdict)),
            // Per attribute when there are any (the check's own reason repeats the worst of them).
            h('td', null, check.attributes.length > 0 ? h('ul', null, check.attributes.map((attribute) => h('li', null, `${humanize(attribute.attribute)}: ${attribute.verdict} — ${attribute.reason}`))) : check.reason),
          ),
        ),
      ),
    ),
    ),
    report.highCostPersonas && report.highCostPersonas.length > 0
      ? h('p', { class: 'muted' }, 'High-cost personas: ', report.highCostPersonas.map((persona) => `${persona.name} (${persona.because.join(', ')})`).join('; '))
      : null,
    report.computedAt ? h('p', { class: 'muted' }, `Computed ${formatDate(report.computedAt)} at training.`) : null,
  );
}

/** A panel whose data could not be loaded: what failed, without hiding the other panel. */
function failedPanel(id: string, title: string, error: unknown): HTMLElement {
  const problem = error instanceof ApiError ? `${error.message}${error.status > 0 ? ` (HTTP ${error.status})` : ''}: ${error.detail} ${error.hint}` : String(error);
  return h('section', { class: 'panel', id }, h('h3', null, title), h('p', { class: 'error', role: 'alert' }, problem));
}

/** 422 (trained before drift baselines) or 404: the version cannot measure drift, which is no failure. */
const hasNoBaseline = (error: unknown) => error instanceof ApiError && (error.status === 422 || error.status === 404);

export async function renderHealth(context: Context): Promise<void> {
  const model = context.model!;
  // Each panel stands alone: a version without a drift baseline still shows its fairness audit.
  const [drift, fairness] = await Promise.allSettled([
    api<Drift>(`/models/${model.id}/drift`, { signal: context.signal }),
    api<FairnessReport>(`/models/${model.id}/fairness`, { signal: context.signal }),
  ]);
  if (!context.isCurrent()) return;
  mount(
    context.view,
    h('div', { class: 'view-head' }, h('h2', null, `Drift & fairness of ${model.name} v${model.version}`)),
    drift.status === 'fulfilled'
      ? driftPanel(drift.value)
      : hasNoBaseline(drift.reason)
        ? h('section', { class: 'panel', id: 'drift-panel' }, h('h3', null, 'Drift'), emptyState('This version has no drift baseline: retrain it to measure drift.', 'Versions trained before drift baselines existed keep serving; a new version (Models → Train) records the baseline drift is measured against.'))
        : failedPanel('drift-panel', 'Drift', drift.reason),
    fairness.status === 'fulfilled' ? fairnessPanel(fairness.value) : failedPanel('fairness-panel', 'Fairness', fairness.reason),
  );
  const chart = context.view.querySelector<HTMLElement>('#chart-drift');
  if (chart && drift.status === 'fulfilled') shareShift(chart, drift.value.personas.shares.map((share) => ({ name: share.persona.name, expected: share.expected, actual: share.actual })));
}
