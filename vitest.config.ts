import os from 'node:os';
import { defineConfig } from 'vitest/config';

// One runner for every workspace: unit tests sit next to the code as *.test.ts,
// tests that need PostgreSQL or the simulator are *.integration.test.ts.
export default defineConfig({
  test: {
    include: [
      '{apps,packages,bench}/*/src/**/*.test.ts',
      '{apps,packages,bench}/*/scripts/**/*.test.ts',
      'apps/web/{lib,components}/**/*.test.ts',
      'scripts/*.test.ts',
    ],
    // Generous bounds on tests that wait for conditions, never their expected time: a
    // loaded machine may take many times longer than an idle one.
    testTimeout: 120_000,
    hookTimeout: 180_000,
    pool: 'forks',
    // A worker keeps the modules it loaded for its next file: each file importing the
    // server's packages afresh cost 80 s of the lane's 270 s on an idle 2-core machine
    // (vitest alone: 273 s and 365 CPU s isolated, 202 s and 215 CPU s not). Test files
    // share no state through modules: none mocks one, sets process.env, or leaves fake
    // timers behind (each restores real ones after its tests).
    isolate: false,
    // Two files at once even on two cores (vitest's default would be one there): the tests
    // wait on servers, timers and the database as much as they compute. On an idle 2-core
    // machine, `npm test` took 10 min 1 s with one and 8 min 23 s with two.
    maxWorkers: Math.max(2, os.availableParallelism() - 1),
    // The server as one JavaScript file, for the tests that start `shoal` as a process.
    globalSetup: ['apps/server/src/testing/build-for-tests.ts'],
    reporters: ['default'],
  },
});
