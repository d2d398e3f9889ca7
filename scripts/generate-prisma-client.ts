// Generates the Prisma client into src/db/generated (run by `npm install` and .ci/run).
// Prisma's engine download host is unreachable from our machines; `prisma generate` never runs the
// schema engine, so pointing PRISMA_SCHEMA_ENGINE_BINARY at an existing file skips the download.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const prismaCli = fileURLToPath(new URL('../node_modules/prisma/build/index.js', import.meta.url));

if (!existsSync(prismaCli)) {
  // `npm ci --omit=dev` (production image): the client was generated in the build stage.
  console.log('prisma CLI not installed; skipping client generation');
  process.exit(0);
}

const result = spawnSync(process.execPath, [prismaCli, 'generate'], {
  cwd: root,
  stdio: 'inherit',
  env: {
    ...process.env,
    CHECKPOINT_DISABLE: '1',
    PRISMA_HIDE_UPDATE_MESSAGE: '1',
    PRISMA_SCHEMA_ENGINE_BINARY: process.env.PRISMA_SCHEMA_ENGINE_BINARY ?? fileURLToPath(new URL('../package.json', import.meta.url)),
  },
});
process.exit(result.status ?? 1);
