import {
  CONTENT_TYPES,
  decodeMessage,
  type FrameworkInfo,
  type master,
  type Resource,
  type scheduler,
  type TaskInfo,
  type WireFormat,
} from '@shoal/mesos';
import type { WireCall } from './recording-proxy';

// What a real Mesos master requires of each call, as the Mesos docs and protos state it
// (shared/reference/mesos-facts.md): checked on calls recorded off the wire.

export interface DecodedCalls {
  scheduler: { wire: WireCall; call: scheduler.Call }[];
  operator: { wire: WireCall; call: master.Call }[];
}

const header = (wire: WireCall, name: string): string | undefined => {
  const value = wire.headers[name];
  return Array.isArray(value) ? value[0] : value;
};

/** Transport rules every call follows, then the decoded calls of both APIs. */
export function decodeWire(
  calls: readonly WireCall[],
  format: WireFormat,
  problems: string[],
): DecodedCalls {
  const decoded: DecodedCalls = { scheduler: [], operator: [] };
  for (const wire of calls) {
    const where = `${wire.method} ${wire.path}`;
    if (wire.method !== 'POST') problems.push(`${where}: not a POST`);
    // The master compares Content-Type whole: anything else is 415.
    if (header(wire, 'content-type') !== CONTENT_TYPES[format])
      problems.push(`${where}: Content-Type is ${header(wire, 'content-type')}`);
    const accept = header(wire, 'accept');
    if (accept !== undefined && !accept.includes(CONTENT_TYPES[format]) && !accept.includes('*/*'))
      problems.push(`${where}: Accept ${accept} allows neither JSON nor protobuf`);
    try {
      if (wire.path === '/api/v1/scheduler')
        decoded.scheduler.push({
          wire,
          call: decodeMessage('mesos.v1.scheduler.Call', wire.body, format),
        });
      else if (wire.path === '/api/v1')
        decoded.operator.push({
          wire,
          call: decodeMessage('mesos.v1.master.Call', wire.body, format),
        });
      else problems.push(`${where}: not an endpoint of the v1 API`);
    } catch (error) {
      problems.push(`${where}: body does not decode: ${(error as Error).message}`);
    }
  }
  return decoded;
}

function portsOf(resources: readonly Resource[]): [bigint, bigint][] {
  return resources
    .filter((r) => r.name === 'ports')
    .flatMap((r) => (r.ranges?.range ?? []).map((x): [bigint, bigint] => [x.begin, x.end]));
}

function checkTask(task: TaskInfo, role: string | undefined, problems: string[]): void {
  const where = `ACCEPT task ${task.task_id?.value ?? '(no id)'}`;
  if (!task.name || !task.task_id?.value || !task.agent_id?.value)
    problems.push(`${where}: name, task_id and agent_id are required`);
  if ((task.resources ?? []).length === 0) problems.push(`${where}: no resources`);
  for (const r of task.resources ?? []) {
    // A MULTI_ROLE framework's resources each carry the offer's allocation role.
    if (r.allocation_info?.role !== role)
      problems.push(
        `${where}: resource ${r.name} has allocation_info ${r.allocation_info?.role} for role ${role}`,
      );
  }
  if ((task.command === undefined) === (task.executor === undefined))
    problems.push(`${where}: exactly one of command and executor`);
  const discovery = task.discovery;
  if (discovery) {
    // DiscoveryInfo.visibility is required; each Label needs its key.
    if (!['FRAMEWORK', 'CLUSTER', 'EXTERNAL'].includes(discovery.visibility))
      problems.push(`${where}: DiscoveryInfo without a visibility`);
    if ((discovery.labels?.labels ?? []).some((l) => !l.key))
      problems.push(`${where}: a DiscoveryInfo label without a key`);
  }
  const container = task.container;
  if (!container) return;
  if (container.type === 'MESOS') return checkMesosContainer(task, where, problems);
  const docker = container.docker;
  if (container.type !== 'DOCKER' || !docker?.image)
    problems.push(`${where}: a Docker container needs type DOCKER and an image`);
  if (container.hostname && (docker?.network ?? 'HOST') === 'HOST')
    problems.push(`${where}: a hostname on the host network`);
  const ports = portsOf(task.resources ?? []);
  for (const mapping of docker?.port_mappings ?? []) {
    if (docker?.network !== 'BRIDGE' && docker?.network !== 'USER')
      problems.push(`${where}: port mappings off the bridge network`);
    const host = BigInt(mapping.host_port);
    if (!ports.some(([b, e]) => host >= b && host <= e))
      problems.push(`${where}: host port ${mapping.host_port} is not in the task's ports`);
  }
  for (const p of docker?.parameters ?? [])
    if (p.key === 'entrypoint' && /\s/.test(p.value))
      problems.push(`${where}: --entrypoint "${p.value}" is not one executable`);
}

