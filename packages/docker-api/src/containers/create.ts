import { consoleSize } from './exec';
import { type ContainerRuntime, type ContainerSpecInput, isRuntime } from '@shoal/core';
import { badRequest } from '../errors';
import { refuseOtherPlatform } from '../platform';
import {
  boolField,
  commandField,
  isObject,
  objectField,
  stringField,
  stringListField,
  stringMapField,
  type JsonObject,
} from './body-fields';
import { parseNetworking } from './endpoints';
import { parseResources } from './host-resources';
import { exposedPorts, publishedPorts } from './port-bindings';
import { refuseUnsupportedHostSettings, refuseUnsupportedSettings } from './refused-settings';
import { parseRestartPolicy } from './restart-policy';

export interface CreateRequest {
  name?: string;
  platform?: string;
}

/** Docker's create body → what core's ContainerOperations.create takes. */
export function parseCreateBody(body: unknown, request: CreateRequest): ContainerSpecInput {
  if (!isObject(body))
    throw badRequest('the request body must be a JSON object (the container config)');
  refuseOtherPlatform(request.platform);
  const image = stringField(body, 'Image', 'Image');
  if (!image) throw badRequest('Image is required: name the image the container runs');
  refuseUnsupportedSettings(body);
  const host = objectField(body, 'HostConfig', 'HostConfig') ?? {};
  refuseUnsupportedHostSettings(host);

  const { ports, publishAllPorts } = publishedPorts(body, host);

  // Names, labels (shoal.best-effort, shoal.constraints), restart rules and
  // port/network combinations are validated by core, the same for both front doors.
  const spec: ContainerSpecInput = {
    image,
    env: stringListField(body, 'Env', 'Env') ?? [],
    labels: stringMapField(body, 'Labels', 'Labels') ?? {},
    // Whether the runtime can give them is core's to say (the Docker containerizer cannot).
    tty: boolField(body, 'Tty', 'Tty') ?? false,
    openStdin: boolField(body, 'OpenStdin', 'OpenStdin') ?? false,
    ...networking(body, host),
    stdinOnce: boolField(body, 'StdinOnce', 'StdinOnce') ?? false,
    ports,
    publishAllPorts,
    restartPolicy: parseRestartPolicy(host),
    autoRemove: boolField(host, 'AutoRemove', 'HostConfig.AutoRemove') ?? false,
  };
  const name = request.name || stringField(body, 'name', 'name');
  if (name) spec.name = name;
  const entrypoint = commandField(body, 'Entrypoint', 'Entrypoint');
  if (entrypoint) spec.entrypoint = entrypoint;
  const cmd = commandField(body, 'Cmd', 'Cmd');
  if (cmd) spec.cmd = cmd;
  // The CLI sends its terminal's size with a -t create, and resizes only after the start.
  const size = consoleSize(host, 'HostConfig.ConsoleSize');
  if (size && spec.tty) spec.consoleSize = size;
  const workingDir = stringField(body, 'WorkingDir', 'WorkingDir');
  if (workingDir) spec.workingDir = workingDir;
  const user = stringField(body, 'User', 'User');
  if (user) spec.user = user;
  const hostname = stringField(body, 'Hostname', 'Hostname');
  if (hostname) spec.hostname = hostname;
  const stopSignal = stringField(body, 'StopSignal', 'StopSignal');
  if (stopSignal) spec.stopSignal = stopSignal;
  // Docker's *int: 0 is a stop with no grace period, not "unset".
  if (body.StopTimeout !== undefined && body.StopTimeout !== null) {
    if (typeof body.StopTimeout !== 'number' || !Number.isInteger(body.StopTimeout))
      throw badRequest('invalid type for StopTimeout: expected a whole number of seconds');
    spec.stopTimeout = body.StopTimeout;
  }
  const exposed = exposedPorts(body, ports);
  if (exposed.length > 0) spec.exposedPorts = exposed;
  Object.assign(spec, parseResources(host));
  const runtime = parseRuntime(host);
  if (runtime) spec.runtime = runtime;
  return spec;
}

/** The container's network: Docker's bridge, host or none, or the tenant's networks. */
function networking(
  body: JsonObject,
  host: JsonObject,
): Pick<ContainerSpecInput, 'networkMode' | 'networks'> {
  const { networkMode, networks } = parseNetworking(
    body,
    stringField(host, 'NetworkMode', 'HostConfig.NetworkMode'),
  );
  return networks.length > 0 ? { networkMode, networks } : { networkMode };
}

/**
 * `--runtime`: which Mesos containerizer runs the container. `runc`, Docker's own
 * default name, means the default here too.
 */
function parseRuntime(host: JsonObject): ContainerRuntime | undefined {
  const runtime = stringField(host, 'Runtime', 'HostConfig.Runtime');
  if (runtime === undefined || runtime === '' || runtime === 'runc') return undefined;
  if (isRuntime(runtime)) return runtime;
  throw badRequest(
    `HostConfig.Runtime (--runtime ${runtime}) is not a Shoal runtime: use docker (the Mesos Docker containerizer) or ucr (the Mesos containerizer with the Docker image)`,
  );
}
