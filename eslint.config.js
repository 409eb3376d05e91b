// Lint configuration: typescript-eslint's type-aware recommended rules over src/ and test/.
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: [
      'dist/',
      'out/',
      'node_modules/',
      'coverage/',
      'scratch/',
      '.scratch/',
      'bin/',
      'scripts/',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['web/static/**/*.js'],
    languageOptions: { globals: globals.browser },
  },
  {
    files: ['bench/**/*.mjs', 'scripts/**/*.js', 'test/fixtures/**/*.mjs'],
    languageOptions: { globals: globals.node },
  },
  {
    files: ['**/*.ts'],
    rules: {
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', ignoreRestSiblings: true },
      ],
      'no-console': 'off',
    },
  },
);