/**
 * A container under the Mesos containerizer (UCR): a Docker image named in `mesos.image`,
 * no DockerInfo, a command that a containerizer without a shell can exec, CNI networks by
 * name with their port mappings inside the task's ports, and a hostname only off the host
 * network.
 */
function checkMesosContainer(task: TaskInfo, where: string, problems: string[]): void {
  const container = task.container!;
  const image = container.mesos?.image;
  if (image?.type !== 'DOCKER' || !image.docker?.name)
    problems.push(`${where}: a MESOS container needs mesos.image of type DOCKER with a name`);
  if (container.docker) problems.push(`${where}: DockerInfo on a MESOS container`);
  const command = task.command;
  if (command && (command.shell ?? true) && command.value === undefined)
    problems.push(`${where}: a shell command without a value`);
  if (command && command.shell === false && command.value !== undefined)
    if (command.arguments?.[0] === undefined)
      problems.push(`${where}: arguments must be the whole argv, argv[0] first`);
  const networks = container.network_infos ?? [];
  if (container.hostname && networks.length === 0)
    problems.push(`${where}: a hostname on the host network`);
  const ports = portsOf(task.resources ?? []);
  for (const network of networks) {
    if (!network.name) problems.push(`${where}: a CNI network without a name`);
    for (const mapping of network.port_mappings ?? []) {
      const host = BigInt(mapping.host_port);
      if (!ports.some(([b, e]) => host >= b && host <= e))
        problems.push(`${where}: host port ${mapping.host_port} is not in the task's ports`);
    }
  }
}

const ACCEPTED_WITH: Partial<Record<string, number>> = { SUBSCRIBE: 200, UPDATE_FRAMEWORK: 200 };

