// Lint rules from docs/aesthetics §11: floating promises, exhaustive switches, and a domain that imports no IO.
import js from '@eslint/js';
import reactHooks from 'eslint-plugin-react-hooks';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: [
      'node_modules/',
      'data/',
      'dist/',
      'dist-web/',
      '.artifacts/',
      '.tmp/',
      'eslint.config.js',
      'bin/',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    // Type-aware for the web UI's .tsx too (issue 24 §2): each file is checked against its nearest
    // tsconfig (web/tsconfig.json for web/).
    files: ['**/*.{ts,tsx}'],
    languageOptions: { parserOptions: { projectService: true } },
    rules: {
      // node:test's describe/it return promises that the runner itself awaits.
      '@typescript-eslint/no-floating-promises': [
        'error',
        {
          allowForKnownSafeCalls: [
            {
              from: 'package',
              package: 'node:test',
              name: ['describe', 'it', 'test', 'suite', 'before', 'after'],
            },
          ],
        },
      ],
      '@typescript-eslint/switch-exhaustiveness-check': [
        'error',
        { considerDefaultExhaustiveForUnions: true },
      ],
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
    },
  },
  {
    // The rules of hooks and exhaustive effect dependencies (issue 24 §2).
    files: ['web/**/*.{ts,tsx}'],
    ...reactHooks.configs.flat.recommended,
    rules: {
      ...reactHooks.configs.flat.recommended.rules,
      // A missed dependency is a stale screen: an error, so that `npx eslint .` stays clean.
      'react-hooks/exhaustive-deps': 'error',
    },
  },
  {
    files: ['src/domain/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: [
                'fastify*',
                '@fastify/*',
                'kysely',
                'pg',
                '@electric-sql/*',
                'nodemailer',
                'croner',
                'pino',
                'node:fs*',
                'node:net',
                'node:http*',
                'node:child_process',
                '../store/*',
                '../http/*',
                '../../store/*',
                '../../http/*',
              ],
              message: 'src/domain is pure: no IO imports (house rule 1).',
            },
          ],
        },
      ],
      'no-restricted-properties': [
        'error',
        { object: 'Date', property: 'now', message: 'Time comes in through the Clock port.' },
      ],
      'no-restricted-globals': [
        'error',
        { name: 'process', message: 'The domain reads no environment.' },
      ],
    },
  },
);
