/** Persona cards of a version, and one persona in full (with the admin's name and description editor). */
import { ApiError, api, isAbort } from '../api.ts';
import type { Persona, PersonaList, Recommendation, Trait } from '../api-types.ts';
import { disposeCharts, snakePlot } from '../charts.ts';
import type { Context } from '../context.ts';
import { emptyState, h, mount, statusLine } from '../dom.ts';
import { formatDate, formatInteger, formatNumber, formatPercent, formatSd, humanize } from '../format.ts';

export async function loadPersonas(modelId: string, signal?: AbortSignal): Promise<Persona[]> {
  const list = await api<PersonaList>(`/personas?model=${encodeURIComponent(modelId)}`, { signal });
  return [...list.items].sort((a, b) => a.index - b.index);
}

/**
 * A persona's products; null when they could not be loaded (said so on the card). A model trained
 * without products answers an empty list, which is not an error.
 */
async function loadRecommendations(personaId: string, limit: number, signal: AbortSignal): Promise<Recommendation[] | null> {
  return api<{ items: Recommendation[] }>(`/personas/${personaId}/recommendations?limit=${limit}`, { signal }).then(
    (page) => page.items,
    (error: unknown) => {
      if (isAbort(error)) throw error;
      return null;
    },
  );
}

/** Snake plots show numeric features only: say so instead of drawing empty axes. */
export function hasNumericFeatures(personas: Persona[]): boolean {
  return (personas[0]?.profile.snake.length ?? 0) > 0;
}

export const NO_NUMERIC_FEATURES = 'This version has only categorical features: the snake plot shows numeric features only. The traits list each persona’s most over-represented categories.';

interface TraitLine {
  text: string;
  direction: 'up' | 'down';
  strength: number;
}

/** The traits that set a persona apart, strongest first: numeric by |z|, categories by lift. */
export function topTraits(traits: Trait[], count: number): TraitLine[] {
  const lines: TraitLine[] = [];
  for (const trait of traits) {
    if (trait.kind === 'numeric') {
      if (Math.abs(trait.zScore) < 0.3) continue;
      lines.push({
        text: `${humanize(trait.feature)} ${formatNumber(trait.personaMean)} (${formatSd(trait.zScore)})`,
        direction: trait.zScore > 0 ? 'up' : 'down',
        strength: Math.abs(trait.zScore),
      });
    } else {
      const top = [...trait.categories].sort((a, b) => b.lift - a.lift)[0];
      if (!top || top.lift < 1.3) continue;
      lines.push({
        text: `${humanize(trait.feature)}: ${top.value} ${formatPercent(top.personaShare)} (${formatPercent(top.populationShare)} overall)`,
        direction: 'up',
        strength: Math.log(top.lift),
      });
    }
  }
  return lines.sort((a, b) => b.strength - a.strength).slice(0, count);
}

function traitList(lines: TraitLine[]): HTMLElement {
  return h(
    'ul',
    { class: 'traits' },
    lines.map((line) => h(
        'li',
        { class: `trait ${line.direction}` },
        h('span', { class: 'arrow', 'aria-hidden': 'true' }, line.direction === 'up' ? '▲' : '▼'),
        h('span', { class: 'visually-hidden' }, line.direction === 'up' ? 'higher: ' : 'lower: '),
        ' ',
        line.text,
      ),
    ),
  );
}

function flags(persona: Persona): HTMLElement | null {
  const badges: HTMLElement[] = [];
  if (persona.quality.isStable === false) badges.push(h('span', { class: 'badge warn', title: 'Bootstrap re-fits often split or merge it' }, `unstable (${formatPercent(persona.quality.stability ?? 0)})`));
  if (persona.quality.nearDuplicateOf) badges.push(h('span', { class: 'badge warn', title: persona.quality.nearDuplicateOf.reason }, `near-duplicate of ${persona.quality.nearDuplicateOf.name}`));
  if (persona.quality.isDataQuality) badges.push(h('span', { class: 'badge bad', title: persona.quality.reasons.join('; ') }, 'data-quality group'));
  if (persona.edits.name || persona.edits.description) badges.push(h('span', { class: 'badge info' }, 'edited'));
  return badges.length > 0 ? h('p', { class: 'badges' }, badges) : null;
}

function stats(persona: Persona): HTMLElement {
  const value = persona.profile.value;
  return h(
    'dl',
    { class: 'stats' },
    h('div', null, h('dt', null, 'Customers'), h('dd', null, `${formatInteger(persona.size)} · ${formatPercent(persona.share)}`)),
    value ? h('div', null, h('dt', null, `Share of ${humanize(value.column)}`), h('dd', null, `${formatPercent(value.share)} (×${formatNumber(value.index)} its size)`)) : null,
  );
}

