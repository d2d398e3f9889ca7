/** Two versions side by side: which persona became which, and where the customers moved. */
import { ApiError, api } from '../api.ts';
import type { Comparison, Migration, ModelDto } from '../api-types.ts';
import { migrationHeatmap } from '../charts.ts';
import type { Context } from '../context.ts';
import { emptyState, h, mount } from '../dom.ts';
import { formatInteger, formatNumber, formatPercent } from '../format.ts';

const label = (model: ModelDto) => `${model.name} v${model.version} (${model.status})`;

/** A failed half of the comparison, shown below the form (which stays usable). */
function failure(what: string, error: unknown): HTMLElement {
  const problem = error instanceof ApiError ? `${error.message}${error.status > 0 ? ` (HTTP ${error.status})` : ''}: ${error.detail} ${error.hint}` : String(error);
  return h('div', { class: 'error', role: 'alert' }, h('p', { class: 'error-title' }, `Couldn’t load the ${what}.`), h('p', null, problem));
}

export async function renderCompare(context: Context): Promise<void> {
  const model = context.model!;
  if (context.models.length < 2) {
    mount(context.view, h('h2', null, 'Compare versions'), emptyState('There is only one version.', 'Train a second version under Models to compare the two.'));
    return;
  }
  // Default: the selected version against the previous one of the same name (else any other).
  const siblings = context.models.filter((candidate) => candidate.name === model.name && candidate.id !== model.id);
  const fromId = context.params.get('from') ?? (siblings.find((candidate) => candidate.version < model.version) ?? siblings[0] ?? context.models.find((m) => m.id !== model.id)!).id;
  const toId = context.params.get('to') ?? model.id;
  const picker = (id: string, selected: string) =>
    h('select', { id, name: id }, context.models.map((candidate) => h('option', { value: candidate.id, selected: candidate.id === selected }, label(candidate))));
  const fromSelect = picker('compare-from', fromId);
  const toSelect = picker('compare-to', toId);
  const form = h(
    'form',
    {
      class: 'panel compare-form',
      onsubmit: (event: Event) => {
        event.preventDefault();
        location.hash = context.link('compare', { from: fromSelect.value, to: toSelect.value });
      },
    },
    h('div', { class: 'form-grid' }, h('label', { for: 'compare-from' }, 'Earlier version'), fromSelect, h('label', { for: 'compare-to' }, 'Later version'), toSelect),
    h('div', { class: 'actions' }, h('button', { type: 'submit' }, 'Compare')),
  );
  const head = h('div', { class: 'view-head' }, h('h2', null, 'Compare versions'), h('p', { class: 'muted' }, 'Personas are matched by their centres; the migration places the earlier version’s training customers in both.'));
  if (fromId === toId) {
    mount(context.view, head, form, emptyState('Both sides are the same version.', 'Pick two different versions.'));
    return;
  }
  // Each half stands alone: the matching shows when only the migration fails, and the form stays.
  const [compared, migrated] = await Promise.allSettled([
    api<Comparison>(`/models/${fromId}/compare/${toId}`, { signal: context.signal }),
    api<Migration>(`/models/${fromId}/migration/${toId}?limit=1`, { signal: context.signal }),
  ]);
  if (!context.isCurrent()) return;
  const heat = h('div', { class: 'chart chart-tall', id: 'chart-migration', role: 'img', 'aria-label': 'Migration matrix between the two versions' });
  const comparison = compared.status === 'fulfilled' ? compared.value : null;
  const migration = migrated.status === 'fulfilled' ? migrated.value : null;
  mount(
    context.view,
    head,
    form,
    h(
      'div',
      { class: 'columns' },
      compared.status === 'rejected' ? failure('matching of the personas', compared.reason) : null,
      migrated.status === 'rejected' ? failure('migration of the customers', migrated.reason) : null,
      comparison && h(
        'section',
        { class: 'panel' },
        h('h3', null, `Matching v${comparison.from.version} → v${comparison.to.version}`),
        h(
          'div',
          { class: 'table-wrap' },
          h(
          'table',
          { id: 'matching' },
          h('thead', null, h('tr', null, h('th', { scope: 'col' }, `v${comparison.from.version}`), h('th', { scope: 'col' }, `v${comparison.to.version}`), h('th', { scope: 'col' }, 'Distance'))),
          h(
            'tbody',
            null,
            comparison.matched.map((pair) => h('tr', null, h('td', null, pair.from.name), h('td', null, pair.to.name), h('td', { class: 'num' }, formatNumber(pair.distance)))),
            comparison.vanished.map((persona) => h('tr', null, h('td', null, persona.name), h('td', { class: 'muted' }, 'vanished'), h('td', null, ''))),
            comparison.new.map((persona) => h('tr', null, h('td', { class: 'muted' }, 'new'), h('td', null, persona.name), h('td', null, ''))),
          ),
          ),
        ),
      ),
      migration && h(
        'section',
        { class: 'panel' },
        h('h3', null, 'Customers who stayed'),
        h('p', { class: 'big-number' }, formatPercent(migration.stayed.share)),
        h('p', { class: 'muted' }, `${formatInteger(migration.stayed.count)} of ${formatInteger(migration.customers)} customers are in the counterpart of their persona.`),
        migration.warnings.length > 0 ? h('ul', { class: 'warnings' }, migration.warnings.map((warning) => h('li', null, warning))) : null,
      ),
    ),
    migration && h('section', { class: 'panel' }, h('h3', null, 'Migration matrix'), h('p', { class: 'muted' }, 'Rows: the earlier version’s personas; columns: the later one’s. Colour: share of the row; numbers: customers.'), heat),
  );
  if (migration) migrationHeatmap(heat, migration);
}
