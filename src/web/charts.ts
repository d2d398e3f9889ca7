/**
 * The board's charts with Apache ECharts (only the chart types and components it uses are bundled).
 * Each builder takes a container and API data; charts are disposed when the view changes.
 */
import { BarChart, HeatmapChart, LineChart, ScatterChart } from 'echarts/charts';
import { AriaComponent, DataZoomComponent, GridComponent, LegendComponent, MarkLineComponent, TooltipComponent, VisualMapComponent } from 'echarts/components';
import * as echarts from 'echarts/core';
import type { EChartsCoreOption } from 'echarts/core';
import { CanvasRenderer } from 'echarts/renderers';
import type { KSelectionEntry, Migration, ModelMap, Persona } from './api-types.ts';
import { formatInteger, formatNumber, formatPercent, humanize } from './format.ts';

echarts.use([LineChart, ScatterChart, BarChart, HeatmapChart, GridComponent, TooltipComponent, LegendComponent, VisualMapComponent, MarkLineComponent, DataZoomComponent, AriaComponent, CanvasRenderer]);

/** Colour-blind-safe palette (Okabe–Ito), then ECharts' defaults for k above 8. */
export const PALETTE = ['#0072B2', '#E69F00', '#009E73', '#CC79A7', '#56B4E9', '#D55E00', '#F0E442', '#000000', '#5470c6', '#91cc75', '#fac858', '#ee6666'];
const TEXT = { fontFamily: 'system-ui, sans-serif', color: '#1f2933' };

const live = new Set<echarts.ECharts>();
/** For the browser tests: how many times each chart showed its tooltip. */
const tooltipsShown = new WeakMap<Element, number>();

/** Persona names under a category axis: slanted and cut with an ellipsis (the tooltip has them whole). */
const PERSONA_AXIS_LABEL = { interval: 0, rotate: 25, width: 130, overflow: 'truncate' };

window.addEventListener('resize', () => {
  for (const chart of live) chart.resize();
});

export function disposeCharts(): void {
  for (const chart of live) chart.dispose();
  live.clear();
}

function draw(container: HTMLElement, option: EChartsCoreOption): echarts.ECharts {
  const chart = echarts.init(container, null, { renderer: 'canvas' });
  // No animation for people who asked their system for less motion.
  const animation = !matchMedia('(prefers-reduced-motion: reduce)').matches;
  // Tooltips drawn on the canvas (richText): ECharts' HTML tooltips carry style attributes, which the
  // board's content security policy (style-src 'self') blocks. Text on a canvas needs no escaping.
  const tooltip = option.tooltip ? { renderMode: 'richText', confine: true, ...(option.tooltip as object) } : undefined;
  // Screen readers get ECharts' generated description (series and their first values) after the label.
  const label = container.getAttribute('aria-label') ?? 'A chart';
  const aria = { enabled: true, label: { general: { withoutTitle: label, withTitle: label } } };
  chart.setOption({ color: PALETTE, textStyle: TEXT, animation, animationDuration: 300, aria, ...option, ...(tooltip ? { tooltip } : {}) });
  chart.on('showTip', () => {
    tooltipsShown.set(container, (tooltipsShown.get(container) ?? 0) + 1);
  });
  live.add(chart);
  return chart;
}

/** Standardized mean (z-score) of every numeric feature per persona; `focus` fades the others. */
export function snakePlot(container: HTMLElement, personas: Persona[], focus?: string): echarts.ECharts {
  const features = personas[0]?.profile.snake.map(({ feature }) => feature) ?? [];
  return draw(container, {
    tooltip: { trigger: 'axis', valueFormatter: (value: unknown) => `${formatNumber(Number(value))} sd` },
    legend: { type: 'scroll', bottom: 0 },
    grid: { left: 48, right: 16, top: 16, bottom: 96 },
    xAxis: { type: 'category', data: features.map(humanize), axisLabel: { rotate: 35, interval: 0 } },
    yAxis: { type: 'value', name: 'sd from the mean', nameLocation: 'middle', nameGap: 32 },
    series: personas.map((persona) => {
      const byFeature = new Map(persona.profile.snake.map(({ feature, value }) => [feature, value]));
      const isFaded = focus !== undefined && persona.id !== focus;
      return {
        type: 'line',
        name: persona.name,
        data: features.map((feature) => byFeature.get(feature) ?? null),
        symbolSize: 6,
        lineStyle: { width: isFaded ? 1 : 3, opacity: isFaded ? 0.35 : 1 },
        itemStyle: { opacity: isFaded ? 0.35 : 1 },
        z: isFaded ? 1 : 3,
        markLine: persona.index === 0 ? { silent: true, symbol: 'none', data: [{ yAxis: 0 }], lineStyle: { color: '#7b8794', type: 'dashed' } } : undefined,
      };
    }),
  });
}

