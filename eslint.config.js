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
    // Configuration, test plumbing and scripts are where the environment is read.
    files: ['packages/config/**', 'packages/testing/**', 'scripts/**', 'bench/**', '**/*.test.ts', '**/test/**', 'vitest.config.ts'],
    rules: { 'no-restricted-syntax': 'off', 'no-restricted-imports': 'off' },
  },
);
