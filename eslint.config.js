// One lint configuration for the whole tree: typescript-eslint's recommended and strict
// type-checked rules, minus the few that fight the hot path; Prettier owns formatting.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import prettier from 'eslint-config-prettier';
import globals from 'globals';

export default tseslint.config(
  { ignores: ['dist/**', 'libs/*/dist/**', 'node_modules/**', 'data/**', 'coverage/**', 'libs/commands/src/reference/redis-commands.ts'] },
  js.configs.recommended,
  ...tseslint.configs.strictTypeChecked,
  {
    languageOptions: {
      parserOptions: {
        projectService: { allowDefaultProject: ['*.js', 'bin/*.js', 'scripts/*.js', 'test/bench/*.js', 'test/support/*.js'] },
        tsconfigRootDir: import.meta.dirname,
      },
      globals: { ...globals.node },
    },
  },
  {
    rules: {
      // `return c.w.error(...)` ends a handler with its reply, as Redis's `return addReplyError(...)`.
      '@typescript-eslint/no-confusing-void-expression': ['error', { ignoreVoidReturningFunctions: true, ignoreArrowShorthand: true }],
      // Replies and messages are built from numbers and strings on the hot path: ':' + n + '\r\n'.
      '@typescript-eslint/restrict-template-expressions': [
        'error',
        { allowNumber: true, allowBoolean: true, allow: [{ from: 'lib', name: 'bigint' }] },
      ],
      '@typescript-eslint/restrict-plus-operands': ['error', { allowNumberAndString: true, allowAny: false }],
      // A lookup already checked (has, size, a parsed count) is asserted rather than looked up twice.
      '@typescript-eslint/no-non-null-assertion': 'off',
      // Nest declares option bags (NestApplicationContextOptions...) as classes; literals are how they are passed.
      '@typescript-eslint/no-unsafe-class-instance-assignment': 'off',
    },
  },
  // Nest modules and the like are classes that exist for their decorators.
  { rules: { '@typescript-eslint/no-extraneous-class': ['error', { allowWithDecorator: true }] } },
  {
    // Fixtures set in beforeAll are typed as always set, yet afterAll must cope with a beforeAll
    // that failed (`brook?.stop()`); suites hand out functions that do not use `this`.
    files: ['test/**/*.ts', '**/*.spec.ts'],
    rules: { '@typescript-eslint/no-unnecessary-condition': 'off', '@typescript-eslint/unbound-method': 'off' },
  },
  { files: ['**/*.js', '**/*.mjs'], ...tseslint.configs.disableTypeChecked },
  prettier,
);
