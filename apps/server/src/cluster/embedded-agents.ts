import type { AgentSpec } from '@shoal/mesos-sim';

/** How many racks the embedded cluster's agents are spread over. */
const RACKS = 2;

/**
 * The agents of the embedded cluster (`npm start` without MESOS_MASTER): each in a rack
 * (`rack:r1`, `rack:r2`, …) and with a slice of revocable cpus and memory, so the
 * README's label examples (`shoal.constraints=rack:CLUSTER:r1`, `shoal.best-effort=true`)
 * run out of the box.
 */
export function embeddedAgents(count: number): AgentSpec[] {
  return Array.from({ length: count }, (_, i) => ({
    attributes: { rack: `r${(i % RACKS) + 1}` },
    revocable: { cpus: 2, mem: 2048 },
  }));
}
