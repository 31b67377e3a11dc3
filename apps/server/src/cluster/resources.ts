import type { ResourceSummary } from '@shoal/core';
import type { Resource } from '@shoal/mesos';
import { totalResources } from '@shoal/scheduler';

/** Mesos resources as the dashboard and `docker info` show them. */
export function summary(resources: readonly Resource[] | undefined): ResourceSummary {
  const t = totalResources(resources);
  return {
    cpus: t.cpus,
    memoryMb: t.memMb,
    diskMb: t.diskMb,
    gpus: t.gpus,
    ports: t.ports.map(([b, e]) => `${b}-${e}`),
  };
}
