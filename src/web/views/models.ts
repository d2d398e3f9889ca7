/** Versions per model name, activation and rollback (admins), and training a version from a CSV. */
import { ApiError, api, isAbort } from '../api.ts';
import type { Job, ModelDto } from '../api-types.ts';
import type { Context } from '../context.ts';
import { emptyState, h, mount, statusLine } from '../dom.ts';
import { formatDate, formatInteger, formatNumber } from '../format.ts';

/** The training phases in order (GET /v1/jobs/{id} reports the current one). */
const PHASES = ['loading', 'encoding', 'fitting', 'scoring', 'stability', 'map', 'profiling', 'saving', 'done'];
const POLL_MS = 1_000;
/** The API's largest k (src/schemas/models.ts). */
const MAX_K = 50;

function problemText(error: unknown): string {
  return error instanceof ApiError ? `${error.message}: ${error.detail} ${error.hint}` : String(error);
}

/**
 * After an action that changed the versions: re-render Models with the news in its status slot and
 * the focus there (the buttons were re-drawn), or, when the user has left, leave their view alone and
 * say it in the page-wide status area.
 */
export async function announce(context: Context, message: string): Promise<void> {
  if (!context.isCurrent()) {
    context.notify(message);
    await context.reloadModels().catch(() => undefined);
    return;
  }
  try {
    await context.refresh();
  } catch (error) {
    context.notify(`${message} (The list of versions did not reload: ${problemText(error)})`);
    return;
  }
  const slot = document.querySelector<HTMLElement>('#train-status-slot');
  if (!slot) {
    context.notify(message);
    return;
  }
  const line = h('p', { class: 'status', role: 'status', tabindex: -1 }, message);
  mount(slot, line);
  line.focus();
}

function versionTable(versions: ModelDto[], context: Context, status: HTMLElement): HTMLElement {
  const act = async (label: string, done: string, action: () => Promise<unknown>) => {
    status.textContent = `${label}…`;
    try {
      await action();
    } catch (error) {
      if (context.isCurrent()) status.textContent = problemText(error);
      else context.notify(problemText(error));
      return;
    }
    await announce(context, done);
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
                ? h('button', { type: 'button', class: 'small', onclick: () => act(`Activating v${model.version}`, `${model.name} v${model.version} is active.`, () => api(`/models/${model.id}/activate`, { method: 'POST', body: {} })) }, `Activate v${model.version}`)
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
  const k = h('input', { id: 'train-k', type: 'number', min: 2, max: MAX_K, placeholder: 'empty: choose between 2 and 8' });
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
      // Polling stops when the user leaves Models (the render's signal aborts).
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
      job = await api<Job>(`/jobs/${job.id}`, { signal: context.signal });
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
        let jobName: string | null = null;
        progress.hidden = false;
        progress.value = 0;
        try {
          status.textContent = `Uploading ${csv.name} (${formatInteger(csv.size / 1024)} kB)…`;
          const dataset = await api<{ id: string; counts: { customers: number } }>(`/datasets?name=${encodeURIComponent(csv.name)}`, { method: 'POST', body: await csv.text(), contentType: 'text/csv' });
          status.textContent = `Uploaded ${formatInteger(dataset.counts.customers)} customers; starting the training…`;
          const request: Record<string, unknown> = { name: name.value.trim(), datasetId: dataset.id, algorithm: algorithm.value };
          if (k.value !== '') request.k = Number(k.value);
          const started = await api<Job>('/models', { method: 'POST', body: request });
          jobName = request.name as string;
          const job = await poll(started);
          if (job.status !== 'completed' || !job.model) {
            status.textContent = `The training ${job.status}: ${job.error?.detail ?? 'no reason given'}. Check the CSV and the options, then try again.`;
            return;
          }
          await announce(context, `${job.model.name} v${job.model.version} is trained as a candidate: review its personas, then activate it.`);
        } catch (error) {
          if (isAbort(error) || !context.isCurrent()) {
            // The user left Models: the job goes on in the service, and their view stays as it is.
            context.notify(jobName ? `The training of ${jobName} goes on in the service: its new version shows under Models when it is done.` : 'The upload was interrupted when you left Models.');
            return;
          }
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
      await announce(context, `${name} is back on v${result.activated.version}.`);
    } catch (error) {
      if (context.isCurrent()) status.textContent = problemText(error);
      else context.notify(problemText(error));
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