/** The scheduler API's rules, call by call, in the order the calls were sent. */
export function checkSchedulerCalls(calls: DecodedCalls['scheduler'], problems: string[]): void {
  const streams = new Set<string>();
  let info: FrameworkInfo | undefined;
  for (const { wire, call } of calls) {
    const type = call.type ?? 'UNKNOWN';
    const stream = header(wire, 'mesos-stream-id');
    const expected = ACCEPTED_WITH[type] ?? 202;
    if (wire.status !== expected)
      problems.push(`${type}: answered ${wire.status}, not ${expected}`);
    if (type === 'SUBSCRIBE') {
      const subscribe = call.subscribe;
      const fi = subscribe?.framework_info;
      if (stream !== undefined) problems.push('SUBSCRIBE: carries a Mesos-Stream-Id');
      if (call.framework_id?.value !== fi?.id?.value)
        problems.push('SUBSCRIBE: framework_id differs from framework_info.id');
      if (!fi?.user || !fi.name) problems.push('SUBSCRIBE: FrameworkInfo needs user and name');
      if (fi?.roles?.length && !fi.capabilities?.some((c) => c.type === 'MULTI_ROLE'))
        problems.push('SUBSCRIBE: roles without the MULTI_ROLE capability');
      if (!(Number(fi?.failover_timeout) > 0))
        problems.push(
          'SUBSCRIBE: no failover_timeout: Mesos kills the tasks at once on a disconnection',
        );
      for (const role of subscribe?.suppressed_roles ?? [])
        if (!fi?.roles?.includes(role))
          problems.push(`SUBSCRIBE: suppressed role ${role} is not subscribed`);
      info = fi;
      const issued = header({ ...wire, headers: wire.responseHeaders }, 'mesos-stream-id');
      if (issued) streams.add(issued);
      continue;
    }
    if (!call.framework_id?.value) problems.push(`${type}: no framework_id`);
    if (!stream || !streams.has(stream))
      problems.push(`${type}: Mesos-Stream-Id ${stream} was never issued`);
    const roles = info?.roles ?? [];
    switch (type) {
      case 'ACCEPT': {
        const accept = call.accept;
        if (!accept?.offer_ids?.length) problems.push('ACCEPT: no offer ids');
        for (const op of accept?.operations ?? []) {
          const tasks = op.launch?.task_infos ?? [];
          const role = tasks[0]?.resources?.[0]?.allocation_info?.role;
          if (role === undefined || !roles.includes(role))
            problems.push(`ACCEPT: launches for role ${role}, which is not subscribed`);
          for (const task of tasks) checkTask(task, role, problems);
        }
        break;
      }
      case 'DECLINE':
        if (!call.decline?.offer_ids?.length) problems.push('DECLINE: no offer ids');
        break;
      case 'ACKNOWLEDGE': {
        const ack = call.acknowledge;
        if (!ack?.agent_id?.value || !ack.task_id?.value || ack.uuid?.length !== 16)
          problems.push('ACKNOWLEDGE: needs agent_id, task_id and a 16-byte uuid');
        break;
      }
      case 'KILL':
        if (!call.kill?.task_id?.value) problems.push('KILL: no task_id');
        break;
      case 'RECONCILE':
        if ((call.reconcile?.tasks ?? []).some((t) => !t.task_id?.value))
          problems.push('RECONCILE: a task without task_id');
        break;
      case 'REVIVE':
      case 'SUPPRESS':
        // A role the framework is not subscribed to makes the master drop the whole call.
        for (const role of (type === 'REVIVE' ? call.revive : call.suppress)?.roles ?? [])
          if (!roles.includes(role)) problems.push(`${type}: role ${role} is not subscribed`);
        break;
      case 'UPDATE_FRAMEWORK': {
        const next = call.update_framework?.framework_info;
        if (next?.id?.value !== call.framework_id?.value)
          problems.push('UPDATE_FRAMEWORK: framework_info.id differs from framework_id');
        if (
          next?.user !== info?.user ||
          next?.principal !== info?.principal ||
          next?.checkpoint !== info?.checkpoint
        )
          problems.push('UPDATE_FRAMEWORK: changes user, principal or checkpoint');
        info = next;
        break;
      }
      case 'ACCEPT_INVERSE_OFFERS':
      case 'DECLINE_INVERSE_OFFERS': {
        const answer =
          type === 'ACCEPT_INVERSE_OFFERS'
            ? call.accept_inverse_offers
            : call.decline_inverse_offers;
        if (!answer?.inverse_offer_ids?.length) problems.push(`${type}: no inverse offer ids`);
        break;
      }
      default:
        break;
    }
  }
}

/** The operator API's rules for the calls that change the cluster. */
export function checkOperatorCalls(calls: DecodedCalls['operator'], problems: string[]): void {
  for (const { wire, call } of calls) {
    const type = call.type ?? 'UNKNOWN';
    if (wire.status !== 200) problems.push(`${type}: answered ${wire.status}`);
    switch (type) {
      case 'UPDATE_QUOTA':
        for (const config of call.update_quota?.quota_configs ?? []) {
          if (config.role.includes('/')) problems.push(`UPDATE_QUOTA: nested role ${config.role}`);
          for (const [name, limit] of Object.entries(config.limits ?? {}))
            if ((config.guarantees?.[name]?.value ?? 0) > limit.value)
              problems.push(`UPDATE_QUOTA: ${config.role} guarantees more ${name} than its limit`);
        }
        break;
      case 'UPDATE_WEIGHTS':
        for (const w of call.update_weights?.weight_infos ?? [])
          if (!w.role || !(w.weight > 0))
            problems.push('UPDATE_WEIGHTS: needs a role and a positive weight');
        break;
      case 'UPDATE_MAINTENANCE_SCHEDULE':
        for (const window of call.update_maintenance_schedule?.schedule.windows ?? []) {
          if (window.unavailability?.start?.nanoseconds === undefined)
            problems.push('UPDATE_MAINTENANCE_SCHEDULE: a window without a start');
          // Mesos matches machines on hostname and IP together.
          for (const m of window.machine_ids ?? [])
            if (!m.hostname || !m.ip)
              problems.push(
                `UPDATE_MAINTENANCE_SCHEDULE: machine ${m.hostname ?? m.ip} lacks hostname or IP`,
              );
        }
        break;
      case 'DRAIN_AGENT':
        if (!call.drain_agent?.agent_id?.value) problems.push('DRAIN_AGENT: no agent_id');
        break;
      default:
        break;
    }
  }
}
