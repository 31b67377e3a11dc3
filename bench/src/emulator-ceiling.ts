// The emulated cluster alone: how fast a framework with no database and no
// HTTP front door gets tasks to RUNNING. The ceiling Shoal's benchmarks are
// measured against, on its own.
//
//   npm run -s emulator-ceiling -w @shoal/bench -- [--agents 1000] [--roles 100] [--tasks 30000] [--concurrency 300]
import { parseArgs } from 'node:util';
import { measureCeiling } from './ceiling';
import { startSim } from './support';

const { values } = parseArgs({
  options: {
    agents: { type: 'string', default: '1000' },
    roles: { type: 'string', default: '100' },
    tasks: { type: 'string', default: '30000' },
    concurrency: { type: 'string', default: '300' },
    // An emulator already running (e.g. under a profiler) instead of one started here.
    masters: { type: 'string' },
  },
});

const sim = values.masters
  ? { masters: values.masters.split(','), stop: () => undefined }
  : await startSim(['--agents', values.agents, '--agent-cpus', '64', '--agent-mem', '262144']);
try {
  const result = await measureCeiling({
    masters: sim.masters,
    roles: Array.from({ length: Number(values.roles) }, (_, i) => `ceiling-${i}`),
    tasks: Number(values.tasks),
    concurrency: Number(values.concurrency),
    cpus: 0.1,
    memMb: 32,
    image: 'nginx',
  });
  console.log(JSON.stringify({ benchmark: 'emulator-ceiling', ...values, ...result }, null, 2));
} finally {
  sim.stop();
}
