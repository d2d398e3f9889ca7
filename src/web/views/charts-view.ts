/** The version's pictures: snake plot, 2-D map, k-selection curves and value by persona. */
import { api } from '../api.ts';
import type { ModelDetail } from '../api-types.ts';
import { kSelectionCurves, personaMap, snakePlot, valueByPersona } from '../charts.ts';
import type { Context } from '../context.ts';
import { h, mount } from '../dom.ts';
import { formatNumber, formatPercent, humanize } from '../format.ts';
import { NO_NUMERIC_FEATURES, hasNumericFeatures, loadPersonas } from './personas.ts';

function panel(title: string, explanation: string, body: HTMLElement): HTMLElement {
  return h('section', { class: 'panel chart-panel' }, h('h3', null, title), h('p', { class: 'muted' }, explanation), body);
}

const chartBox = (id: string, label: string) => h('div', { class: 'chart', id, role: 'img', 'aria-label': label });

export async function renderCharts(context: Context): Promise<void> {
  const model = context.model!;
  const [detail, personas] = await Promise.all([api<ModelDetail>(`/models/${model.id}`, { signal: context.signal }), loadPersonas(model.id, context.signal)]);
  if (!context.isCurrent()) return;
  const names = personas.map((persona) => persona.name);
  const snake = chartBox('chart-snake', 'Snake plot of the personas');
  const map = chartBox('chart-map', 'Map of the customers and persona centres');
  const curves = chartBox('chart-k', 'Scores of every k tried');
  const value = chartBox('chart-value', 'Share of customers and of value per persona');
  const valueColumn = personas.find((persona) => persona.profile.value)?.profile.value?.column ?? null;
  const selection = detail.metrics.kSelection;
  const numeric = hasNumericFeatures(personas);
  const features = personas[0]?.profile.snake.map(({ feature }) => feature) ?? [];
  // The snake plot's figures as a table, for people who cannot hover or see the chart.
  const snakeTable = h(
    'details',
    { class: 'chart-data' },
    h('summary', null, 'The snake plot’s figures as a table'),
    h(
      'div',
      { class: 'table-wrap' },
      h(
        'table',
        { id: 'snake-table' },
        h('caption', null, 'Standardized mean (sd from the average customer) per feature and persona'),
        h('thead', null, h('tr', null, h('th', { scope: 'col' }, 'Persona'), features.map((feature) => h('th', { scope: 'col' }, humanize(feature))))),
        h(
          'tbody',
          null,
          personas.map((persona) => {
            const byFeature = new Map(persona.profile.snake.map(({ feature, value }) => [feature, value]));
            return h('tr', null, h('th', { scope: 'row' }, persona.name), features.map((feature) => h('td', { class: 'num' }, byFeature.has(feature) ? formatNumber(byFeature.get(feature)!) : '—')));
          }),
        ),
      ),
    ),
  );
  // Wording from the criterion: a single candidate can also come from a k range of one value.
  const isFixed = detail.metrics.selection.criterion === 'fixed';
  mount(
    context.view,
    h('div', { class: 'view-head' }, h('h2', null, `Charts of ${model.name} v${model.version}`), h('p', { class: 'muted' }, detail.metrics.selection.reason)),
    h(
      'div',
      { class: 'chart-grid' },
      numeric
        ? panel('Snake plot', 'Standardized mean of every numeric feature per persona: 0 is the average customer, ±1 one standard deviation away.', h('div', null, snake, snakeTable))
        : panel('Snake plot', 'The snake plot shows numeric features.', h('p', { class: 'empty' }, NO_NUMERIC_FEATURES)),
      detail.map
        ? panel('Map', `A sample of customers on the first two principal components of the features (${formatPercent((detail.map.explainedVarianceRatio[0] ?? 0) + (detail.map.explainedVarianceRatio[1] ?? 0))} of the variance), with the persona centres.`, map)
        : panel('Map', 'This version has no map: it was trained on a single feature.', h('p', { class: 'empty' }, 'Train on two or more features to see the map.')),
      selection.length > 1
        ? panel('Choosing k', `Scores of every k tried; k = ${detail.metrics.k} was chosen (${detail.metrics.selection.criterion}).`, curves)
        : panel(
            'Choosing k',
            `${isFixed ? `k = ${detail.metrics.k} was fixed at training` : `k = ${detail.metrics.k} was the only candidate (${detail.metrics.selection.criterion})`} (silhouette ${formatNumber(detail.metrics.silhouette)}, Davies–Bouldin ${formatNumber(detail.metrics.daviesBouldin)}).`,
            h('p', { class: 'empty' }, 'Train with a k range (Models → Train, leave k empty) to compare the candidates here.'),
          ),
      valueColumn
        ? panel('Value by persona', 'Share of customers against share of value: a persona above its size is worth more per customer.', value)
        : panel('Value by persona', 'The dataset has no value column.', h('p', { class: 'empty' }, 'Upload a dataset with a premium, spend or balance column to see each persona’s value.')),
    ),
  );
  if (numeric) snakePlot(snake, personas);
  if (detail.map) personaMap(map, detail.map, names);
  if (selection.length > 1) kSelectionCurves(curves, selection, detail.metrics.k);
  if (valueColumn) valueByPersona(value, personas, valueColumn);
}