/** The customers' sample and the persona centres on the first two principal components. */
export function personaMap(container: HTMLElement, map: ModelMap, names: string[]): echarts.ECharts {
  const axis = (index: number) => `PC${index + 1} (${formatPercent(map.explainedVarianceRatio[index] ?? 0)} of the variance)`;
  return draw(container, {
    tooltip: { trigger: 'item' },
    legend: { type: 'scroll', bottom: 0 },
    grid: { left: 56, right: 16, top: 16, bottom: 80 },
    xAxis: { type: 'value', name: axis(0), nameLocation: 'middle', nameGap: 28, scale: true },
    yAxis: { type: 'value', name: axis(1), nameLocation: 'middle', nameGap: 40, scale: true },
    series: [
      ...names.map((name, index) => ({
        type: 'scatter',
        name,
        symbolSize: 5,
        itemStyle: { opacity: 0.55 },
        data: map.sample.filter(([, , persona]) => persona === index).map(([x, y]) => [x, y]),
        tooltip: { formatter: () => name },
      })),
      {
        type: 'scatter',
        name: 'Persona centres',
        symbol: 'diamond',
        symbolSize: 18,
        itemStyle: { color: '#111', borderColor: '#fff', borderWidth: 2 },
        data: map.centroids.map(([x, y], index) => ({ value: [x, y], name: names[index] ?? `persona ${index + 1}` })),
        tooltip: { formatter: (params: { name: string }) => `Centre of ${params.name}` },
        z: 5,
      },
    ],
  });
}

/** Scores of every k tried: silhouette (higher is better), Calinski–Harabasz (higher), Davies–Bouldin (lower), BIC (lower). */
export function kSelectionCurves(container: HTMLElement, entries: KSelectionEntry[], chosenK: number): echarts.ECharts {
  const ks = entries.map(({ k }) => String(k));
  const hasBic = entries.some((entry) => entry.bic !== undefined);
  const line = (name: string, values: Array<number | undefined>, yAxisIndex: number) => ({
    type: 'line',
    name,
    yAxisIndex,
    data: values.map((value) => value ?? null),
    symbolSize: 7,
    markLine: yAxisIndex === 0 ? { silent: true, symbol: 'none', data: [{ xAxis: String(chosenK) }], label: { formatter: `chosen k = ${chosenK}` } } : undefined,
  });
  return draw(container, {
    tooltip: { trigger: 'axis', valueFormatter: (value: unknown) => formatNumber(Number(value)) },
    legend: { bottom: 0 },
    grid: { left: 56, right: hasBic ? 128 : 64, top: 32, bottom: 56 },
    xAxis: { type: 'category', data: ks, name: 'k', nameLocation: 'middle', nameGap: 26 },
    // BIC (often in the tens of thousands) gets its own axis so Calinski–Harabasz keeps its shape.
    yAxis: [
      { type: 'value', name: 'silhouette, Davies–Bouldin', scale: true },
      { type: 'value', name: 'Calinski–Harabasz', scale: true, splitLine: { show: false } },
      ...(hasBic ? [{ type: 'value', name: 'BIC', position: 'right', offset: 64, scale: true, splitLine: { show: false } }] : []),
    ],
    series: [
      line('Silhouette (higher is better)', entries.map((e) => e.silhouette), 0),
      line('Davies–Bouldin (lower is better)', entries.map((e) => e.daviesBouldin), 0),
      line('Calinski–Harabasz (higher is better)', entries.map((e) => e.calinskiHarabasz), 1),
      ...(hasBic ? [line('BIC (lower is better)', entries.map((e) => e.bic), 2)] : []),
    ],
  });
}

