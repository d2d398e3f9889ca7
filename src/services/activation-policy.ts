/**
 * Whether a scheduled retrain may replace the active version on its own (policy "when-not-worse"):
 * only when its quality holds and every persona carries over, so the personas marketing knows do not
 * change under them without a person looking. In strict governance mode also only when its fairness
 * audit passes.
 */
import type { ModelMetrics } from '../domain/model.ts';

/** Rounding noise, not a worse model. */
const TOLERANCE = 1e-9;

export interface ActivationDecision {
  activate: boolean;
  /** The reason, in words (shown on the job). */
  note: string;
}

/**
 * @param candidate metrics of the new version (its continuity was measured against the version active at training)
 * @param active metrics of the active version, or null when none is active
 * @param fairness whether governance lets the version be activated without an override (strict mode:
 *   only with a passing fairness audit; see ModelService.fairnessGate). A schedule never overrides.
 */
export function decideActivation(candidate: ModelMetrics, active: ModelMetrics | null, fairness: { allowed: boolean; note: string } = { allowed: true, note: '' }): ActivationDecision {
  if (!fairness.allowed) return { activate: false, note: `kept as a candidate: ${fairness.note}` };
  if (!active) return { activate: true, note: 'activated: no version was active' };
  const reasons: string[] = [];
  if (candidate.silhouette < active.silhouette - TOLERANCE) {
    reasons.push(`its silhouette ${candidate.silhouette.toFixed(3)} is below the active version's ${active.silhouette.toFixed(3)}`);
  }
  const [newStability, oldStability] = [candidate.stability?.meanAdjustedRandIndex, active.stability?.meanAdjustedRandIndex];
  if (newStability !== undefined && oldStability !== undefined && newStability < oldStability - TOLERANCE) {
    reasons.push(`its stability (mean ARI ${newStability.toFixed(3)}) is below the active version's ${oldStability.toFixed(3)}`);
  }
  const continuity = candidate.continuity;
  if (!continuity) reasons.push('it was not matched to the active version');
  else if (continuity.new.length > 0 || continuity.vanished.length > 0) {
    const changes = [...continuity.new.map((persona) => `new "${persona.name}"`), ...continuity.vanished.map((persona) => `vanished "${persona.name}"`)];
    reasons.push(`not every persona carries over (${changes.join(', ')})`);
  }
  if (reasons.length > 0) return { activate: false, note: `kept as a candidate: ${reasons.join('; ')}` };
  return { activate: true, note: `activated: silhouette ${candidate.silhouette.toFixed(3)} ≥ ${active.silhouette.toFixed(3)}, stability held, every persona matched` };
}
