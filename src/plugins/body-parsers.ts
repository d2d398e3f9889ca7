/**
 * Request body parsers: JSON (prototype-poisoning safe, with a nesting limit so a deeply nested body
 * is a clear 400 rather than a stack overflow), and CSV and NDJSON as text for the upload routes.
 */
import fp from 'fastify-plugin';
import secureJson from 'secure-json-parse';
import { DomainError } from '../domain/errors.ts';
import { depthOf } from '../services/tabular.ts';

export const TEXT_MEDIA_TYPES = ['text/csv', 'application/x-ndjson', 'application/ndjson'] as const;

export const bodyParsersPlugin = fp<{ maxJsonDepth: number }>(
  async (app, { maxJsonDepth }) => {
    app.removeContentTypeParser(['application/json', 'text/plain']);
    app.addContentTypeParser('application/json', { parseAs: 'string' }, (_request, body, done) => {
      const text = body as string;
      if (text.trim() === '') return done(new DomainError('malformed-body', 'the JSON body is empty'), undefined);
      let value: unknown;
      try {
        value = secureJson.parse(text, undefined, { protoAction: 'error', constructorAction: 'error' });
      } catch (error) {
        const reason = error instanceof SyntaxError ? error.message : 'it contains a forbidden __proto__ or constructor key';
        return done(new DomainError('malformed-body', `the body is not valid JSON: ${reason}`), undefined);
      }
      if (depthOf(value, maxJsonDepth) > maxJsonDepth) {
        return done(new DomainError('malformed-body', `the JSON body nests deeper than ${maxJsonDepth} levels`), undefined);
      }
      done(null, value);
    });
    app.addContentTypeParser([...TEXT_MEDIA_TYPES], { parseAs: 'string' }, (_request, body, done) => done(null, body));
  },
  { name: 'body-parsers' },
);
