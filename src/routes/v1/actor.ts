import type { FastifyRequest } from 'fastify';

/**
 * Who makes a change, as recorded in a model's history: the API key's name. Every route that changes
 * something needs a scope, so the auth hook has set the principal ('anonymous (auth disabled)' when
 * authentication is off).
 */
export function actorOf(request: FastifyRequest): string {
  if (!request.principal) throw new Error(`route ${request.routeOptions.url ?? ''} records an actor but declares no scope`);
  return request.principal.name;
}