function card(persona: Persona, recommendations: Recommendation[] | null, context: Context): HTMLElement {
  const rule = persona.drivers.rules[0];
  return h(
    'article',
    { class: 'card persona-card', 'data-persona-id': persona.id },
    h('h3', null, h('a', { href: context.link(`persona/${persona.id}`) }, persona.name)),
    h('p', { class: 'tagline' }, persona.tagline),
    stats(persona),
    traitList(topTraits(persona.traits, 4)),
    rule ? h('p', { class: 'driver' }, h('strong', null, 'Recognised by '), rule.text, ` (${formatPercent(rule.precision)} precise)`) : null,
    persona.strategies.length > 0 ? h('p', { class: 'strategies' }, h('strong', null, 'Strategies: '), persona.strategies.slice(0, 3).map((s) => s.title).join(' · ')) : null,
    recommendations === null
      ? h('p', { class: 'products muted' }, 'Couldn’t load the recommendations: reload the page to try again.')
      : recommendations.length > 0
        ? h('p', { class: 'products' }, h('strong', null, 'Recommend: '), recommendations.map((r) => r.product.name).join(', '))
        : null,
    flags(persona),
  );
}

export async function renderPersonas(context: Context): Promise<void> {
  const model = context.model!;
  const personas = await loadPersonas(model.id, context.signal);
  const recommendations = await Promise.all(personas.map((persona) => loadRecommendations(persona.id, 3, context.signal)));
  if (!context.isCurrent()) return;
  mount(
    context.view,
    h(
      'div',
      { class: 'view-head' },
      h('h2', null, `Personas of ${model.name} v${model.version}`),
      h(
        'p',
        { class: 'muted' },
        `${formatInteger(model.metrics.customers)} customers in ${personas.length} personas · ${model.status} · trained ${formatDate(model.createdAt)}. `,
        'Open a persona for its profile, drivers, strategies and products.',
      ),
    ),
    personas.length === 0 ? emptyState('This version has no personas.', 'Train another version under Models.') : h('div', { class: 'cards' }, personas.map((persona, index) => card(persona, recommendations[index] ?? null, context))),
  );
}

function editor(persona: Persona, onSaved: (saved: Persona) => void): HTMLElement {
  const name = h('input', { id: 'persona-name', name: 'name', required: true, maxlength: 80, value: persona.name });
  const description = h('textarea', { id: 'persona-description', name: 'description', rows: 4, maxlength: 2000, required: true });
  description.value = persona.description;
  const status = statusLine();
  return h(
    'form',
    {
      class: 'panel editor',
      onsubmit: async (event: Event) => {
        event.preventDefault();
        const patch: Record<string, string> = {};
        if (name.value.trim() !== persona.name) patch.name = name.value.trim();
        if (description.value.trim() !== persona.description) patch.description = description.value.trim();
        if (Object.keys(patch).length === 0) {
          status.textContent = 'Nothing changed.';
          return;
        }
        status.textContent = 'Saving…';
        try {
          const saved = await api<Persona>(`/personas/${persona.id}`, { method: 'PATCH', body: patch });
          onSaved(saved);
        } catch (error) {
          status.textContent = error instanceof ApiError ? `Not saved: ${error.detail} ${error.hint}` : 'Not saved.';
        }
      },
    },
    h('h3', null, 'Edit'),
    h('p', { class: 'muted' }, 'A new name and description are kept when a retrained version inherits this persona.'),
    h('label', { for: 'persona-name' }, 'Name'),
    name,
    h('label', { for: 'persona-description' }, 'Description'),
    description,
    h('div', { class: 'actions' }, h('button', { type: 'submit' }, 'Save')),
    status,
  );
}

function traitTable(persona: Persona): HTMLElement {
  return h(
    'div',
    { class: 'table-wrap' },
    h(
    'table',
    null,
    h('caption', null, 'Every feature: this persona against all customers'),
    h('thead', null, h('tr', null, h('th', { scope: 'col' }, 'Feature'), h('th', { scope: 'col' }, 'This persona'), h('th', { scope: 'col' }, 'Everyone'), h('th', { scope: 'col' }, 'Difference'))),
    h(
      'tbody',
      null,
      persona.traits.map((trait) => {
        if (trait.kind === 'numeric') {
          return h('tr', null, h('th', { scope: 'row' }, humanize(trait.feature)), h('td', { class: 'num' }, formatNumber(trait.personaMean)), h('td', { class: 'num' }, formatNumber(trait.populationMean)), h('td', { class: 'num' }, formatSd(trait.zScore)));
        }
        const top = [...trait.categories].sort((a, b) => b.personaShare - a.personaShare)[0];
        return h(
          'tr',
          null,
          h('th', { scope: 'row' }, humanize(trait.feature)),
          h('td', { class: 'num' }, top ? `${top.value} ${formatPercent(top.personaShare)}` : '—'),
          h('td', { class: 'num' }, top ? formatPercent(top.populationShare) : '—'),
          h('td', { class: 'num' }, top ? `×${formatNumber(top.lift)}` : '—'),
        );
      }),
    ),
    ),
  );
}

