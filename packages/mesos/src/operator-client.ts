import { decodeMessage, decodeMessageInSlices } from './codec';
import { MesosCodecError } from './errors';
import type {
  AgentID,
  google,
  MachineID,
  maintenance,
  master,
  quota,
  WeightInfo,
} from './generated/types';
import { openSubscription, sendCall, sendCallForBytes } from './http/api-call';
import { EventStream, type StreamDisconnected } from './http/event-stream';
import { MasterTransport, type MasterClientOptions } from './http/transport';

const PATH = '/api/v1';
const CALL = 'mesos.v1.master.Call';
const RESPONSE = 'mesos.v1.master.Response';

export type OperatorClientOptions = MasterClientOptions;

export type OperatorStreamItem = master.Event | StreamDisconnected;

/**
 * The master's operator event stream. Like the scheduler subscription it
 * yields `DISCONNECTED` when the connection is lost and reconnects by itself;
 * the restored stream starts with a new SUBSCRIBED carrying the full state.
 */
export interface OperatorSubscription extends AsyncIterable<OperatorStreamItem> {
  close(): Promise<void>;
}

export interface DrainAgentOptions {
  /** Upper bound on the kill grace period of the agent's tasks. */
  maxGracePeriod?: google.protobuf.Duration;
  /** Mark the agent gone once drained. */
  markGone?: boolean;
}

// The code answers 200 for every call; some docs still say 202.
const OK = [200, 202] as const;

/** Client of the master's v1 operator API (`POST /api/v1`). */
export class OperatorClient {
  private readonly transport: MasterTransport;
  private readonly streams = new Set<EventStream<master.Event>>();

  constructor(options: OperatorClientOptions) {
    this.transport = new MasterTransport(options);
  }

  /** Base URL of the master last known to lead. */
  get leader(): string | undefined {
    return this.transport.leader;
  }

  /** The master's Mesos version, e.g. `1.11.0`. */
  async getVersion(): Promise<string> {
    const answer = await this.query({ type: 'GET_VERSION' }, 'get_version');
    if (!answer?.version_info.version)
      throw new MesosCodecError('the master answered GET_VERSION without a version');
    return answer.version_info.version;
  }

  /** The master's command-line flags, by name. */
  async getFlags(): Promise<Map<string, string>> {
    const flags = (await this.query({ type: 'GET_FLAGS' }, 'get_flags'))?.flags ?? [];
    return new Map(flags.map((f) => [f.name, f.value ?? '']));
  }

  /** The master's metrics (`master/tasks_running`, …), by name. */
  async getMetrics(): Promise<Map<string, number>> {
    const metrics =
      (await this.query({ type: 'GET_METRICS', get_metrics: {} }, 'get_metrics'))?.metrics ?? [];
    return new Map(metrics.map((m) => [m.name, m.value ?? 0]));
  }

  async getState(): Promise<master.Response.GetState> {
    return (await this.query({ type: 'GET_STATE' }, 'get_state')) ?? {};
  }

  /**
   * The agents. A protobuf answer is decoded an agent at a time, letting the event loop
   * serve others between slices: decoding a thousand agents at once held it for tens of
   * milliseconds, every time the leader listed them.
   */
  async getAgents(): Promise<master.Response.GetAgents> {
    return (await this.query({ type: 'GET_AGENTS' }, 'get_agents', ['get_agents', 'agents'])) ?? {};
  }

  async getFrameworks(): Promise<master.Response.GetFrameworks> {
    return (await this.query({ type: 'GET_FRAMEWORKS' }, 'get_frameworks')) ?? {};
  }

  async getTasks(): Promise<master.Response.GetTasks> {
    return (await this.query({ type: 'GET_TASKS' }, 'get_tasks')) ?? {};
  }

  /** Known roles, including the ancestors of hierarchical ones. */
  async getRoles(): Promise<master.Response.GetRoles> {
    return (await this.query({ type: 'GET_ROLES' }, 'get_roles')) ?? {};
  }

  async getWeights(): Promise<master.Response.GetWeights> {
    return (await this.query({ type: 'GET_WEIGHTS' }, 'get_weights')) ?? {};
  }

  async updateWeights(weightInfos: WeightInfo[]): Promise<void> {
    await this.call({ type: 'UPDATE_WEIGHTS', update_weights: { weight_infos: weightInfos } });
  }

  /** Current quota: `configs` (guarantees and limits) next to the legacy `infos`. */
  async getQuota(): Promise<quota.QuotaStatus> {
    const answer = await this.query({ type: 'GET_QUOTA' }, 'get_quota');
    return answer?.status ?? {};
  }

