#!/usr/bin/env -S npx tsx
import { parseCliArgs, USAGE } from './cli-args';
import { startSimCluster } from './cluster';

const log = (line: string) => process.stdout.write(`${new Date().toISOString()} ${line}\n`);

async function main(): Promise<void> {
  let config;
  try {
    config = parseCliArgs(process.argv.slice(2));
  } catch (error) {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n\n${USAGE}\n`);
    process.exit(2);
  }
  if (config.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const sim = await startSimCluster({ ...config.options, ...(config.quiet ? {} : { log }) });
  const lines = [
    'Mesos emulator running.',
    ...sim.masterUrls.map((url, i) => `  master ${i}${i === 0 ? ' (leader)' : ''}: ${url}`),
    `  agent gateway: ${sim.agentGatewayUrl} (${sim.state.agents().length} agents)`,
    `  fault API: POST ${sim.masterUrls[0]}/sim/v1/...`,
    `MESOS_MASTER=${sim.masterUrls.join(',')}`,
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
  const stop = () => {
    void sim.close().then(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

void main();