export async function renderPersona(context: Context): Promise<void> {
  const id = context.args[0] ?? '';
  const persona = await api<Persona>(`/personas/${encodeURIComponent(id)}`, { signal: context.signal });
  const [personas, recommendations] = await Promise.all([loadPersonas(persona.modelId, context.signal), loadRecommendations(persona.id, 10, context.signal)]);
  if (!context.isCurrent()) return;
  const model = context.models.find((candidate) => candidate.id === persona.modelId);
  const snake = h('div', { class: 'chart', id: 'persona-snake', role: 'img', 'aria-label': `Snake plot: standardized means of ${persona.name} against the other personas` });
  const saved = statusLine();
  saved.tabIndex = -1;
  const show = (current: Persona) => {
    mount(
      context.view,
      h('p', null, h('a', { href: context.link('personas') }, '← All personas')),
      h(
        'div',
        { class: 'view-head' },
        h('h2', { id: 'persona-title' }, current.name),
        h('p', { class: 'tagline' }, current.tagline),
        h('p', { class: 'muted' }, model ? `${model.name} v${model.version}` : ''),
        flags(current),
        saved,
      ),
      h('div', { class: 'columns' }, h('section', { class: 'panel' }, h('h3', null, 'Who they are'), stats(current), h('p', { class: 'description' }, current.description), traitList(topTraits(current.traits, 6))), context.isAdmin ? editor(current, onSaved) : null),
      h(
        'section',
        { class: 'panel' },
        h('h3', null, 'Snake plot'),
        hasNumericFeatures(personas)
          ? [h('p', { class: 'muted' }, 'Standardized mean of every numeric feature (0 is the average customer); the other personas are faded.'), snake]
          : h('p', { class: 'empty' }, NO_NUMERIC_FEATURES),
      ),
      h(
        'div',
        { class: 'columns' },
        h(
          'section',
          { class: 'panel' },
          h('h3', null, 'Drivers'),
          current.drivers.rules.length === 0 ? h('p', { class: 'muted' }, 'No rule describes this persona well.') : h('ul', null, current.drivers.rules.slice(0, 4).map((rule) => h('li', null, rule.text, h('span', { class: 'muted' }, ` — ${formatPercent(rule.precision)} of such customers are in it, covering ${formatPercent(rule.coverage)} of it`)))),
          current.drivers.attributions.length > 0 ? h('p', { class: 'muted' }, 'Most telling features: ', current.drivers.attributions.slice(0, 5).map((a) => humanize(a.feature)).join(', ')) : null,
        ),
        h(
          'section',
          { class: 'panel' },
          h('h3', null, 'Strategies'),
          current.strategies.length === 0 ? h('p', { class: 'muted' }, 'No strategy rule fired for this persona.') : h('ul', null, current.strategies.map((s) => h('li', null, h('strong', null, s.title), ': ', s.description, h('span', { class: 'muted' }, ` (${s.trigger})`)))),
        ),
      ),
      h(
        'section',
        { class: 'panel' },
        h('h3', null, 'Recommended products'),
        recommendations === null
          ? h('p', { class: 'error', role: 'alert' }, 'Couldn’t load the recommendations: reload the page to try again.')
          : recommendations.length === 0
          ? h('p', { class: 'muted' }, 'No products: upload purchases with the dataset (products and interactions) to get recommendations.')
          : h(
              'div',
              { class: 'table-wrap' },
              h(
              'table',
              null,
              h('thead', null, h('tr', null, h('th', { scope: 'col' }, 'Product'), h('th', { scope: 'col' }, 'Bought by the persona'), h('th', { scope: 'col' }, 'By everyone'), h('th', { scope: 'col' }, 'Lift'))),
              h('tbody', null, recommendations.map((r) => h('tr', null, h('th', { scope: 'row' }, r.product.name), h('td', { class: 'num' }, formatPercent(r.personaRate)), h('td', { class: 'num' }, formatPercent(r.overallRate)), h('td', { class: 'num' }, `×${formatNumber(r.lift)}`)))),
              ),
            ),
      ),
      h('section', { class: 'panel' }, traitTable(current)),
    );
    if (hasNumericFeatures(personas)) snakePlot(snake, personas.map((p) => (p.id === current.id ? current : p)), current.id);
  };
  const onSaved = (updated: Persona) => {
    // The user may have left while the save was on its way: the view is no longer theirs.
    if (!context.isCurrent()) {
      context.notify(`Saved ${updated.name}.`);
      return;
    }
    disposeCharts();
    show(updated);
    saved.textContent = 'Saved.';
    // The form was re-drawn: the focus goes to the confirmation instead of being lost on <body>.
    saved.focus();
  };
  if (personas.length === 0) {
    mount(context.view, emptyState('This persona’s version has no personas.', 'Go back to Models.'));
    return;
  }
  show(persona);
}
