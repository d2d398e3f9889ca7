/**
 * API-key authentication and scopes. Routes declare `config: { scope }` (a key scope, or
 * 'authenticated' for any valid key); routes without one are public (health, metrics, docs). With AUTH_DISABLED every caller acts as an anonymous admin.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { hasScope } from '../domain/api-key.ts';
import type { ApiKeyScope, Principal } from '../domain/api-key.ts';
import { sendProblem } from './problems.ts';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Scope an API key needs for this route; 'authenticated' takes any valid key; absent means public. */
    scope?: ApiKeyScope | 'authenticated';
  }
  interface FastifyRequest {
    /** The authenticated caller (also when its scope was insufficient and the route refused it). */
    principal: Principal | null;
  }
}

const ANONYMOUS_ADMIN: Principal = { keyId: null, name: 'anonymous (auth disabled)', scopes: ['admin'] };
const BEARER = /^Bearer\s+(\S+)\s*$/i;
const CHALLENGE = 'Bearer realm="persona-service"';

export const authPlugin = fp<{ isDisabled: boolean }>(
  async (app, { isDisabled }) => {
    app.decorateRequest('principal', null);
    const challenge = (request: FastifyRequest, reply: FastifyReply, token: string | undefined, principal: Principal | null): FastifyReply | null => {
      const scope = request.routeOptions.config.scope!;
      if (!principal) {
        reply.header('www-authenticate', `${CHALLENGE}, error="invalid_token"`);
        return sendProblem(reply, 'unauthorized', token ? 'the API key is unknown or revoked' : 'the Authorization header must have the form "Bearer <key>"');
      }
      if (scope !== 'authenticated' && !hasScope(principal, scope)) {
        // Known but not allowed: the audit trail records the refused attempt under the key's name.
        request.principal = principal;
        reply.header('www-authenticate', `${CHALLENGE}, error="insufficient_scope", scope="${scope}"`);
        return sendProblem(reply, 'forbidden', `this operation needs the "${scope}" scope; the key "${principal.name}" has ${principal.scopes.join(', ')}`);
      }
      request.principal = principal;
      return null;
    };
    // A callback hook: a key this replica has cached is checked synchronously, without a promise.
    app.addHook('onRequest', (request: FastifyRequest, reply: FastifyReply, done: (error?: Error) => void) => {
      const scope = request.routeOptions.config.scope;
      if (scope === undefined) return done();
      if (isDisabled) {
        request.principal = ANONYMOUS_ADMIN;
        return done();
      }
      const header = request.headers.authorization;
      if (!header) {
        reply.header('www-authenticate', CHALLENGE);
        sendProblem(reply, 'unauthorized', 'this operation needs an API key: send Authorization: Bearer <key>');
        return;
      }
      const token = BEARER.exec(header)?.[1];
      const cached = token ? app.services.apiKeys.authenticateFromCache(token) : null;
      if (cached !== undefined) {
        if (challenge(request, reply, token, cached) === null) done();
        return;
      }
      app.services.apiKeys.authenticate(token!).then(
        (principal) => {
          if (challenge(request, reply, token, principal) === null) done();
        },
        (error: Error) => done(error),
      );
    });
  },
  { name: 'auth', dependencies: ['services', 'problems'] },
);
