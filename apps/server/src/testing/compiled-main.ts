import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The server compiled to JavaScript for the tests that run `shoal` as a process of its own
 * (vitest's global setup builds it once per run). Started this way a process is up in a
 * fraction of the time a TypeScript loader takes on a loaded machine, and it is the bundle
 * production runs.
 */
export const SERVER_MAIN = path.join(
  path.dirname(fileURLToPath(import.meta.url)),
  '..',
  '..',
  'test-build',
  'main.js',
);
