import js from '@eslint/js';
import globals from 'globals';
import prettier from 'eslint-config-prettier';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/', 'coverage/', 'node_modules/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  prettier,
  {
    rules: {
      'no-console': 'error',
      '@typescript-eslint/no-explicit-any': 'off',
      // Express tells error handlers apart by their four parameters.
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      'no-restricted-syntax': [
        'error',
        {
          selector:
            'Identifier[decorators.length>0] > TSTypeAnnotation > TSTypeReference > Identifier.typeName[name=/^(Request|Response|Headers|FormData|Blob|File)$/]',
          message:
            "A decorated parameter's type is emitted as a reference to the global of that name, and a Fetch class's loads undici at start-up (~25 ms): write express.Request (import type * as express from 'express').",
        },
      ],
      'no-restricted-imports': [
        'error',
        {
          paths: [
            {
              name: 'class-validator',
              importNames: ['IsPhoneNumber', 'isPhoneNumber'],
              message: 'The bundle leaves out libphonenumber-js, which it needs (scripts/bundle.mjs).',
            },
          ],
        },
      ],
    },
  },
  // The built-in learning apps are plain browser modules.
  { files: ['apps/**/*.js'], languageOptions: { globals: globals.browser } },
  // Jest's global setup is a plain Node module.
  { files: ['test/**/*.mjs'], languageOptions: { globals: globals.node } },
);
