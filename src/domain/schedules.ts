/** Scheduled retraining: per model name, when (cron, UTC) and on what, and what to do with the result. */

/** candidate: keep the new version for a person to activate; when-not-worse: activate it if its quality holds. */
export type ActivationPolicy = 'candidate' | 'when-not-worse';

export interface Schedule {
  modelName: string;
  cron: string;
  /** The dataset to train on, or (datasetName) the newest dataset of that name when the schedule fires. */
  datasetId: string | null;
  datasetName: string | null;
  /** The training request without name and dataset. */
  training: Record<string, unknown>;
  activationPolicy: ActivationPolicy;
  createdBy: string;
  createdAt: Date;
  nextRunAt: Date;
  lastRunAt: Date | null;
  lastJobId: string | null;
}
