// Lint for the whole tree: typescript-eslint's type-aware rules on every TypeScript project, plain
// JavaScript rules on the build and test scripts. Formatting is Prettier's job (npm run format).
import js from '@eslint/js';
import { createNodeResolver, importX } from 'eslint-plugin-import-x';
import tseslint from 'typescript-eslint';

// The layers of main/ (docs/architecture.md). Each may import only the ones below it; type imports count.
const cliEntry = ['./main/cli', './main/cli.ts', './main/ca-command.ts', './main/discover-command.ts'];
// Import-free modules the dashboard bundle and the IPC contract may share (types and rules, no Node).
const shared = [
  'server/report-types.ts',
  'server/logger.ts',
  'server/units.ts',
  'server/option-limits.ts',
  'server/origin-pattern.ts',
  'server/pem.ts',
  'server/push/subject.ts',
  'settings/values.ts',
  'certs/details.ts',
  'certs/limits.ts',
];
const onlyShared = (what) => ({
  from: './main',
  except: shared.map((f) => `./${f}`),
  message: `${what} may import from main/ only the import-free shared modules (listed in eslint.config.mjs).`,
});
const layerZones = [
  {
    target: './main/server',
    from: ['./main/certs', './main/settings', './main/ipc', './main/app', ...cliEntry],
    message: 'main/server/ is the bottom layer: it imports no other folder of main/.',
  },
  {
    target: './main/certs',
    from: ['./main/settings', './main/ipc', './main/app', ...cliEntry],
    message: 'main/certs/ imports only main/server/.',
  },
  {
    target: './main/settings',
    from: ['./main/certs', './main/ipc', './main/app', ...cliEntry],
    message: 'main/settings/ imports only main/server/.',
  },
  {
    target: './main/ipc',
    from: ['./main/app', ...cliEntry],
    message:
      'main/ipc/ imports server, certs and settings, never the app (declare what it needs in ipc/, as ipc/host.ts does).',
  },
  {
    target: cliEntry,
    from: ['./main/settings', './main/ipc', './main/app'],
    message: 'The CLI hosts the server without the app: it imports server and certs only.',
  },
  { target: './main/app', from: cliEntry, message: 'The app does not import the CLI.' },
  { target: './main/ipc/contract.ts', ...onlyShared('The IPC contract (the renderer imports it)') },
  { target: shared.map((f) => `./main/${f}`), ...onlyShared('A shared module') },
  {
    target: './renderer',
    ...onlyShared('The renderer'),
    except: ['./ipc/contract.ts', ...shared.map((f) => `./${f}`)],
    message: 'The renderer reaches main/ only through the IPC contract (main/ipc/contract.ts) and the shared modules.',
  },
];
const noElectron = {
  paths: [{ name: 'electron', message: 'Only main/app/ imports electron.' }],
  patterns: [{ group: ['electron/*', 'electron-*'], message: 'Only main/app/ imports electron and its helpers.' }],
};

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
    // No import circles. Sources import `./x.js` for `./x.ts` (NodeNext), hence the extension alias.
    files: ['**/*.ts', '**/*.cts', '**/*.mts'],
    plugins: { 'import-x': importX },
    settings: {
      'import-x/extensions': ['.ts', '.cts', '.mts', '.js', '.cjs', '.mjs'],
      'import-x/parsers': { '@typescript-eslint/parser': ['.ts', '.cts', '.mts'] },
      'import-x/resolver-next': [
        createNodeResolver({
          extensions: ['.ts', '.cts', '.mts', '.js', '.cjs', '.mjs', '.json', '.node'],
          extensionAlias: { '.js': ['.ts', '.js'], '.cjs': ['.cts', '.cjs'], '.mjs': ['.mts', '.mjs'] },
        }),
      ],
    },
    rules: {
      'import-x/no-cycle': 'error',
      'import-x/no-restricted-paths': ['error', { zones: layerZones, basePath: import.meta.dirname }],
    },
  },
  {
    files: ['main/**/*.ts', 'main/**/*.cts', 'renderer/**/*.ts'],
    ignores: ['main/app/**'],
    rules: { 'no-restricted-imports': ['error', noElectron] },
  },
  {
    // Shared with the dashboard bundle and the IPC contract: no packages, no Node (relative imports only).
    files: shared.map((f) => `main/${f}`),
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [{ regex: '^[^.]', message: 'A shared module imports no package: the dashboard bundles it.' }] },
      ],
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
