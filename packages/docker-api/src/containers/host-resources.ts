import { cpusOf, type ContainerSpecInput } from '@shoal/core';
import { badRequest } from '../errors';
import { amountField, isObject, isUnset, type JsonObject } from './body-fields';

const MIB = 1024 * 1024;
const MAX_CPU_SHARES = 262_144;

type Resources = Pick<ContainerSpecInput, 'cpus' | 'cpusAsked' | 'memoryMb' | 'gpus'>;

/** Docker's resource fields in Mesos units (cpus, megabytes, gpus), and how the cpus were asked. */
export function parseResources(host: JsonObject): Resources {
  const resources: Resources = {};
  const memory = amountField(host, 'Memory', 'HostConfig.Memory');
  if (memory !== undefined) resources.memoryMb = memory / MIB;
  const nanoCpus = amountField(host, 'NanoCpus', 'HostConfig.NanoCpus');
  const period = amountField(host, 'CpuPeriod', 'HostConfig.CpuPeriod');
  const quota = amountField(host, 'CpuQuota', 'HostConfig.CpuQuota');
  const shares = amountField(host, 'CpuShares', 'HostConfig.CpuShares');
  if (nanoCpus !== undefined && (period !== undefined || quota !== undefined)) {
    throw badRequest(
      'conflicting options: NanoCpus (--cpus) and CpuPeriod/CpuQuota cannot both be set',
    );
  }
  // Each of them is the container's one Mesos cpus amount: with two, one would be dropped.
  if (shares !== undefined && (nanoCpus !== undefined || period !== undefined)) {
    throw badRequest(
      'conflicting options: CpuShares (--cpu-shares) and NanoCpus (--cpus) or CpuPeriod/CpuQuota all give the container its Mesos cpus: give one of them',
    );
  }
  // The kernel's bound on a cgroup's cpu.shares, which Docker keeps to.
  if (shares !== undefined && shares > MAX_CPU_SHARES) {
    throw badRequest(`CpuShares (--cpu-shares) is at most ${MAX_CPU_SHARES}, not ${shares}`);
  }
  if ((period === undefined) !== (quota === undefined)) {
    throw badRequest('CpuPeriod and CpuQuota must be set together (--cpu-period with --cpu-quota)');
  }
  // Mesos has one cpus amount: --cpus says it directly, a CFS quota over its
  // period says the same, and cpu-shares are relative weights where 1024 is one cpu.
  if (nanoCpus !== undefined) resources.cpus = nanoCpus / 1e9;
  else if (period !== undefined && quota !== undefined) resources.cpusAsked = { period, quota };
  else if (shares !== undefined) resources.cpusAsked = { shares };
  if (resources.cpusAsked) resources.cpus = cpusOf(resources.cpusAsked);
  const gpus = parseGpus(host);
  if (gpus !== undefined) resources.gpus = gpus;
  return resources;
}

/** `--gpus N` arrives as a device request for N devices with the "gpu" capability. */
function parseGpus(host: JsonObject): number | undefined {
  const requests = host.DeviceRequests;
  if (isUnset(requests)) return undefined;
  const path = 'HostConfig.DeviceRequests';
  if (!Array.isArray(requests)) throw badRequest(`invalid type for ${path}: expected a list`);
  let gpus = 0;
  for (const request of requests) {
    if (!isObject(request)) throw badRequest(`invalid type for ${path}: expected objects`);
    const capabilities = request.Capabilities;
    const isGpu =
      Array.isArray(capabilities) &&
      capabilities.some((set) => Array.isArray(set) && set.includes('gpu'));
    const count = request.Count;
    if (!isGpu || !isUnset(request.DeviceIDs) || typeof count !== 'number' || count < 1) {
      throw badRequest(
        `${path} is supported only as --gpus <count>: Mesos gives a task a number of GPUs, not chosen devices or all of them`,
      );
    }
    gpus += count;
  }
  return gpus;
}
