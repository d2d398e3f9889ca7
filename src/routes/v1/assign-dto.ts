/** Assignments → response DTOs for /v1/assign and its batch form. */
import type { Assignment } from '../../services/assignment.ts';

type PersonaReference = { id: string; key: string; name: string };

export interface AssignmentDtoOptions {
  customerId: string | undefined;
  includeProbabilities: boolean;
  includeQuestionRanking?: boolean;
}

/** The fields every form of assignment shares (single, JSON batch, NDJSON). */
export function toAssignmentDto(assignment: Assignment, options: AssignmentDtoOptions) {
  const { model, explanation, nextQuestion } = assignment;
  const personas = model.personas;
  return {
    ...(options.customerId === undefined ? {} : { customerId: options.customerId }),
    persona: personas[assignment.personaIndex]!,
    confidence: assignment.confidence,
    runnersUp: assignment.runnersUp.map(({ index, probability }) => ({ persona: personas[index]!, probability })),
    distance: assignment.distance,
    unclassified: assignment.isUnclassified,
    ...(assignment.unclassifiedReason === null ? {} : { unclassifiedReason: assignment.unclassifiedReason }),
    ...(options.includeProbabilities ? { probabilities: allProbabilities(assignment.probabilities, personas) } : {}),
    model: { id: model.id, name: model.name, version: model.version },
    featuresUsed: assignment.featuresUsed,
    featuresMissing: assignment.featuresMissing,
    warnings: assignment.warnings,
    ...(nextQuestion === null ? {} : { nextQuestion: options.includeQuestionRanking ? nextQuestion : { feature: nextQuestion.feature, expectedInformationGain: nextQuestion.expectedInformationGain, currentEntropy: nextQuestion.currentEntropy } }),
    ...(explanation === null
      ? {}
      : {
          explanation: {
            versus: personas[explanation.runnerUp]!,
            measure: explanation.measure,
            total: explanation.total,
            base: explanation.base,
            features: explanation.features.map((entry) => ({ ...entry, value: entry.value as string | number | boolean | null })),
          },
        }),
  };
}

function allProbabilities(probabilities: Float64Array, personas: readonly PersonaReference[]) {
  return Array.from(probabilities, (probability, index) => ({ persona: personas[index]!, probability })).sort((a, b) => b.probability - a.probability);
}
