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
  /** Reloads the model list (after training, activation, rollback) and re-renders the view. */
  refresh(): Promise<void>;
}
