import type { ModelDto } from './api-types.ts';

/** What a view gets: the models, the selected version, the caller's rights and the route. */
export interface Context {
  models: ModelDto[];
  model: ModelDto | null;
  isAdmin: boolean;
  /** Route segments after the view name, e.g. the persona id of #/persona/<id>. */
  args: string[];
  params: URLSearchParams;
  view: HTMLElement;
  /** A hash link to a view, keeping the selected model. */
  link(view: string, params?: Record<string, string>): string;
  /** Aborted when another view (or the same one again) renders: pass it to every api() call. */
  signal: AbortSignal;
  /** False once another render started: check it before every mount and chart after an await. */
  isCurrent(): boolean;
  /** Reloads the model list (after training, activation, rollback) and re-renders the view. */
  refresh(): Promise<void>;
  /** Reloads the model list and the header without touching the view (the user has left it). */
  reloadModels(): Promise<void>;
  /** A short message in the page-wide status area, for news from a view the user has left. */
  notify(message: string): void;
}
