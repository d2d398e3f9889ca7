/**
 * The persona board: a single page over the public /v1 API. Views are chosen by the URL hash
 * (#/personas?model=<id>), so every view can be bookmarked and the back button works.
 */
import { ApiError, api, apiKey, isAbort, setApiKey } from './api.ts';
import type { ModelDto, Page } from './api-types.ts';
import { chartPointPixel, chartSeries, chartTooltips, disposeCharts } from './charts.ts';
import type { Context } from './context.ts';
import { emptyState, h, mount } from './dom.ts';
import { renderCharts } from './views/charts-view.ts';
import { renderCompare } from './views/compare.ts';
import { renderHealth } from './views/health.ts';
import { renderModels } from './views/models.ts';
import { renderPersona, renderPersonas } from './views/personas.ts';
import { renderTry } from './views/try.ts';

type View = (context: Context) => Promise<void>;

const VIEWS: Array<{ name: string; label: string; render: View }> = [
  { name: 'personas', label: 'Personas', render: renderPersonas },
  { name: 'charts', label: 'Charts', render: renderCharts },
  { name: 'try', label: 'Try it', render: renderTry },
  { name: 'compare', label: 'Compare', render: renderCompare },
  { name: 'health', label: 'Drift & fairness', render: renderHealth },
  { name: 'models', label: 'Models', render: renderModels },
];
const HIDDEN_VIEWS: Record<string, View> = { persona: renderPersona };

const view = document.getElementById('view') as HTMLElement;
const nav = document.getElementById('nav') as HTMLElement;
const modelSelect = document.getElementById('model-select') as HTMLSelectElement;
const keyButton = document.getElementById('key-button') as HTMLButtonElement;
const homeLink = document.getElementById('home-link') as HTMLAnchorElement;
const toast = document.getElementById('toast') as HTMLElement;

let models: ModelDto[] = [];
let isAdmin = false;
let needsKey = false;
let rendering = 0;
/** Aborts the fetches of the render before (a view left while it was loading). */
let renderAbort = new AbortController();
let keyProblem: string | null = null;
let toastTimer: ReturnType<typeof setTimeout> | undefined;

/** Starts a new render (or key form): the previous one's fetches are aborted and it may not mount. */
function nextTicket(): { ticket: number; signal: AbortSignal } {
  renderAbort.abort();
  renderAbort = new AbortController();
  return { ticket: ++rendering, signal: renderAbort.signal };
}

/** A path segment as written, when it is not valid percent-encoding (a hand-edited link). */
function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

function notify(message: string): void {
  toast.textContent = message;
  toast.hidden = false;
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => {
    toast.hidden = true;
  }, 12_000);
}

