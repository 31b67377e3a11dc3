#!/usr/bin/env node
// Keeps every core busy, to check that the suite passes on a loaded machine:
//   node scripts/cpu-hog.mjs run [--cores N] -- npm test   hog while a command runs
//   node scripts/cpu-hog.mjs start [--cores N]             hog until `stop`
//   node scripts/cpu-hog.mjs stop
// Each hog is a process spinning at normal priority, one per core by default.
import { spawn, spawnSync } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { root } from './lib.mjs';

const PID_FILE = path.join(root, '.cpu-hog.pids');
const SPIN = 'for(;;){}';

const [command, ...rest] = process.argv.slice(2);
const dashes = rest.indexOf('--');
const options = dashes === -1 ? rest : rest.slice(0, dashes);
const coresAt = options.indexOf('--cores');
const cores = coresAt === -1 ? availableParallelism() : Number(options[coresAt + 1]);
if (!Number.isInteger(cores) || cores < 1) fail('--cores takes a whole number of at least 1');

function startHogs(detached) {
  return Array.from({ length: cores }, () => {
    const hog = spawn(process.execPath, ['-e', SPIN], { stdio: 'ignore', detached });
    if (detached) hog.unref();
    return hog;
  });
}

function stopHogs() {
  if (!existsSync(PID_FILE)) return 0;
  const pids = readFileSync(PID_FILE, 'utf8').split(/\s+/).filter(Boolean).map(Number);
  for (const pid of pids) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // Gone already.
    }
  }
  rmSync(PID_FILE, { force: true });
  return pids.length;
}

function fail(message) {
  console.error(`cpu-hog: ${message}`);
  process.exit(2);
}

if (command === 'start') {
  stopHogs();
  const hogs = startHogs(true);
  writeFileSync(PID_FILE, hogs.map((h) => h.pid).join('\n'));
  console.log(`cpu-hog: ${cores} busy loop(s) running; stop with node scripts/cpu-hog.mjs stop`);
} else if (command === 'stop') {
  console.log(`cpu-hog: stopped ${stopHogs()} busy loop(s)`);
} else if (command === 'run' && dashes !== -1 && rest.length > dashes + 1) {
  const [program, ...args] = rest.slice(dashes + 1);
  const hogs = startHogs(false);
  const began = Date.now();
  const result = spawnSync(program, args, { stdio: 'inherit', cwd: root });
  for (const hog of hogs) hog.kill('SIGKILL');
  const minutes = ((Date.now() - began) / 60_000).toFixed(1);
  console.log(
    `cpu-hog: '${[program, ...args].join(' ')}' took ${minutes} min beside ${cores} busy loop(s), exit ${result.status ?? result.signal}`,
  );
  process.exit(result.status ?? 1);
} else {
  fail('usage: cpu-hog.mjs run [--cores N] -- <command…> | start [--cores N] | stop');
}
