/**
 * No Docker engine runs on our machines, so the Dockerfile and docker-compose.yml are kept correct
 * by reading them: the compose file parses, wires the service to its database with health checks,
 * and sets only variables the service reads; the Dockerfile builds in stages and runs as non-root.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { ENVIRONMENT_VARIABLES } from '../src/config.ts';

const read = (path: string) => readFile(new URL(`../${path}`, import.meta.url), 'utf8');

describe('docker-compose.yml', () => {
  it('runs the service on PostgreSQL with health checks, a volume and a readiness dependency', async () => {
    const compose = parse(await read('docker-compose.yml'));
    const { postgres, 'persona-service': service } = compose.services;
    expect(postgres.image).toMatch(/^postgres:(1[5-9]|[2-9]\d)/);
    expect(postgres.healthcheck.test.join(' ')).toContain('pg_isready');
    expect(postgres.volumes[0]).toMatch(/^pgdata:/);
    expect(compose.volumes).toHaveProperty('pgdata');
    expect(service.build).toBe('.');
    expect(service.depends_on.postgres.condition).toBe('service_healthy');
    expect(service.healthcheck.test.join(' ')).toContain('/readyz');
    expect(new URL(service.environment.DATABASE_URL).host).toBe('postgres:5432');
  });

  it('sets only environment variables the service reads', async () => {
    const service = parse(await read('docker-compose.yml')).services['persona-service'];
    const names = Object.keys(service.environment);
    expect(names.length).toBeGreaterThan(5);
    for (const name of names) expect(ENVIRONMENT_VARIABLES, name).toContain(name);
  });
});

describe('Dockerfile', () => {
  it('builds in stages from node:24 and runs the compiled server as a non-root user with a health check', async () => {
    const dockerfile = await read('Dockerfile');
    const stages = dockerfile.match(/^FROM node:24[\w.-]* AS \w+$/gm) ?? [];
    expect(stages.length).toBeGreaterThanOrEqual(2);
    expect(dockerfile).toMatch(/^USER node$/m);
    expect(dockerfile).toMatch(/^HEALTHCHECK .*\n?.*\/healthz/m);
    expect(dockerfile).toMatch(/^CMD \["node", "dist\/src\/server\.js"\]$/m);
    expect(dockerfile).toContain('COPY --from=build --chown=node:node /app/prisma/migrations ./prisma/migrations');
  });

  it('starts the file the build produces from src/server.ts', async () => {
    const tsconfig = JSON.parse(await read('tsconfig.json'));
    expect(tsconfig.compilerOptions).toMatchObject({ outDir: 'dist', rootDir: '.' });
    expect(existsSync(new URL('../src/server.ts', import.meta.url))).toBe(true);
  });
});
