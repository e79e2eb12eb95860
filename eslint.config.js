// @ts-check
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: [
      'dist/**',
      'node_modules/**',
      'data/**',
      'web/dist/**',
      'bin/**',
      '.vitest-tmp/**',
      '**/*.mjs',
    ],
  },
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
      // Fastify plugins are async by contract even when they register routes synchronously.
      '@typescript-eslint/require-await': 'off',
      '@typescript-eslint/consistent-type-imports': 'error',
    },
  },
  {
    files: ['eslint.config.js'],
    ...tseslint.configs.disableTypeChecked,
  },
  {
    // The domain core stays pure: it never reaches into the outer layers or into I/O.
    files: ['src/core/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: [
                '**/app/**',
                '**/storage/**',
                '**/exchange/**',
                '!./**',
                '!../exchange/*.js',
                '**/http/**',
                '**/cli/**',
                '**/web/**',
              ],
              message:
                'src/core must not import from outer layers (web → http/cli → app → core ← storage/exchange).',
            },
            {
              group: [
                'node:fs',
                'node:fs/*',
                'fs',
                'node:net',
                'node:http',
                'node:child_process',
                'fastify',
                'kysely',
                'better-sqlite3',
                'pg',
              ],
              message: 'src/core is pure: no I/O libraries.',
            },
          ],
        },
      ],
      'no-restricted-globals': [
        'error',
        { name: 'process', message: 'src/core never reads process.' },
      ],
    },
  },
  {
    files: ['src/app/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: [
                '**/http/**',
                '**/cli/**',
                '**/web/**',
                'fastify',
                '**/storage/**',
                '**/exchange/**',
                // core/exchange is the exchange's domain model, not the adapter in src/exchange.
                '!**/core/exchange/**',
              ],
              message:
                'src/app holds use cases; it speaks to storage and exchange through ports, never to HTTP or CLI.',
            },
          ],
        },
      ],
    },
  },
);
