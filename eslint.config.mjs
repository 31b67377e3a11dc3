import { base, ignores, typeAware } from '@shoal/eslint-config/base';
import { nextjs } from '@shoal/eslint-config/nextjs';
import { react } from '@shoal/eslint-config/react';

// The workspace's lint: shared rules from tooling/eslint, and where each set applies.
export default [
  ignores,
  ...base,
  ...typeAware,
  ...react.map((config) => ({ ...config, files: ['apps/web/**/*.{ts,tsx}'] })),
  ...nextjs.map((config) => ({
    ...config,
    files: ['apps/web/**/*.{ts,tsx}'],
    settings: { next: { rootDir: 'apps/web/' } },
  })),
  {
    // Configuration is read and validated in one place: @shoal/config.
    rules: {
      'no-restricted-properties': [
        'error',
        {
          object: 'process',
          property: 'env',
          message: 'Read configuration through @shoal/config (loadEnv).',
        },
      ],
    },
  },
  {
    // Entry scripts that run before dependencies exist, and tool configs.
    files: [
      'packages/config/src/env.ts',
      'scripts/**',
      '**/scripts/**/*.mjs',
      'e2e/**',
      'bench/**/*.mjs',
    ],
    rules: { 'no-restricted-properties': 'off' },
  },
];
