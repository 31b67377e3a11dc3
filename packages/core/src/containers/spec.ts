import { parseConstraints } from '@shoal/scheduler';
import { invalid } from '../errors';
import { UCR_USE } from '../networks/aliases';
import type { NetworkAttachment } from '../networks/types';
import { checkImageReference } from './image-reference';
import { stopTimeout, terminatingSignal } from './stop-signals';
import { checkContainerName, randomContainerName } from './names';
import { pipedArgv } from './piped';
import { type ContainerRuntime, isRuntime, RUNTIME_LABEL, RUNTIME_NAMES } from './runtime';
import { checkLabels, checkLength, checkStrings, quoted, SPEC_LIMITS } from './spec-limits';
import type { ContainerSpec, ContainerSpecInput, RestartPolicy, RestartPolicyName } from './types';

/** What a container gets when the request names no resources (Marathon-like small defaults). */
export const DEFAULT_CPUS = 0.25;
export const DEFAULT_MEMORY_MB = 128;

/** Labels through which Docker clients reach Shoal features. */
export const BEST_EFFORT_LABEL = 'shoal.best-effort';
export const CONSTRAINTS_LABEL = 'shoal.constraints';
export const GROUP_LABEL = 'shoal.group';

/** `shoal.` is Shoal's namespace: a tenant may set only the labels documented there. */
const RESERVED_PREFIX = 'shoal.';
const SETTABLE_LABELS = [BEST_EFFORT_LABEL, CONSTRAINTS_LABEL, GROUP_LABEL, RUNTIME_LABEL];

const RESTART_POLICIES: RestartPolicyName[] = ['no', 'on-failure', 'always', 'unless-stopped'];

function positive(
  name: string,
  value: number | undefined,
  fallback: number,
  max: number,
  min = 0,
  belowMin = `${name} ${shown(value)} is below the least a container may ask for (${min})`,
): number {
  if (value === undefined) return fallback;
  if (!Number.isFinite(value) || value < 0)
    throw invalid(`${name} must be a non-negative number, not ${value}`);
  if (value > max)
    throw invalid(`${name} ${shown(value)} is larger than any agent could offer (max ${max})`);
  if (value < min) throw invalid(belowMin);
  return value;
}

/** Mesos gives a task whole GPUs. */
function wholeGpus(gpus: number): number {
  if (!Number.isInteger(gpus)) throw invalid(`gpus must be a whole number, not ${gpus}`);
  return gpus;
}

/** A number as a person wrote it, not to seventeen digits. */
const shown = (value: number | undefined) =>
  value === undefined ? '' : Number(value.toPrecision(3));

/** A restart policy as Docker takes it, at create or `docker update --restart`. */
export function checkedRestartPolicy(
  asked: RestartPolicy | undefined,
  autoRemove: boolean,
): RestartPolicy {
  const restart = asked ?? { name: 'no' };
  if (!RESTART_POLICIES.includes(restart.name)) {
    throw invalid(
      `invalid restart policy "${restart.name}": use one of ${RESTART_POLICIES.join(', ')}`,
    );
  }
  if (
    restart.maximumRetryCount !== undefined &&
    restart.name !== 'on-failure' &&
    restart.maximumRetryCount !== 0
  ) {
    throw invalid(`maximum retry count can only be used with the on-failure restart policy`);
  }
  const retries = restart.maximumRetryCount;
  if (retries !== undefined && (!Number.isInteger(retries) || retries < 0 || retries > 2 ** 31 - 1))
    throw invalid(
      `maximum retry count must be a whole number from 0 to ${2 ** 31 - 1}, not ${retries}`,
    );
  if (autoRemove && restart.name !== 'no') {
    throw invalid('AutoRemove cannot be combined with a restart policy');
  }
  return restart.name === 'on-failure'
    ? { name: restart.name, maximumRetryCount: restart.maximumRetryCount ?? 0 }
    : { name: restart.name };
}