function route(): { name: string; args: string[]; params: URLSearchParams } {
  const [path = '', query = ''] = location.hash.replace(/^#\/?/, '').split('?', 2);
  const [name = 'personas', ...args] = path.split('/').filter((segment) => segment !== '');
  return { name, args: args.map(decodeSegment), params: new URLSearchParams(query) };
}

/** The version in the URL, else the active version of the first name, else the newest. */
function selectedModel(params: URLSearchParams): ModelDto | null {
  const wanted = params.get('model');
  return models.find((model) => model.id === wanted) ?? models.find((model) => model.status === 'active') ?? models[0] ?? null;
}

function link(viewName: string, params: Record<string, string> = {}): string {
  const model = selectedModel(route().params);
  const query = new URLSearchParams({ ...(model ? { model: model.id } : {}), ...params });
  return `#/${viewName}?${query.toString()}`;
}

async function loadModels(): Promise<void> {
  const page = await api<Page<ModelDto>>('/models?limit=500');
  models = [...page.items].sort((a, b) => a.name.localeCompare(b.name) || b.version - a.version);
  // The board shows its admin controls to admin keys only.
  isAdmin = await api<{ scopes: string[] }>('/keys/current').then(
    (key) => key.scopes.includes('admin'),
    () => false,
  );
}

function renderChrome(current: string, model: ModelDto | null): void {
  mount(
    nav,
    h(
      'ul',
      null,
      VIEWS.map(({ name, label }) =>
        h('li', null, h('a', { href: link(name), 'aria-current': name === current || (current === 'persona' && name === 'personas') ? 'page' : null }, label)),
      ),
    ),
  );
  mount(
    modelSelect,
    models.map((option) =>
      h('option', { value: option.id, selected: option.id === model?.id }, `${option.name} v${option.version}${option.status === 'active' ? ' (active)' : option.status === 'candidate' ? ' (candidate)' : ''}`),
    ),
  );
  modelSelect.disabled = models.length === 0;
  homeLink.href = link('personas');
  keyButton.textContent = apiKey() ? 'API key ✓' : 'API key';
}

async function render(): Promise<void> {
  const { ticket, signal } = nextTicket();
  const isCurrent = () => ticket === rendering;
  disposeCharts();
  const { name, args, params } = route();
  if (needsKey) {
    renderChrome(name, null);
    showKeyForm(keyProblem ?? 'This service needs an API key to show its personas.');
    return;
  }
  // A link to a version trained since this page loaded its list: load the list again, once.
  const wanted = params.get('model');
  if (wanted && !models.some((candidate) => candidate.id === wanted)) {
    try {
      await loadModels();
    } catch (error) {
      if (isCurrent()) showError(error);
      return;
    }
    if (!isCurrent()) return;
    if (!models.some((candidate) => candidate.id === wanted)) {
      renderChrome(name, null);
      mount(view, emptyState('This link names a model version that does not exist (or was deleted).', 'Pick a version in the selector above.'));
      return;
    }
  }
  const model = selectedModel(params);
  renderChrome(name, model);
  const entry = VIEWS.find((candidate) => candidate.name === name)?.render ?? HIDDEN_VIEWS[name];
  if (!entry) {
    mount(view, emptyState('There is no such view.', 'Pick one of the views above.'));
    return;
  }
  mount(view, h('p', { class: 'status', role: 'status' }, 'Loading…'));
  const context: Context = { models, model, isAdmin, args, params, view, link, signal, isCurrent, refresh, reloadModels, notify };
  try {
    if (!model && name !== 'models') {
      mount(
        view,
        emptyState(
          'There is no model yet.',
          isAdmin ? 'Open Models to upload a CSV of customers and train the first version.' : 'Ask an admin to train one, or start the service with DEMO_ON_EMPTY=true to load the demo.',
        ),
        isAdmin ? h('p', null, h('a', { href: '#/models', class: 'button' }, 'Go to Models')) : null,
      );
      return;
    }
    await entry(context);
  } catch (error) {
    if (isCurrent() && !isAbort(error)) showError(error);
  }
  if (!isCurrent()) return;
  // The tab's title names the view (its heading), so history and tabs tell views apart.
  const heading = view.querySelector('h2')?.textContent?.trim();
  document.title = heading ? `${heading} · Persona board` : 'Persona board';
  document.body.dataset.view = name;
  document.body.dataset.ready = String(ticket);
}

async function refresh(): Promise<void> {
  await loadModels();
  await render();
}

async function reloadModels(): Promise<void> {
  await loadModels();
  const { name, params } = route();
  renderChrome(name, selectedModel(params));
}

export function showError(error: unknown): void {
  const problem = error instanceof ApiError ? error : new ApiError(-1, 'Something went wrong', String(error), null);
  mount(
    view,
    h(
      'div',
      { class: 'error', role: 'alert' },
      h('p', { class: 'error-title' }, `${problem.message}${problem.status > 0 ? ` (HTTP ${problem.status})` : ''}`),
      problem.detail ? h('p', null, problem.detail) : null,
      h('p', null, problem.hint),
      h('p', null, h('button', { type: 'button', onclick: () => void boot() }, 'Try again')),
    ),
  );
}

function showKeyForm(reason: string): void {
  // A render still loading must not replace the form when its data arrives.
  nextTicket();
  const input = h('input', { id: 'api-key', type: 'password', autocomplete: 'off', required: true, spellcheck: 'false', value: apiKey() ?? '' });
  const form = h(
    'form',
    {
      class: 'panel key-form',
      onsubmit: (event: Event) => {
        event.preventDefault();
        setApiKey(input.value.trim() || null);
        void boot();
      },
    },
    h('h2', null, 'API key'),
    h('p', null, reason),
    h('p', null, 'The key stays in this browser tab (session storage) and is sent only to this service’s /v1 API. A read key shows the board; an admin key can also rename personas and train, activate or roll back versions.'),
    h('label', { for: 'api-key' }, 'Key'),
    input,
    h('div', { class: 'actions' }, h('button', { type: 'submit' }, 'Use this key'), apiKey() ? h('button', { type: 'button', class: 'secondary', onclick: () => (setApiKey(null), void boot()) }, 'Forget the key') : null),
  );
  disposeCharts();
  mount(view, form);
  input.focus();
}

async function boot(): Promise<void> {
  try {
    await loadModels();
    needsKey = false;
    keyProblem = null;
  } catch (error) {
    if (error instanceof ApiError && (error.status === 401 || error.status === 403)) {
      needsKey = true;
      // Without a key the service asks for one; with one, it is unknown, revoked or lacks the scope.
      keyProblem =
        error.status === 403
          ? `This key may not read models: use a key with the read scope.${error.detail ? ` (The service says: ${error.detail})` : ''}`
          : apiKey()
            ? `The service did not accept this key: it is unknown or revoked.${error.detail ? ` (The service says: ${error.detail})` : ''} Paste a valid key.`
            : 'This service needs an API key to show its personas.';
      showKeyForm(keyProblem);
      renderChrome('', null);
      return;
    }
    showError(error);
    return;
  }
  await render();
}

modelSelect.addEventListener('change', () => {
  const { name, params } = route();
  params.set('model', modelSelect.value);
  // A persona belongs to one version: switching versions shows that version's personas.
  location.hash = `#/${name === 'persona' ? 'personas' : name}?${params.toString()}`;
});
keyButton.addEventListener('click', () => showKeyForm('Paste an API key of this service.'));
// A new history entry (a link, the selector) starts at the top of the page with the focus on the view's
// heading; back and forward keep the browser's own scroll restoration.
let entries = 0;
if (!(history.state as { board?: number } | null)?.board) history.replaceState({ board: ++entries }, '');
window.addEventListener('hashchange', () => {
  const isNewEntry = !(history.state as { board?: number } | null)?.board;
  if (isNewEntry) {
    history.replaceState({ board: ++entries }, '');
    window.scrollTo(0, 0);
  }
  const ticket = rendering + 1;
  void render().then(() => {
    if (ticket !== rendering) return;
    const heading = view.querySelector<HTMLElement>('h2');
    if (heading) {
      heading.tabIndex = -1;
      heading.focus({ preventScroll: !isNewEntry });
    } else view.focus({ preventScroll: true });
  });
});

// For the browser tests: what an ECharts instance drew (read from the instance, not the pixels).
(window as unknown as { personaBoard: object }).personaBoard = {
  chartSeries: (selector: string) => {
    const container = document.querySelector(selector);
    return container ? chartSeries(container) : null;
  },
  chartTooltips: (selector: string) => {
    const container = document.querySelector(selector);
    return container ? chartTooltips(container) : 0;
  },
  chartPointPixel: (selector: string, seriesIndex: number, dataIndex: number) => {
    const container = document.querySelector(selector);
    return container ? chartPointPixel(container, seriesIndex, dataIndex) : null;
  },
};

void boot();
