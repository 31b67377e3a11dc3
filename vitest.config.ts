import { defineConfig } from 'vitest/config';

// One runner for every workspace: unit tests sit next to the code as *.test.ts,
// tests that need PostgreSQL or the simulator are *.integration.test.ts.
export default defineConfig({
  test: {
    include: [
      '{apps,packages,bench}/*/src/**/*.test.ts',
      '{apps,packages,bench}/*/scripts/**/*.test.ts',
      'apps/web/lib/**/*.test.ts',
      'scripts/*.test.ts',
    ],
    testTimeout: 20_000,
    hookTimeout: 60_000,
    pool: 'forks',
    reporters: ['default'],
  },
});
