#!/usr/bin/env node
// `npm start`: installs what is missing, builds the dashboard, then runs
// `shoal dev` — the control plane and the dashboard together, on embedded
// defaults unless DATABASE_URL / MESOS_MASTER say otherwise.
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
step('Building the dashboard');
run('npx', ['turbo', 'run', 'build', '--filter=@shoal/web', '--output-logs=errors-only']);
step('Starting Shoal');
const shoal = startChild('npx', ['tsx', 'apps/server/src/main.ts', 'dev'], { env: baseEnv });
// npm passes a SIGTERM only to the shell it runs this script with; the script is exec'd
// there (package.json) so the signal lands here, and stops the server's process group.
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => stopChild(shoal));
shoal.on('exit', (code) => process.exit(code ?? 0));
