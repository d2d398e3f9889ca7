/** Versions per model name, activation and rollback (admins), and training a version from a CSV. */
import { ApiError, api } from '../api.ts';
import type { Job, ModelDto } from '../api-types.ts';
import type { Context } from '../context.ts';
import { emptyState, h, mount, statusLine } from '../dom.ts';
import { formatDate, formatInteger, formatNumber } from '../format.ts';

/** The training phases in order (GET /v1/jobs/{id} reports the current one). */
const PHASES = ['loading', 'encoding', 'fitting', 'scoring', 'stability', 'map', 'profiling', 'saving', 'done'];
const POLL_MS = 1_000;

function problemText(error: unknown): string {
  return error instanceof ApiError ? `${error.message}: ${error.detail} ${error.hint}` : String(error);
}

function versionTable(versions: ModelDto[], context: Context, status: HTMLElement): HTMLElement {
  const act = async (label: string, action: () => Promise<unknown>) => {
    status.textContent = `${label}…`;
    try {
      await action();
      await context.refresh();
    } catch (error) {
      status.textContent = problemText(error);
    }
  };
  return h(
    'div',
    { class: 'table-wrap' },
    h(
      'table',
      { class: 'models' },
      h(
        'thead',
        null,
        h(
          'tr',
          null,
          ['Version', 'Status', 'Algorithm', 'k', 'Customers', 'Silhouette', 'Calinski–Harabasz', 'Davies–Bouldin', 'Trained', 'Activated', ''].map((label) => h('th', { scope: 'col' }, label)),
        ),
      ),
      h(
        'tbody',
        null,
        versions.map((model) =>
          h(
            'tr',
            { 'data-model-id': model.id, class: model.id === context.model?.id ? 'selected' : null },
            h('th', { scope: 'row' }, h('a', { href: `#/personas?model=${model.id}` }, `v${model.version}`)),
            h('td', null, h('span', { class: `badge ${model.status}` }, model.status)),
            h('td', null, model.algorithm),
            h('td', { class: 'num' }, String(model.metrics.k)),
            h('td', { class: 'num' }, formatInteger(model.metrics.customers)),
            h('td', { class: 'num' }, formatNumber(model.metrics.silhouette)),
            h('td', { class: 'num' }, formatNumber(model.metrics.calinskiHarabasz)),
            h('td', { class: 'num' }, formatNumber(model.metrics.daviesBouldin)),
            h('td', null, formatDate(model.createdAt)),
            h('td', null, formatDate(model.activatedAt)),
            h(
              'td',
              null,
              context.isAdmin && model.status !== 'active'
                ? h('button', { type: 'button', class: 'small', onclick: () => act(`Activating v${model.version}`, () => api(`/models/${model.id}/activate`, { method: 'POST', body: {} })) }, `Activate v${model.version}`)
                : null,
            ),
          ),
        ),
      ),
    ),
  );
}

