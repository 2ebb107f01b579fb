// ESLint for the whole repository: typescript-eslint's type-checked rules on every file, each file
// judged with the tsconfig that type-checks it (server, client, tests, and the JavaScript files).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'out/**', 'node_modules/**', 'test-results/**', '.vscode-test/**', '**/*.d.ts'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: {
        project: ['./server/tsconfig.json', './client/tsconfig.json', './tsconfig.json', './tsconfig.js.json'],
        tsconfigRootDir: import.meta.dirname,
      },
    },
    rules: {
      // node:test's test() and describe() return promises the runner itself awaits.
      '@typescript-eslint/no-floating-promises': [
        'error',
        {
          allowForKnownSafeCalls: [
            {
              from: 'package',
              package: 'node:test',
              name: ['test', 'describe', 'it', 'suite', 'before', 'after', 'beforeEach', 'afterEach'],
            },
          ],
        },
      ],
      '@typescript-eslint/no-misused-promises': 'error',
      // `_name` marks what is left out on purpose (a rest sibling, an unused callback parameter).
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', ignoreRestSiblings: true }],
    },
  },
  {
    // The parser and the reference parser compare character codes (numbers from charCodeAt) with the
    // members of a const enum of character codes, by design: the enum is there to name the numbers.
    files: ['server/src/engine/syntax/parser.ts', 'test/support/reference-parser.ts'],
    rules: { '@typescript-eslint/no-unsafe-enum-comparison': 'off' },
  },
  {
    // Tests read the JSON our commands print (SARIF, --json reports, manifests) and assert on it field by
    // field: that runtime assertion is the check, so `any` flowing out of JSON.parse there is not a finding.
    // The shipped code, scripts and the bench keep these rules.
    files: ['test/**/*.ts'],
    rules: {
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
    },
  },
  {
    // JavaScript files are type-checked by tsconfig.js.json without annotations on every parameter,
    // so their values are often `any`: the rules about flowing `any` would only restate that.
    // TypeScript itself reports undefined names (no-undef does not know the browser side of page.evaluate).
    files: ['**/*.mjs', '**/*.cjs', '**/*.js'],
    rules: {
      'no-undef': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/no-require-imports': 'off',
    },
  },
);
