import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { brotliCompressSync, brotliDecompressSync } from 'node:zlib';
import Fastify from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { boardPlugin } from '../../src/plugins/board.ts';
import { API_SECURITY_HEADERS, securityHeadersPlugin } from '../../src/plugins/security-headers.ts';
import { buildTestApp } from '../helpers/app.ts';
import type { TestApp } from '../helpers/app.ts';

/** A board build as scripts/build-web.ts lays it out: index.html and hashed assets. */
function fakeBuild(): string {
  const root = mkdtempSync(join(tmpdir(), 'board-'));
  mkdirSync(join(root, 'assets'));
  writeFileSync(join(root, 'index.html'), '<!doctype html><title>Persona board</title><script type="module" src="/assets/board-ABC123.js"></script>');
  writeFileSync(join(root, 'assets', 'board-ABC123.js'), 'console.log("board");');
  writeFileSync(join(root, 'assets', 'board-ABC123.js.br'), brotliCompressSync('console.log("board");'));
  return root;
}

async function boardApp(root: string) {
  const app = Fastify();
  await app.register(securityHeadersPlugin);
  await app.register(boardPlugin, { root });
  return app;
}

describe('the persona board at /', () => {
  const roots: string[] = [];
  afterAll(() => {
    for (const root of roots) rmSync(root, { recursive: true, force: true });
  });

  it('serves index.html revalidated on every load, under a policy that allows scripts and styles from this origin only', async () => {
    const root = fakeBuild();
    roots.push(root);
    const app = await boardApp(root);
    const response = await app.inject({ method: 'GET', url: '/' });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(response.headers['cache-control']).toBe('no-cache');
    expect(response.body).toContain('/assets/board-ABC123.js');
    const policy = response.headers['content-security-policy'] as string;
    expect(policy).toContain("script-src 'self';");
    expect(policy).toContain("style-src 'self';");
    expect(policy).toContain("connect-src 'self'");
    expect(policy).not.toContain('unsafe-inline');
    expect(response.headers['x-frame-options']).toBe('DENY');
    await app.close();
  });

  it('serves the hashed assets with a year-long immutable cache, pre-compressed when the browser accepts it, and 404 for others', async () => {
    const root = fakeBuild();
    roots.push(root);
    const app = await boardApp(root);
    const asset = await app.inject({ method: 'GET', url: '/assets/board-ABC123.js' });
    expect(asset.statusCode).toBe(200);
    expect(asset.headers['content-type']).toMatch(/^text\/javascript|^application\/javascript/);
    expect(asset.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(asset.headers['content-security-policy']).toContain("script-src 'self'");
    const compressed = await app.inject({ method: 'GET', url: '/assets/board-ABC123.js', headers: { 'accept-encoding': 'br, gzip' } });
    expect(compressed.headers['content-encoding']).toBe('br');
    expect(brotliDecompressSync(compressed.rawPayload).toString()).toBe(asset.body);
    expect((await app.inject({ method: 'GET', url: '/assets/board-OTHER.js' })).statusCode).toBe(404);
    expect((await app.inject({ method: 'GET', url: '/assets/../index.html' })).statusCode).not.toBe(200);
    await app.close();
  });

  it('says how to build the board when it is not built, and serves a build made while it runs', async () => {
    const root = mkdtempSync(join(tmpdir(), 'board-missing-'));
    roots.push(root);
    const app = await boardApp(root);
    const response = await app.inject({ method: 'GET', url: '/' });
    expect(response.statusCode).toBe(503);
    expect(response.headers['content-type']).toBe('text/plain; charset=utf-8');
    expect(response.body).toContain('npm run build:web');
    const built = fakeBuild();
    roots.push(built);
    mkdirSync(join(root, 'assets'));
    writeFileSync(join(root, 'index.html'), readFileSync(join(built, 'index.html')));
    writeFileSync(join(root, 'assets', 'board-ABC123.js'), readFileSync(join(built, 'assets', 'board-ABC123.js')));
    expect((await app.inject({ method: 'GET', url: '/' })).statusCode).toBe(200);
    expect((await app.inject({ method: 'GET', url: '/assets/board-ABC123.js' })).statusCode).toBe(200);
    await app.close();
  });

  it('answers the how-to-build message when index.html cannot be read (a rebuild swapping dist/web)', async () => {
    const root = fakeBuild();
    roots.push(root);
    const app = await boardApp(root);
    // The path exists but cannot be read as a file, as in the moment between a check and a read.
    rmSync(join(root, 'index.html'));
    mkdirSync(join(root, 'index.html'));
    const response = await app.inject({ method: 'GET', url: '/' });
    expect(response.statusCode).toBe(503);
    expect(response.body).toContain('npm run build:web');
    await app.close();
  });

  describe('in the service', () => {
    let t: TestApp;
    beforeAll(async () => {
      t = await buildTestApp();
    });
    afterAll(async () => t.close());

    it('is public (its API calls carry the key) and keeps its policy to itself', async () => {
      const board = await t.app.inject({ method: 'GET', url: '/' });
      // 200 with a built board, 503 (how to build it) without one: never 401.
      expect([200, 503]).toContain(board.statusCode);
      expect(board.headers['content-security-policy']).toContain("script-src 'self'");
      const api = await t.app.inject({ method: 'GET', url: '/healthz' });
      expect(api.headers['content-security-policy']).toBe(API_SECURITY_HEADERS['content-security-policy']);
      // The board is no API: it stays out of the OpenAPI document.
      const document = (await t.app.inject({ method: 'GET', url: '/openapi.json' })).json() as { paths: Record<string, unknown> };
      expect(Object.keys(document.paths)).not.toContain('/');
      expect(Object.keys(document.paths).some((path) => path.startsWith('/assets'))).toBe(false);
    });
  });
});
