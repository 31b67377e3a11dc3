import reactHooks from 'eslint-plugin-react-hooks';

/** The rules of hooks for React components. */
export const react = [
  {
    files: ['**/*.tsx', '**/*.ts'],
    plugins: { 'react-hooks': reactHooks },
    rules: {
      ...reactHooks.configs.recommended.rules,
      // Advice for the React Compiler, which the dashboard does not use.
      'react-hooks/incompatible-library': 'off',
    },
  },
];