  /** Applies all configs or none; `force` skips the capacity checks. */
  async updateQuota(
    configs: quota.QuotaConfig[],
    options: { force?: boolean } = {},
  ): Promise<void> {
    await this.call({
      type: 'UPDATE_QUOTA',
      update_quota: { force: options.force, quota_configs: configs },
    });
  }

  async getMaintenanceSchedule(): Promise<maintenance.Schedule> {
    const answer = await this.query(
      { type: 'GET_MAINTENANCE_SCHEDULE' },
      'get_maintenance_schedule',
    );
    return answer?.schedule ?? {};
  }

  async updateMaintenanceSchedule(schedule: maintenance.Schedule): Promise<void> {
    await this.call({
      type: 'UPDATE_MAINTENANCE_SCHEDULE',
      update_maintenance_schedule: { schedule },
    });
  }

  async getMaintenanceStatus(): Promise<maintenance.ClusterStatus> {
    const answer = await this.query({ type: 'GET_MAINTENANCE_STATUS' }, 'get_maintenance_status');
    return answer?.status ?? {};
  }

  /** Takes machines DOWN: their agents shut down and their tasks are lost. */
  async startMaintenance(machines: MachineID[]): Promise<void> {
    await this.call({ type: 'START_MAINTENANCE', start_maintenance: { machines } });
  }

  async stopMaintenance(machines: MachineID[]): Promise<void> {
    await this.call({ type: 'STOP_MAINTENANCE', stop_maintenance: { machines } });
  }

  /** Kills every task on the agent and stops its offers; cannot be cancelled (reactivate afterwards). */
  async drainAgent(agentId: AgentID, options: DrainAgentOptions = {}): Promise<void> {
    await this.call({
      type: 'DRAIN_AGENT',
      drain_agent: {
        agent_id: agentId,
        max_grace_period: options.maxGracePeriod,
        mark_gone: options.markGone,
      },
    });
  }

  async deactivateAgent(agentId: AgentID): Promise<void> {
    await this.call({ type: 'DEACTIVATE_AGENT', deactivate_agent: { agent_id: agentId } });
  }

  async reactivateAgent(agentId: AgentID): Promise<void> {
    await this.call({ type: 'REACTIVATE_AGENT', reactivate_agent: { agent_id: agentId } });
  }

  /** Sends any operator call; resolves to the decoded Response, or undefined when the body is empty. */
  async call(call: master.Call): Promise<master.Response | undefined> {
    return sendCall(this.transport, this.spec(call), RESPONSE);
  }

  private spec(call: master.Call) {
    return { path: PATH, callType: CALL, call, accepted: OK } as const;
  }

  /** Opens the operator event stream; resolves once SUBSCRIBED (the first item yielded) has arrived. */
  async subscribe(): Promise<OperatorSubscription> {
    const stream = new EventStream<master.Event>(
      {
        connect: (signal) =>
          openSubscription(
            this.transport,
            { path: PATH, callType: CALL, call: { type: 'SUBSCRIBE' } },
            signal,
          ),
        decode: (record, format) => decodeMessage('mesos.v1.master.Event', record, format),
        inspect: (event) =>
          event.type === 'SUBSCRIBED'
            ? {
                subscribed: {
                  heartbeatIntervalSeconds: event.subscribed?.heartbeat_interval_seconds,
                },
              }
            : {},
      },
      this.transport,
    );
    this.streams.add(stream);
    const close = async () => {
      this.streams.delete(stream);
      await stream.close();
    };
    try {
      await stream.start();
    } catch (error) {
      await close();
      throw error;
    }
    return { close, [Symbol.asyncIterator]: () => stream.events };
  }

  /** Ends every subscription and releases every connection and timer. */
  async close(): Promise<void> {
    await Promise.all([...this.streams].map((stream) => stream.close()));
    this.streams.clear();
    await this.transport.close();
  }

  /**
   * A GET_* call whose answer must carry `field`; a protobuf answer's repeated field at
   * `sliced`, when given, is decoded in slices (decodeMessageInSlices).
   */
  private async query<K extends keyof master.Response>(
    call: master.Call,
    field: K,
    sliced?: string[],
  ): Promise<master.Response[K]> {
    const { body, format } = await sendCallForBytes(this.transport, this.spec(call));
    if (body.byteLength === 0)
      throw new MesosCodecError(`the master answered ${call.type} with an empty body`);
    const response =
      format === 'protobuf' && sliced
        ? await decodeMessageInSlices(RESPONSE, body, sliced)
        : decodeMessage(RESPONSE, body, format);
    return response[field];
  }
}