/** Share of customers against share of value per persona. */
export function valueByPersona(container: HTMLElement, personas: Persona[], valueColumn: string): echarts.ECharts {
  return draw(container, {
    tooltip: { trigger: 'axis', valueFormatter: (value: unknown) => formatPercent(Number(value)) },
    legend: { bottom: 0 },
    grid: { left: 56, right: 16, top: 16, bottom: 120 },
    xAxis: { type: 'category', data: personas.map((persona) => persona.name), axisLabel: PERSONA_AXIS_LABEL },
    yAxis: { type: 'value', axisLabel: { formatter: (value: number) => formatPercent(value) } },
    series: [
      { type: 'bar', name: 'Share of customers', data: personas.map((persona) => persona.share) },
      { type: 'bar', name: `Share of ${humanize(valueColumn)}`, data: personas.map((persona) => persona.profile.value?.share ?? 0) },
    ],
  });
}

/** Where the first version's customers land in the second: counts, coloured by the row share. */
export function migrationHeatmap(container: HTMLElement, migration: Migration): echarts.ECharts {
  const columns = migration.columns;
  const rows = [...migration.rows].reverse();
  const data = rows.flatMap((row, y) => row.cells.map((cell) => [columns.findIndex((column) => column.key === cell.to), y, cell.share, cell.count]));
  // On a phone the row names get less room (cut with an ellipsis; the tooltip has them whole).
  const isNarrow = container.clientWidth < 520;
  return draw(container, {
    tooltip: {
      formatter: (params: { value: [number, number, number, number] }) => {
        const [x, y, share, count] = params.value;
        return `${rows[y]?.name ?? ''} → ${columns[x]?.name ?? ''}: ${formatInteger(count)} customers (${formatPercent(share)} of the row)`;
      },
    },
    grid: { left: isNarrow ? 96 : 160, right: isNarrow ? 8 : 24, top: 16, bottom: isNarrow ? 90 : 110 },
    xAxis: { type: 'category', data: columns.map((column) => column.name), axisLabel: { rotate: isNarrow ? 45 : 30, interval: 0, width: isNarrow ? 80 : 120, overflow: 'truncate' }, splitArea: { show: true } },
    yAxis: { type: 'category', data: rows.map((row) => row.name), axisLabel: { width: isNarrow ? 88 : 150, overflow: 'truncate' }, splitArea: { show: true } },
    visualMap: { min: 0, max: 1, calculable: false, orient: 'horizontal', left: 'center', bottom: 0, inRange: { color: ['#f5f7fa', '#0072B2'] }, formatter: (value: number) => formatPercent(value) },
    series: [
      {
        type: 'heatmap',
        name: 'Migration',
        data,
        label: { show: true, formatter: (params: { value: [number, number, number, number] }) => formatInteger(params.value[3]) },
      },
    ],
  });
}

/** Persona shares at training against those of recent assignments. */
export function shareShift(container: HTMLElement, shares: Array<{ name: string; expected: number; actual: number }>): echarts.ECharts {
  return draw(container, {
    tooltip: { trigger: 'axis', valueFormatter: (value: unknown) => formatPercent(Number(value)) },
    legend: { bottom: 0 },
    grid: { left: 56, right: 16, top: 16, bottom: 120 },
    xAxis: { type: 'category', data: shares.map((share) => share.name), axisLabel: PERSONA_AXIS_LABEL },
    yAxis: { type: 'value', axisLabel: { formatter: (value: number) => formatPercent(value) } },
    series: [
      { type: 'bar', name: 'At training', data: shares.map((share) => share.expected) },
      { type: 'bar', name: 'Recent assignments', data: shares.map((share) => share.actual) },
    ],
  });
}

/** For the browser tests: how often a chart showed its tooltip, and where a data point is drawn. */
export function chartTooltips(container: Element): number {
  return tooltipsShown.get(container) ?? 0;
}

export function chartPointPixel(container: Element, seriesIndex: number, dataIndex: number): [number, number] | null {
  const chart = echarts.getInstanceByDom(container as HTMLElement);
  const option = chart?.getOption() as { series?: Array<{ data?: unknown[] }> } | undefined;
  const features = option?.series?.[seriesIndex]?.data;
  if (!chart || !features) return null;
  const point = chart.convertToPixel({ seriesIndex }, [dataIndex, features[dataIndex] as number]) as unknown as [number, number];
  return point;
}

/** For the browser tests: the series an ECharts instance drew in a container. */
export function chartSeries(container: Element): Array<{ type: string; name: string; points: number }> | null {
  const chart = echarts.getInstanceByDom(container as HTMLElement);
  if (!chart) return null;
  const option = chart.getOption() as { series?: Array<{ type: string; name: string; data?: unknown[] }> };
  return (option.series ?? []).map((series) => ({ type: series.type, name: series.name, points: series.data?.length ?? 0 }));
}
