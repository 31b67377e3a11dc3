import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { SERVER_MAIN } from './compiled-main';

/** vitest's global setup: compiles the server once for every test that spawns it. */
export default async function buildForTests(): Promise<void> {
  const script = path.join(path.dirname(path.dirname(SERVER_MAIN)), 'scripts', 'build.mjs');
  await promisify(execFile)(process.execPath, [script, '--outfile', SERVER_MAIN]);
}
