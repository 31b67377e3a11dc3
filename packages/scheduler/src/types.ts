// The scheduler's vocabulary. It knows Mesos roles and tasks, never tenants:
// the caller maps its own domain onto a TaskRequest.

export type Strategy = 'spread' | 'binpack';

export interface PlacementConstraint {
  /** `hostname` or the name of an agent attribute. */
  field: string;
  operator: 'UNIQUE' | 'CLUSTER' | 'LIKE' | 'UNLIKE' | 'MAX_PER';
  /**
   * CLUSTER's value, MAX_PER's count, or the RE2 pattern LIKE/UNLIKE match
   * against the whole value. Constraints are plain JSON, stored with the
   * container: the compiled pattern is kept by constraints.ts, keyed by pattern.
   */
  value?: string;
}

export interface PortRequest {
  containerPort: number;
  protocol: 'tcp' | 'udp';
  /** A fixed host port; absent means any port from the offer's ranges. */
  hostPort?: number;
}

export interface DockerContainer {
  image: string;
  networkMode: 'bridge' | 'host' | 'none';
  entrypoint?: string[];
  cmd?: string[];
  env: string[];
  labels: Record<string, string>;
  workingDir?: string;
  user?: string;
  hostname?: string;
  /** Which containerizer runs it: Docker's (default), or Mesos's (UCR) with the image. */
  runtime?: 'docker' | 'ucr';
  /** UCR only: a terminal (ContainerInfo.tty_info). */
  tty?: boolean;
  /** The terminal's first size, rows and columns (TTYInfo.window_size). */
  terminalSize?: { rows: number; columns: number };
  /** UCR only: the CNI network a bridged container joins, its ports mapped on it. */
  cniNetwork?: string;
  /**
   * Names a discovery service may serve for the task (TaskInfo.discovery): the task's
   * name, and labels such as the names and aliases it has on its networks.
   */
  discovery?: { name: string; labels: { key: string; value: string }[] };
}

export interface TaskRequest {
  /** Unique for the framework's lifetime; Mesos task ids are never reused. */
  taskId: string;
  name: string;
  /** The only role whose offers may run this task. */
  role: string;
  cpus: number;
  memMb: number;
  diskMb: number;
  gpus: number;
  /** Runs on revocable cpus/mem only (oversubscribed, preemptible). */
  bestEffort: boolean;
  ports: PortRequest[];
  constraints: PlacementConstraint[];
  /** Tasks with the same key are peers for UNIQUE / CLUSTER / MAX_PER. */
  groupKey: string;
  container: DockerContainer;
  killGracePeriodSeconds?: number;
}

export interface PortAssignment {
  containerPort: number;
  hostPort: number;
  protocol: 'tcp' | 'udp';
}

export interface LaunchRecord {
  taskId: string;
  agentId: string;
  hostname: string;
  /** `host:port` of the agent's HTTP API (sandbox files), when known. */
  agentEndpoint?: string;
  ports: PortAssignment[];
}

export interface AgentFacts {
  agentId: string;
  hostname: string;
  attributes: Record<string, string>;
}