/** Where a container is created: what decides its runtime and, under ucr, its network. */
export interface SpecContext {
  /** The runtime when neither the request nor its label names one (tenant's, else cluster's). */
  runtime: ContainerRuntime;
  /** The CNI network ucr containers on the bridge network join. */
  ucrNetwork: string;
  /** The tenant networks the request asks for, resolved, and the CNI network they map to. */
  networks?: { attachments: NetworkAttachment[]; cniNetwork: string };
}

/** The runtime a request asks for, by field or by the shoal.runtime label; undefined if neither. */
export function requestedRuntime(input: ContainerSpecInput): ContainerRuntime | undefined {
  const label = input.labels?.[RUNTIME_LABEL];
  if (label !== undefined && !isRuntime(label))
    throw invalid(`label ${RUNTIME_LABEL} must be "docker" or "ucr", not "${label}"`);
  return input.runtime ?? label;
}

/**
 * What one runtime cannot do, refused with the runtime named. The Docker containerizer
 * gives a task neither a terminal nor its input; the Mesos containerizer takes the working
 * directory from the image, puts a container without a CNI network on the host's, and
 * carries input without a terminal only to a command run for an attached client.
 */
function checkRuntime(runtime: ContainerRuntime, input: ContainerSpecInput): void {
  const use =
    'use the ucr runtime (label shoal.runtime=ucr), or ask an admin to make it the default';
  if (runtime === 'docker') {
    if (input.tty && input.openStdin)
      throw invalid(
        `-i and -t (--interactive, --tty) are not supported under ${RUNTIME_NAMES.docker}: it gives a task no terminal and no input; ${use}`,
      );
    if (input.tty)
      throw invalid(
        `-t (--tty) is not supported under ${RUNTIME_NAMES.docker}: it gives a task no terminal; ${use}`,
      );
    if (input.openStdin)
      throw invalid(
        `-i (--interactive) is not supported under ${RUNTIME_NAMES.docker}: it cannot carry input to a task; ${use}`,
      );
    return;
  }
  if (input.workingDir)
    throw invalid(
      `-w (--workdir) is not supported under ${RUNTIME_NAMES.ucr}: the Mesos containerizer takes the working directory from the image`,
    );
  if (input.networkMode === 'none')
    throw invalid(
      `--network none is not supported under ${RUNTIME_NAMES.ucr}: a container that joins no CNI network shares the agent's network; use host or bridge`,
    );
  // Without -t the command runs as a session for the client attached with -i (piped.ts).
  if (input.openStdin && !input.tty && !input.stdinOnce)
    throw invalid(
      `-i (--interactive) without -t is supported under ${RUNTIME_NAMES.ucr} only for a client attached from the start (docker run -i in the foreground, not -d): a Mesos agent carries input only to a terminal or to a command run for an attached client; use -dit for a container that keeps its input open`,
    );
  if (input.openStdin && !input.tty && pipedArgv(input).length === 0)
    throw invalid(
      `-i (--interactive) without -t needs a command under ${RUNTIME_NAMES.ucr}: the command runs for the attached client beside the task, and Shoal does not read the image's own CMD; name it, as in docker run -i alpine cat`,
    );
}

/**
 * A tenant network is a Mesos CNI network, which only the Mesos containerizer joins by
 * name; and a container on one has a network of its own, so not the host's or none.
 */
function checkNetworks(
  runtime: ContainerRuntime,
  networkMode: ContainerSpec['networkMode'],
  attachments: NetworkAttachment[],
): void {
  const names = attachments.map((a) => a.name).join(', ');
  if (runtime !== 'ucr')
    throw invalid(
      `network ${names}: ${RUNTIME_NAMES[runtime]} cannot join the Mesos CNI network Shoal's networks are made of; ${UCR_USE}`,
    );
  if (networkMode !== 'bridge')
    throw invalid(`network ${names} cannot be joined with --network ${networkMode}`);
}

