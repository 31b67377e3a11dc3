#!/usr/bin/env node
// `npm start`: installs what is missing, builds the dashboard and the server, then runs
// `shoal dev` — the control plane and the dashboard together, on embedded defaults unless
// DATABASE_URL / MESOS_MASTER say otherwise — from the server's compiled bundle, the one
// production runs (under tsx, which names every closure as it is made, Shoal spends about
// a tenth more CPU; `npm run dev -w @shoal/server` still runs the TypeScript as it is).
import {
  baseEnv,
  continueUnderTestedNode,
  ensureDependencies,
  run,
  startChild,
  step,
  stopChild,
} from './lib.mjs';

await continueUnderTestedNode();
ensureDependencies();
step('Building the dashboard and the server');
run('npx', [
  'turbo',
  'run',
  'build',
  '--filter=@shoal/web',
  '--filter=@shoal/server',
  '--output-logs=errors-only',
]);
step('Starting Shoal');
const shoal = startChild(process.execPath, ['apps/server/dist/main.js', 'dev'], { env: baseEnv });
// npm passes a SIGTERM only to the shell it runs this script with; the script is exec'd
// there (package.json) so the signal lands here, and stops the server's process group.
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => stopChild(shoal));
shoal.on('exit', (code) => process.exit(code ?? 0));
