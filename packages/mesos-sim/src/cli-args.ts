import { parseArgs } from 'node:util';
import type { AgentSpec, SimOptions } from './options';

export const USAGE = `Usage: shoal-mesos-sim [options]

Runs an emulated Mesos cluster (v1 scheduler and operator APIs) until interrupted.

  --agents N               agents to start (default 3)
  --masters N              master servers sharing one state; master 0 leads (default 1)
  --host HOST              address to listen on (default 127.0.0.1)
  --port P                 first master port, the others follow (default 5050; 0 = any free port)
  --gateway-port P         agent gateway port (default: right after the masters; 0 = any)
  --agent-cpus N           cpus per agent (default 4)
  --agent-mem MB           memory per agent (default 8192)
  --agent-disk MB          disk per agent (default 65536)
  --agent-gpus N           gpus per agent (default 0)
  --heartbeat S            heartbeat interval in seconds (default 15)
  --allocation-interval MS allocation round period (default 1000)
  --offer-timeout S        rescind offers held longer than this (default: never)
  --status-retry MS        first retry of unacknowledged status updates (default 10000)
  --seed N                 seed for ids and uuids (default 1)
  --principal P --secret S require these HTTP basic credentials on the masters' APIs and agents
  --quiet                  do not log cluster events
  --help                   show this text`;

function number(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const parsed = Number(value);
  if (value.trim() === '' || !Number.isFinite(parsed) || parsed < 0)
    throw new Error(`--${name} expects a non-negative number, got '${value}'`);
  return parsed;
}

export interface CliConfig {
  help: boolean;
  quiet: boolean;
  options: SimOptions;
}

export function parseCliArgs(argv: string[]): CliConfig {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      agents: { type: 'string' },
      masters: { type: 'string' },
      host: { type: 'string' },
      port: { type: 'string' },
      'gateway-port': { type: 'string' },
      'agent-cpus': { type: 'string' },
      'agent-mem': { type: 'string' },
      'agent-disk': { type: 'string' },
      'agent-gpus': { type: 'string' },
      heartbeat: { type: 'string' },
      'allocation-interval': { type: 'string' },
      'offer-timeout': { type: 'string' },
      'status-retry': { type: 'string' },
      seed: { type: 'string' },
      principal: { type: 'string' },
      secret: { type: 'string' },
      quiet: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  });
  const masters = number('masters', values.masters) ?? 1;
  const port = number('port', values.port) ?? 5050;
  const agent: AgentSpec = {};
  for (const [flag, key] of [
    ['agent-cpus', 'cpus'],
    ['agent-mem', 'mem'],
    ['agent-disk', 'disk'],
    ['agent-gpus', 'gpus'],
  ] as const) {
    const value = number(flag, values[flag]);
    if (value !== undefined) agent[key] = value;
  }
  const options: SimOptions = {
    masters,
    agents: Array.from({ length: number('agents', values.agents) ?? 3 }, () => ({ ...agent })),
    host: values.host ?? '127.0.0.1',
    port,
    // Right after the masters, so that one master on 5050 gives agents the usual 5051.
    agentGatewayPort:
      number('gateway-port', values['gateway-port']) ?? (port === 0 ? 0 : port + masters),
  };
  const optional: [keyof SimOptions, number | undefined][] = [
    ['heartbeatIntervalSeconds', number('heartbeat', values.heartbeat)],
    ['allocationIntervalMs', number('allocation-interval', values['allocation-interval'])],
    ['offerTimeoutSeconds', number('offer-timeout', values['offer-timeout'])],
    ['statusUpdateRetryMs', number('status-retry', values['status-retry'])],
    ['seed', number('seed', values.seed)],
  ];
  for (const [key, value] of optional)
    if (value !== undefined) Object.assign(options, { [key]: value });
  if ((values.principal === undefined) !== (values.secret === undefined))
    throw new Error('--principal and --secret go together');
  if (values.principal !== undefined && values.secret !== undefined)
    options.credentials = { principal: values.principal, secret: values.secret };
  return { help: values.help ?? false, quiet: values.quiet ?? false, options };
}