/** The name a create request gives, without Docker's leading slash; undefined when none. */
export const givenName = (input: ContainerSpecInput): string | undefined =>
  input.name?.replace(/^\//, '') || undefined;

/** Validates a create request and fills in defaults; every problem is a clear INVALID_ARGUMENT. */
export function normaliseSpec(input: ContainerSpecInput, context: SpecContext): ContainerSpec {
  const image = input.image?.trim() ?? '';
  if (!image) throw invalid('An image is required');
  checkImageReference(image);

  const name = givenName(input) ?? randomContainerName();
  checkContainerName(name);
  const labels = input.labels ?? {};
  checkLabels(labels);
  if (input.hostname && input.hostname.length > SPEC_LIMITS.hostnameLength)
    throw invalid(`invalid hostname: longer than ${SPEC_LIMITS.hostnameLength} characters`);
  checkStrings(
    'command',
    [...(input.entrypoint ?? []), ...(input.cmd ?? [])],
    SPEC_LIMITS.argumentsLength,
  );
  checkStrings('environment', input.env ?? [], SPEC_LIMITS.envLength);
  checkLength('user', input.user, SPEC_LIMITS.userLength);
  checkLength('working directory', input.workingDir, SPEC_LIMITS.workingDirLength);
  if (input.workingDir && !input.workingDir.startsWith('/'))
    throw invalid(
      `the working directory ${quoted(input.workingDir)} is invalid, it needs to be an absolute path`,
    );
  // Checked as a stop would read them: a container that could never be stopped as it asks is refused.
  if (input.stopSignal !== undefined) terminatingSignal(input.stopSignal);
  if (input.stopTimeout !== undefined) stopTimeout(input.stopTimeout);
  const exposedPorts = input.exposedPorts ?? [];
  for (const p of exposedPorts)
    if (!Number.isInteger(p.containerPort) || p.containerPort < 1 || p.containerPort > 65_535)
      throw invalid(`invalid exposed port ${p.containerPort}`);
  const reserved = Object.keys(labels).find(
    (key) => key.startsWith(RESERVED_PREFIX) && !SETTABLE_LABELS.includes(key),
  );
  if (reserved !== undefined) {
    throw invalid(
      `label "${reserved}" is in Shoal's reserved namespace "${RESERVED_PREFIX}": only ${SETTABLE_LABELS.join(', ')} can be set`,
    );
  }
  const restartPolicy = checkedRestartPolicy(input.restartPolicy, input.autoRemove ?? false);
  const ports = input.ports ?? [];
  if (ports.length + exposedPorts.length > SPEC_LIMITS.ports)
    throw invalid(
      `${ports.length + exposedPorts.length} ports published or exposed, more than ${SPEC_LIMITS.ports}: name a smaller range`,
    );
  const hostPorts = new Set<string>();
  for (const p of ports) {
    if (!Number.isInteger(p.containerPort) || p.containerPort < 1 || p.containerPort > 65_535) {
      throw invalid(`invalid container port ${p.containerPort}`);
    }
    if (
      p.hostPort !== undefined &&
      (!Number.isInteger(p.hostPort) || p.hostPort < 1 || p.hostPort > 65_535)
    ) {
      throw invalid(`invalid host port ${p.hostPort}`);
    }
    // One port of the agent's cannot be offered twice: no offer could ever hold the task.
    const hostPort = `${p.hostPort}/${p.protocol}`;
    if (p.hostPort !== undefined && hostPorts.has(hostPort))
      throw invalid(`host port ${hostPort} is published twice: a port can be bound only once`);
    hostPorts.add(hostPort);
  }
  const networkMode = input.networkMode ?? 'bridge';
  // Docker's own refusal; Mesos's Docker containerizer would fail the task instead.
  if (networkMode === 'host' && input.hostname)
    throw invalid('conflicting options: hostname and the network mode');
  if (networkMode !== 'bridge' && ports.length > 0) {
    throw invalid(`port publishing needs the bridge network, not "${networkMode}"`);
  }
  let constraints = input.constraints ?? [];
  if (labels[CONSTRAINTS_LABEL]) {
    try {
      constraints = [...constraints, ...parseConstraints(labels[CONSTRAINTS_LABEL])];
    } catch (error) {
      throw invalid((error as Error).message);
    }
  }
  const bestEffortLabel = labels[BEST_EFFORT_LABEL];
  if (bestEffortLabel !== undefined && !['true', 'false'].includes(bestEffortLabel)) {
    throw invalid(`label ${BEST_EFFORT_LABEL} must be "true" or "false"`);
  }
  for (const entry of input.env ?? []) {
    if (!entry || entry.startsWith('='))
      throw invalid(`invalid environment variable ${quoted(entry)}`);
  }
  const cpus = positive('cpus', input.cpus, DEFAULT_CPUS, 1024, SPEC_LIMITS.minCpus);
  const runtime = requestedRuntime(input) ?? context.runtime;
  checkRuntime(runtime, { ...input, networkMode });
  const attachments = context.networks?.attachments ?? [];
  if (attachments.length > 0) checkNetworks(runtime, networkMode, attachments);
  return {
    name,
    image,
    ...(input.entrypoint?.length ? { entrypoint: input.entrypoint } : {}),
    ...(input.cmd?.length ? { cmd: input.cmd } : {}),
    env: input.env ?? [],
    labels,
    ...(input.workingDir ? { workingDir: input.workingDir } : {}),
    ...(input.user ? { user: input.user } : {}),
    ...(input.hostname ? { hostname: input.hostname } : {}),
    tty: input.tty ?? false,
    ...(input.tty && input.consoleSize ? { consoleSize: terminalSize(input.consoleSize) } : {}),
    openStdin: input.openStdin ?? false,
    ...(input.stdinOnce ? { stdinOnce: true } : {}),
    runtime,
    ...(runtime === 'ucr' && networkMode === 'bridge'
      ? { cniNetwork: context.networks?.cniNetwork ?? context.ucrNetwork }
      : {}),
    networkMode,
    ...(attachments.length > 0 ? { networks: attachments } : {}),
    ports,
    ...(exposedPorts.length > 0 ? { exposedPorts } : {}),
    publishAllPorts: input.publishAllPorts ?? false,
    ...(input.stopSignal !== undefined ? { stopSignal: input.stopSignal } : {}),
    ...(input.stopTimeout !== undefined ? { stopTimeout: input.stopTimeout } : {}),
    cpus,
    ...(input.cpusAsked && cpusOf(input.cpusAsked) === cpus ? { cpusAsked: input.cpusAsked } : {}),
    memoryMb: positive(
      'memory (MB)',
      input.memoryMb,
      DEFAULT_MEMORY_MB,
      4_194_304,
      SPEC_LIMITS.minMemoryMb,
      // Docker's words, with Shoal's least.
      `Minimum memory limit allowed is ${SPEC_LIMITS.minMemoryMb}MB`,
    ),
    diskMb: positive('disk (MB)', input.diskMb, 0, 1 << 30),
    gpus: wholeGpus(positive('gpus', input.gpus, 0, 64)),
    restartPolicy,
    autoRemove: input.autoRemove ?? false,
    bestEffort: input.bestEffort ?? bestEffortLabel === 'true',
    constraints,
  };
}

/** Containers with the same key are one group for UNIQUE / CLUSTER / MAX_PER placement. */
export function groupKeyOf(container: { id: string; tenantId: string; config: unknown }): string {
  const group = (container.config as ContainerSpec | null)?.labels?.[GROUP_LABEL];
  return group ? `${container.tenantId}/${group}` : container.id;
}

/** A terminal's size in rows and columns, as a terminal can have it (16 bits each). */
function terminalSize(size: { rows: number; columns: number }): { rows: number; columns: number } {
  const fits = (n: number) => Number.isInteger(n) && n > 0 && n <= 65_535;
  if (!fits(size.rows) || !fits(size.columns))
    throw invalid('a console size is rows and columns, whole numbers from 1 to 65535');
  return { rows: size.rows, columns: size.columns };
}

/** The cpus that shares (1024 a cpu) or a CFS quota over its period stand for. */
export function cpusOf(asked: NonNullable<ContainerSpec['cpusAsked']>): number {
  return 'shares' in asked ? asked.shares / 1024 : asked.quota / asked.period;
}