function trainForm(context: Context): HTMLElement {
  const file = h('input', { id: 'train-file', type: 'file', accept: '.csv,text/csv', required: true });
  const name = h('input', { id: 'train-name', required: true, pattern: '[A-Za-z0-9][A-Za-z0-9._\\-]*', value: context.model?.name ?? '', placeholder: 'e.g. retail-customers' });
  const k = h('input', { id: 'train-k', type: 'number', min: 2, max: 20, placeholder: 'empty: choose between 2 and 8' });
  const algorithm = h('select', { id: 'train-algorithm' }, ['kmeans', 'auto', 'kprototypes', 'gmm'].map((value) => h('option', { value }, value)));
  const progress = h('progress', { id: 'train-progress', max: PHASES.length, value: 0, hidden: true });
  const status = statusLine();
  const submit = h('button', { type: 'submit' }, 'Upload and train');
  const poll = async (job: Job): Promise<Job> => {
    for (;;) {
      const phase = PHASES.indexOf(job.phase ?? '');
      progress.value = job.status === 'completed' ? PHASES.length : Math.max(0, phase + 1);
      status.textContent = job.status === 'queued' ? 'Queued: waiting for a training worker…' : `Training: ${job.phase ?? 'starting'}…`;
      if (job.status === 'completed' || job.status === 'failed' || job.status === 'cancelled') return job;
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
      job = await api<Job>(`/jobs/${job.id}`);
    }
  };
  return h(
    'form',
    {
      class: 'panel train',
      onsubmit: async (event: Event) => {
        event.preventDefault();
        const csv = file.files?.[0];
        if (!csv) return;
        submit.disabled = true;
        progress.hidden = false;
        progress.value = 0;
        try {
          status.textContent = `Uploading ${csv.name} (${formatInteger(csv.size / 1024)} kB)…`;
          const dataset = await api<{ id: string; counts: { customers: number } }>(`/datasets?name=${encodeURIComponent(csv.name)}`, { method: 'POST', body: await csv.text(), contentType: 'text/csv' });
          status.textContent = `Uploaded ${formatInteger(dataset.counts.customers)} customers; starting the training…`;
          const request: Record<string, unknown> = { name: name.value.trim(), datasetId: dataset.id, algorithm: algorithm.value };
          if (k.value !== '') request.k = Number(k.value);
          const job = await poll(await api<Job>('/models', { method: 'POST', body: request }));
          if (job.status !== 'completed' || !job.model) {
            status.textContent = `The training ${job.status}: ${job.error?.detail ?? 'no reason given'}. Check the CSV and the options, then try again.`;
            return;
          }
          await context.refresh();
          mount(context.view.querySelector('#train-status-slot') ?? context.view, h('p', { class: 'status', role: 'status' }, `${job.model.name} v${job.model.version} is trained as a candidate: review its personas, then activate it.`));
        } catch (error) {
          status.textContent = problemText(error);
        } finally {
          submit.disabled = false;
        }
      },
    },
    h('h3', null, 'Train a new version'),
    h('p', { class: 'muted' }, 'Upload a CSV with one row per customer (an id column, numeric and categorical columns). The new version is a candidate until you activate it.'),
    h('div', { class: 'form-grid' }, h('label', { for: 'train-file' }, 'Customers (CSV)'), file, h('label', { for: 'train-name' }, 'Model name'), name, h('label', { for: 'train-k' }, 'Personas (k)'), k, h('label', { for: 'train-algorithm' }, 'Algorithm'), algorithm),
    h('div', { class: 'actions' }, submit),
    progress,
    status,
  );
}

export async function renderModels(context: Context): Promise<void> {
  const status = statusLine();
  const names = [...new Set(context.models.map((model) => model.name))];
  const rollback = async (name: string) => {
    status.textContent = `Rolling ${name} back…`;
    try {
      const result = await api<{ activated: ModelDto }>(`/models/${encodeURIComponent(name)}/rollback`, { method: 'POST', body: {} });
      await context.refresh();
      mount(context.view.querySelector('#train-status-slot') ?? context.view, h('p', { class: 'status', role: 'status' }, `${name} is back on v${result.activated.version}.`));
    } catch (error) {
      status.textContent = problemText(error);
    }
  };
  mount(
    context.view,
    h('div', { class: 'view-head' }, h('h2', null, 'Models'), h('p', { class: 'muted' }, 'Every version of every model; the active one answers /v1/assign. Scores: silhouette and Calinski–Harabasz higher is better, Davies–Bouldin lower.')),
    h('div', { id: 'train-status-slot' }),
    status,
    names.length === 0
      ? emptyState('No model has been trained yet.', context.isAdmin ? 'Upload a CSV of customers below to train the first one.' : 'Ask an admin to train one.')
      : names.map((name) => {
          const versions = context.models.filter((model) => model.name === name);
          return h(
            'section',
            { class: 'panel' },
            h(
              'div',
              { class: 'section-head' },
              h('h3', null, name),
              context.isAdmin && versions.length > 1 ? h('button', { type: 'button', class: 'secondary small', onclick: () => rollback(name) }, `Roll ${name} back`) : null,
            ),
            versionTable(versions, context, status),
          );
        }),
    context.isAdmin ? trainForm(context) : h('p', { class: 'muted' }, 'An admin key can train, activate and roll back versions here.'),
  );
}
