/**
 * "Try it": the cold start a sales agent would run. It asks the most informative question next
 * (POST /v1/assign with include=questions), and shows the persona, its confidence and the reasons
 * as each answer comes in.
 */
import { ApiError, api } from '../api.ts';
import type { Assignment, Persona } from '../api-types.ts';
import type { Context } from '../context.ts';
import { h, mount } from '../dom.ts';
import { formatNumber, formatPercent, humanize } from '../format.ts';
import { loadPersonas } from './personas.ts';

type Question = { feature: string; kind: 'numeric'; typical: number; min: number; max: number } | { feature: string; kind: 'categorical'; categories: string[] };

/** The questions the model can ask, from the personas' traits (numeric ranges, categories). */
function questionsOf(personas: Persona[]): Map<string, Question> {
  const questions = new Map<string, Question>();
  for (const persona of personas) {
    for (const trait of persona.traits) {
      if (trait.kind === 'numeric') {
        if (!questions.has(trait.feature)) {
          const typical = trait.populationMedian ?? trait.populationMean;
          questions.set(trait.feature, { feature: trait.feature, kind: 'numeric', typical, min: trait.populationMean - 4 * trait.populationStd, max: trait.populationMean + 4 * trait.populationStd });
        }
      } else {
        const known = questions.get(trait.feature);
        const categories = new Set(known?.kind === 'categorical' ? known.categories : []);
        for (const category of trait.categories) categories.add(category.value);
        questions.set(trait.feature, { feature: trait.feature, kind: 'categorical', categories: [...categories] });
      }
    }
  }
  return questions;
}

/** Before any answer the service cannot rank questions: start with the feature that drives the personas most. */
function firstQuestion(personas: Persona[], questions: Map<string, Question>): string | null {
  const weight = new Map<string, number>();
  for (const persona of personas) for (const { feature, attribution } of persona.drivers.attributions) weight.set(feature, (weight.get(feature) ?? 0) + Math.abs(attribution));
  const ranked = [...weight.entries()].filter(([feature]) => questions.has(feature)).sort((a, b) => b[1] - a[1]);
  return ranked[0]?.[0] ?? questions.keys().next().value ?? null;
}

