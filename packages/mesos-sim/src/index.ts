export { startSimCluster, type SimCluster } from './cluster';
export { FaultError, Faults } from './faults';
export type { HeldCall } from './master';
export type { AgentSpec, SimOptions } from './options';
export type { Resources, PortRange } from './resources';
export type {
  AgentSnapshot,
  ClusterState,
  FrameworkSnapshot,
  OfferSnapshot,
  TaskSnapshot,
} from './snapshot';
