// Lint: typescript-eslint's recommended rules plus the layering of ../shared/STYLE.md §2 as
// restricted-import zones, so a wrong import fails the build instead of a review.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const restrict = (files, patterns, message) => ({
  files,
  rules: {
    'no-restricted-imports': ['error', { patterns: [{ group: patterns, message }] }],
  },
});

export default tseslint.config(
  { ignores: ['node_modules/', 'dist/', 'coverage/', 'src/db/generated/', 'demo-data/', 'test-artifacts/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-restricted-syntax': ['error', { selector: 'TSEnumDeclaration', message: 'Use a union of string literals (or a zod enum): enums are not erasable syntax.' }],
    },
  },
  restrict(
    ['src/engine/**/*.ts'],
    ['node:*', 'fastify', 'fastify-*', '@fastify/*', '@prisma/*', 'pg', 'pino', 'zod', '**/db/**', '**/services/**', '**/routes/**', '**/plugins/**', '**/schemas/**', '**/domain/**', '**/config.ts'],
    'src/engine is pure numeric code: no I/O, no framework, nothing from the app.',
  ),
  {
    files: ['src/routes/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['**/db/**', '**/engine/**', '**/plugins/**', '@prisma/*', 'pg'], message: 'Routes never touch the database, the engine or the plugins.' },
            { group: ['**/services/**'], allowTypeImports: true, message: 'Routes call services through app.services; import only their types.' },
          ],
        },
      ],
    },
  },
  restrict(
    ['src/services/**/*.ts'],
    ['fastify', 'fastify-*', '@fastify/*', '@prisma/*', 'pg', '**/db/**', '**/routes/**', '**/plugins/**', '**/schemas/**', '**/engine/**', '!**/engine/index.ts'],
    'Services own the logic: no Fastify, no Prisma (repositories arrive by constructor), the engine only through engine/index.ts.',
  ),
  restrict(
    ['src/domain/**/*.ts'],
    ['fastify', 'fastify-*', '@fastify/*', '@prisma/*', 'pg', '**/db/**', '**/services/**', '**/routes/**', '**/plugins/**', '**/schemas/**', '**/engine/**'],
    'The domain holds plain types, repository contracts and rules; it depends on nothing of the app.',
  ),
  restrict(
    ['src/db/**/*.ts'],
    ['fastify', 'fastify-*', '@fastify/*', '**/services/**', '**/routes/**', '**/plugins/**', '**/schemas/**', '**/engine/**'],
    'The data layer maps rows to domain types; it never calls services or the engine.',
  ),
  restrict(
    ['src/schemas/**/*.ts'],
    ['**/db/**', '**/services/**', '**/engine/**', '**/plugins/**', '**/routes/**'],
    'Schemas are zod shapes built on domain types only.',
  ),
  restrict(
    ['src/web/**/*.ts'],
    ['node:*', 'fastify', 'fastify-*', '@fastify/*', '@prisma/*', 'pg', 'pino', '**/db/**', '**/services/**', '**/routes/**', '**/plugins/**', '**/schemas/**', '**/engine/**', '**/domain/**', '**/config.ts'],
    'src/web is the persona board, bundled for browsers: it talks to the service through the /v1 API only.',
  ),
  {
    files: ['src/**/*.ts'],
    ignores: ['src/config.ts'],
    rules: {
      'no-restricted-properties': ['error', { object: 'process', property: 'env', message: 'Read configuration through src/config.ts (loadConfig) only.' }],
    },
  },
);
