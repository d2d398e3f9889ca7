/**
 * The persona board at `/`: the static page built from src/web by scripts/build-web.ts into dist/web.
 * The page is public; its calls to /v1 carry the user's API key. Assets have content hashes in their
 * names, so they are cached for a year; index.html is revalidated on every load so a new build shows
 * at once. The board gets its own strict content security policy: its script and styles from this
 * origin only, nothing inline, calls to this origin only.
 *
 * Not wrapped in fastify-plugin: its headers hook stays inside its own routes.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyPluginAsync } from 'fastify';

/** dist/web, found from src/plugins (run from source) or dist/src/plugins (the production build). */
export const DEFAULT_BOARD_DIR =
  ['../../dist/web', '../../web'].map((relative) => fileURLToPath(new URL(relative, import.meta.url))).find((candidate) => existsSync(join(candidate, 'index.html'))) ??
  fileURLToPath(new URL('../../dist/web', import.meta.url));

export const BOARD_SECURITY_HEADERS = {
  'strict-transport-security': 'max-age=31536000; includeSubDomains',
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cross-origin-resource-policy': 'same-origin',
  'content-security-policy':
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; font-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'; object-src 'none'",
  'x-frame-options': 'DENY',
} as const;

const MISSING_BUILD = 'The persona board is not built. Run `npm run build:web` (npm install and npm run build also build it), then reload this page. The API itself works: see /docs.\n';

export const boardPlugin: FastifyPluginAsync<{ root?: string }> = async (app, options) => {
  const root = options.root ?? DEFAULT_BOARD_DIR;
  const indexFile = join(root, 'index.html');
  app.addHook('onRequest', (_request, reply, done) => {
    reply.headers(BOARD_SECURITY_HEADERS);
    done();
  });

  // Read on each request (a few hundred bytes): a rebuild while the service runs shows on reload.
  // No existsSync first: a rebuild swaps dist/web between the check and the read (ENOENT), which is
  // the same answer as no build at all.
  app.get('/', { schema: { hide: true } }, async (_request, reply) => {
    let html: Buffer;
    try {
      html = readFileSync(indexFile);
    } catch {
      return reply.code(503).type('text/plain; charset=utf-8').header('cache-control', 'no-store').header('retry-after', '5').send(MISSING_BUILD);
    }
    return reply.type('text/html; charset=utf-8').header('cache-control', 'no-cache').send(html);
  });

  if (!existsSync(indexFile)) app.log.warn({ root }, 'the persona board is not built: run `npm run build:web`; / explains it meanwhile');
  // Registered even before a build exists (without the plugin's warning): a later build serves on reload.
  // The build writes Brotli and gzip copies beside each asset; they are sent to browsers that accept them.
  await app.register(fastifyStatic, {
    root: join(root, 'assets'),
    prefix: '/assets/',
    index: false,
    immutable: true,
    maxAge: '365d',
    preCompressed: true,
    decorateReply: false,
    suppressWarning: true,
  });
};