export async function renderTry(context: Context): Promise<void> {
  const model = context.model!;
  const personas = await loadPersonas(model.id, context.signal);
  if (!context.isCurrent()) return;
  const questions = questionsOf(personas);
  const answers = new Map<string, string | number>();
  const skipped = new Set<string>();
  let assignment: Assignment | null = null;
  let error: string | null = null;
  let current = firstQuestion(personas, questions);
  /** Numbers the /assign calls: only the latest answer is shown (an earlier one may arrive last). */
  let sequence = 0;
  const questionBox = h('section', { class: 'panel', id: 'try-question-panel', 'aria-labelledby': 'try-question-title' });
  const resultBox = h('section', { class: 'panel', id: 'try-result', 'aria-live': 'polite' });

  const nextQuestion = (): string | null => {
    const open = (feature: string) => !answers.has(feature) && !skipped.has(feature) && questions.has(feature);
    const ranking = assignment?.nextQuestion?.ranking?.map((entry) => entry.feature) ?? (assignment?.nextQuestion ? [assignment.nextQuestion.feature] : []);
    return ranking.find(open) ?? [...questions.keys()].find(open) ?? null;
  };

  /** Sends the answers so far; false when a later change superseded this call (nothing to draw). */
  const assign = async (): Promise<boolean> => {
    const mine = ++sequence;
    if (answers.size === 0) {
      assignment = null;
      error = null;
      return true;
    }
    try {
      const answer = await api<Assignment>(`/assign?model=${encodeURIComponent(model.id)}&include=questions&explain=true`, { method: 'POST', body: { attributes: Object.fromEntries(answers) }, signal: context.signal });
      if (mine !== sequence || !context.isCurrent()) return false;
      assignment = answer;
      error = null;
    } catch (caught) {
      if (mine !== sequence || !context.isCurrent()) return false;
      error = caught instanceof ApiError ? `${caught.detail} ${caught.hint}` : String(caught);
    }
    return true;
  };

  const drawQuestion = () => {
    const question = current ? questions.get(current) : undefined;
    const input = !question
      ? null
      : question.kind === 'numeric'
        ? h('input', { id: 'try-answer', type: 'number', step: 'any', required: true, placeholder: `typically ${formatNumber(question.typical)}` })
        : h('select', { id: 'try-answer', required: true }, h('option', { value: '' }, 'Choose…'), question.categories.map((category) => h('option', { value: category }, category)));
    mount(
      questionBox,
      h('h3', { id: 'try-question-title' }, answers.size === 0 ? 'First question' : `Question ${answers.size + 1}`),
      question && input
        ? h(
            'form',
            {
              id: 'try-form',
              onsubmit: async (event: Event) => {
                event.preventDefault();
                if (input.value === '') return;
                answers.set(question.feature, question.kind === 'numeric' ? Number(input.value) : input.value);
                // One answer at a time: the form waits for the persona of this one.
                for (const control of (event.currentTarget as HTMLFormElement).querySelectorAll<HTMLButtonElement | HTMLInputElement | HTMLSelectElement>('button, input, select')) control.disabled = true;
                if (!(await assign())) return;
                current = nextQuestion();
                draw();
              },
            },
            h('label', { for: 'try-answer', id: 'try-question' }, `What is the customer’s ${humanize(question.feature)}?`),
            input,
            assignment?.nextQuestion?.feature === question.feature ? h('p', { class: 'muted' }, `The most informative question now: the answer is expected to remove ${formatNumber(assignment.nextQuestion.expectedInformationGain)} bits of uncertainty.`) : null,
            h(
              'div',
              { class: 'actions' },
              h('button', { type: 'submit', id: 'try-submit' }, 'Answer'),
              h(
                'button',
                {
                  type: 'button',
                  class: 'secondary',
                  onclick: () => {
                    skipped.add(question.feature);
                    current = nextQuestion();
                    draw();
                  },
                },
                'Skip',
              ),
            ),
          )
        : h('p', null, answers.size > 0 ? 'Every question is answered or skipped.' : 'This model has no question to ask.'),
      answers.size > 0
        ? h(
            'div',
            null,
            h('h4', null, 'Answers'),
            h(
              'ul',
              { class: 'answers' },
              [...answers.entries()].map(([feature, value]) =>
                h(
                  'li',
                  null,
                  `${humanize(feature)}: ${typeof value === 'number' ? formatNumber(value) : value} `,
                  h(
                    'button',
                    {
                      type: 'button',
                      class: 'link',
                      'aria-label': `Remove the answer about ${humanize(feature)}`,
                      onclick: async () => {
                        answers.delete(feature);
                        current = feature;
                        if (await assign()) draw();
                      },
                    },
                    'remove',
                  ),
                ),
              ),
            ),
            h(
              'button',
              {
                type: 'button',
                class: 'secondary',
                onclick: () => {
                  answers.clear();
                  skipped.clear();
                  assignment = null;
                  error = null;
                  // An /assign call still on its way belongs to the answers just cleared.
                  sequence += 1;
                  current = firstQuestion(personas, questions);
                  draw();
                },
              },
              'Start over',
            ),
          )
        : null,
    );
    input?.focus();
  };

  const drawResult = () => {
    if (error) {
      mount(resultBox, h('h3', null, 'Persona'), h('p', { class: 'error', role: 'alert' }, error));
      return;
    }
    if (!assignment) {
      mount(resultBox, h('h3', null, 'Persona'), h('p', { class: 'muted' }, 'Answer a question: the persona appears here, with how sure the model is and why.'));
      return;
    }
    const persona = personas.find((candidate) => candidate.id === assignment!.persona.id);
    mount(
      resultBox,
      h('h3', null, 'Persona'),
      h('p', { class: 'big-name', id: 'try-persona' }, persona ? h('a', { href: context.link(`persona/${persona.id}`) }, assignment.persona.name) : assignment.persona.name),
      persona ? h('p', { class: 'tagline' }, persona.tagline) : null,
      h('p', null, 'Confidence ', h('strong', { id: 'try-confidence' }, formatPercent(assignment.confidence)), ' ', h('meter', { min: 0, max: 1, value: assignment.confidence, low: 0.5, high: 0.8, optimum: 1, 'aria-label': 'confidence' })),
      assignment.unclassified ? h('p', { class: 'badge warn' }, `Unclassified: ${assignment.unclassifiedReason ?? 'far from every persona'}`) : null,
      assignment.runnersUp.length > 0 ? h('p', { class: 'muted' }, 'Runners-up: ', assignment.runnersUp.map((r) => `${r.persona.name} ${formatPercent(r.probability)}`).join(' · ')) : null,
      assignment.explanation && assignment.explanation.features.length > 0
        ? h('div', null, h('h4', null, `Why not ${assignment.explanation.versus.name}`), h('ul', { id: 'try-reasons' }, assignment.explanation.features.map((feature) => h('li', null, feature.text))))
        : null,
      assignment.warnings.length > 0 ? h('ul', { class: 'warnings' }, assignment.warnings.map((warning) => h('li', null, warning))) : null,
    );
  };

  const draw = () => {
    drawQuestion();
    drawResult();
  };

  mount(
    context.view,
    h('div', { class: 'view-head' }, h('h2', null, 'Try it: place a new customer'), h('p', { class: 'muted' }, `With ${model.name} v${model.version}. Each answer is sent to /v1/assign, which ranks the next question by how much it would tell.`)),
    h('div', { class: 'columns' }, questionBox, resultBox),
  );
  draw();
}
