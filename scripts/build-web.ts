// Builds the persona board (src/web) into dist/web: one bundled, minified script and one stylesheet
// under assets/ with content hashes in their names (served with a year-long cache), and index.html
// pointing at them (served with no-cache). Run by `npm install` (postinstall), `npm run build` and
// `npm run build:web`. No CDN: ECharts is bundled, so the board works offline.
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { brotliCompressSync, constants as zlibConstants, gzipSync } from 'node:zlib';
import type * as Esbuild from 'esbuild';

const root = fileURLToPath(new URL('..', import.meta.url));
const source = join(root, 'src/web');
const out = join(root, 'dist/web');

if (!existsSync(join(source, 'index.html'))) {
  // The Docker build installs packages before it copies src/; `npm run build` builds the board later.
  console.log('src/web not present; skipping the board build');
  process.exit(0);
}

let esbuild: typeof Esbuild;
try {
  esbuild = await import('esbuild');
} catch {
  // `npm ci --omit=dev` (production image): the board was built in the build stage.
  console.log('esbuild not installed; skipping the board build');
  process.exit(0);
}

// Built beside dist/web and swapped in at the end: a running service never sees half a build.
const staging = `${out}.${process.pid}.tmp`;
rmSync(staging, { recursive: true, force: true });
mkdirSync(staging, { recursive: true });

const result = await esbuild.build({
  absWorkingDir: root,
  entryPoints: { board: join(source, 'main.ts'), 'board-style': join(source, 'board.css') },
  outdir: join(staging, 'assets'),
  entryNames: '[name]-[hash]',
  bundle: true,
  minify: true,
  format: 'esm',
  target: ['es2022', 'chrome110', 'firefox115', 'safari16'],
  sourcemap: 'linked',
  metafile: true,
  legalComments: 'linked',
  logLevel: 'warning',
});

const assets = Object.entries(result.metafile.outputs).flatMap(([file, meta]) => (meta.entryPoint ? [{ entry: meta.entryPoint, name: basename(file) }] : []));
const assetOf = (suffix: string): string => {
  const asset = assets.find(({ entry }) => entry.endsWith(suffix));
  if (!asset) throw new Error(`the board build produced no output for ${suffix}`);
  return `/assets/${asset.name}`;
};

const html = readFileSync(join(source, 'index.html'), 'utf8').replace('{{script}}', assetOf('main.ts')).replace('{{style}}', assetOf('board.css'));
writeFileSync(join(staging, 'index.html'), html);
// Pre-compressed copies, served by @fastify/static to browsers that accept them (ECharts shrinks ~3×).
for (const file of Object.keys(result.metafile.outputs).filter((name) => /\.(js|css)$/.test(name))) {
  const content = readFileSync(join(root, file));
  writeFileSync(join(root, `${file}.br`), brotliCompressSync(content, { params: { [zlibConstants.BROTLI_PARAM_QUALITY]: 11 } }));
  writeFileSync(join(root, `${file}.gz`), gzipSync(content, { level: 9 }));
}
const previous = `${out}.${process.pid}.old`;
if (existsSync(out)) renameSync(out, previous);
renameSync(staging, out);
rmSync(previous, { recursive: true, force: true });
const bytes = Object.entries(result.metafile.outputs)
  .filter(([file]) => !file.endsWith('.map'))
  .reduce((total, [, meta]) => total + meta.bytes, 0);
console.log(`persona board built into dist/web (${Math.round(bytes / 1024)} kB of assets)`);
