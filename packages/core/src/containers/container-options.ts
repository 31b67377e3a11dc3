import type { ContainerRuntime } from './runtime';

export interface ContainerServiceOptions {
  /** How long `start` waits for the container to run before returning it still pending. */
  startWaitMs: number;
  /** How often a followed log polls the agent. */
  logPollMs: number;
  /**
   * How often a wait also reads the container's stored state, in case this
   * instance missed the event (another instance's relay was down).
   */
  waitCheckMs: number;
  /** The runtime of containers whose tenant has none of its own (SHOAL_DEFAULT_RUNTIME). */
  defaultRuntime: ContainerRuntime;
  /** The CNI network bridged containers join under the ucr runtime (SHOAL_UCR_NETWORK). */
  ucrNetwork: string;
}

export const DEFAULT_CONTAINER_OPTIONS: ContainerServiceOptions = {
  startWaitMs: 20_000,
  logPollMs: 500,
  waitCheckMs: 5_000,
  defaultRuntime: 'docker',
  ucrNetwork: 'mesos-bridge',
};
