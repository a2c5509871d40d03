// Lint for the whole tree: typescript-eslint's type-aware rules on every TypeScript project, plain
// JavaScript rules on the build and test scripts. Formatting is Prettier's job (npm run format).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules/', 'dist/', 'release/', 'test-artifacts/', 'bench-results/', '**/*.d.ts', '**/*.d.mts'] },
  // A disable comment that no longer suppresses anything is an error, so stale ones cannot pile up.
  { linterOptions: { reportUnusedDisableDirectives: 'error' } },
  js.configs.recommended,
  {
    files: ['**/*.ts', '**/*.cts', '**/*.mts'],
    extends: [...tseslint.configs.recommendedTypeChecked],
    languageOptions: {
      parserOptions: {
        project: [
          './tsconfig.test.json',
          './renderer/client/tsconfig.json',
          './renderer/web-client/tsconfig.json',
          './renderer/dashboard/tsconfig.json',
          './tsconfig.tools.json',
        ],
        tsconfigRootDir: import.meta.dirname,
      },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['**/*.js', '**/*.mjs', '**/*.cjs'],
    languageOptions: {
      globals: {
        process: 'readonly',
        console: 'readonly',
        Buffer: 'readonly',
        URL: 'readonly',
        setTimeout: 'readonly',
        clearTimeout: 'readonly',
        require: 'readonly',
        module: 'writable',
        __dirname: 'readonly',
      },
    },
  },
  {
    // The web client's service worker runs in a ServiceWorkerGlobalScope.
    files: ['renderer/web-client/public/sw.js'],
    languageOptions: { globals: { self: 'readonly', URL: 'readonly' } },
  },
);
