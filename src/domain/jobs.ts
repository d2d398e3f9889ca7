/** Background trainings as the API reports them (the queue that distributes them is pg-boss's). */
import type { ProblemDocument } from './errors.ts';
import type { ActivationPolicy } from './schedules.ts';

export type JobStatus = 'queued' | 'running' | 'completed' | 'failed' | 'cancelled';

export interface JobRecord {
  id: string;
  kind: 'train';
  /** The training request as given. */
  request: Record<string, unknown>;
  status: JobStatus;
  phase: string | null;
  progress: Record<string, unknown> | null;
  /** Attempts started (a replica that died mid-training leaves its attempt counted). */
  attempts: number;
  cancelRequested: boolean;
  modelId: string | null;
  error: Pick<ProblemDocument, 'type' | 'title' | 'status' | 'detail'> | null;
  createdBy: string;
  /** What to do with the trained version (scheduled retrains); see ActivationPolicy. */
  activationPolicy: ActivationPolicy;
  /** What the policy decided, in words (null until decided, or for "candidate"). */
  activationNote: string | null;
  createdAt: Date;
  startedAt: Date | null;
  finishedAt: Date | null;
}
