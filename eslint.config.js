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
          // Parameters of decorated methods and constructors (decorated or not, parameter properties too), decorated
          // properties and decorated methods' return types: each is emitted as design:* metadata.
          selector: [
            ':matches(MethodDefinition[decorators.length>0], ClassDeclaration[decorators.length>0] MethodDefinition[kind=constructor]) > FunctionExpression > :matches(Identifier, ObjectPattern, AssignmentPattern, TSParameterProperty, TSTypeAnnotation)',
            ':matches(Identifier, TSParameterProperty, PropertyDefinition)[decorators.length>0]',
          ]
            .map(
              (typed) => `${typed} TSTypeReference > Identifier.typeName[name=/^(Request|Response|Headers|FormData)$/]`,
            )
            .join(', '),
          message:
            "Decorator metadata names a type by the value of that name: here the global Fetch class, which loads undici at start-up (~25 ms). Write express.Request (import type * as express from 'express').",
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
