import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['**/node_modules/**', '**/dist/**', 'packages/db/src/generated/**', '**/.turbo/**', 'infra/**', '.warden/**'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      '@typescript-eslint/no-explicit-any': 'off',
      'no-restricted-syntax': [
        'error',
        { selector: "MemberExpression[object.name='process'][property.name='env']", message: 'read configuration through @warden/config' },
      ],
      'no-restricted-imports': ['error', { patterns: [{ group: ['**/services/*/src/**', '@warden/api', '@warden/gateway', '@warden/stream', '@warden/worker'], message: 'services do not import each other' }] }],
    },
  },
  {
    // Simulated devices speak only the public device protocols: contracts, never core or the database.
    files: ['services/simulator/src/**'],
    ignores: ['**/*.test.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['**/services/*/src/**', '@warden/api', '@warden/gateway', '@warden/stream', '@warden/worker'], message: 'services do not import each other' },
            { group: ['@warden/core', '@warden/core/*', '@warden/db', '@warden/db/*', '@prisma/*'], message: 'the simulator speaks only the device protocols (@warden/contracts)' },
          ],
        },
      ],
    },
  },
  {
    // Configuration, test plumbing and scripts are where the environment is read; the CLI (a
    // client, not a service) reads its WARDEN_URL and WARDEN_API_KEY at its entry point.
    files: ['packages/config/**', 'packages/testing/**', 'scripts/**', 'bench/**', '**/*.test.ts', '**/test/**', 'vitest.config.ts', 'packages/cli/src/main.ts'],
    rules: { 'no-restricted-syntax': 'off', 'no-restricted-imports': 'off' },
  },
);
