import nextPlugin from '@next/eslint-plugin-next';

/** Next.js's own rules (links, images, scripts, fonts) and its Core Web Vitals set. */
export const nextjs = [
  {
    files: ['**/*.ts', '**/*.tsx'],
    plugins: { '@next/next': nextPlugin },
    rules: {
      ...nextPlugin.configs.recommended.rules,
      ...nextPlugin.configs['core-web-vitals'].rules,
    },
  },
];
