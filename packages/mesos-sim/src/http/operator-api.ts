import type { IncomingMessage, ServerResponse } from 'node:http';
import type { master as m, WireFormat } from '@shoal/mesos';
import { AgentError } from '../agents';
import { MaintenanceError } from '../maintenance';
import type { Master } from '../master';
import { isSubroleOrSelf } from '../roles';
import { masterFlags, masterMetrics, versionInfo } from '../master-status';
import {
  EventStream,
  notAcceptable,
  receiveCall,
  type RequiredFields,
  responseFormat,
  sendMessage,
  sendText,
} from './transport';

const REQUIRED: RequiredFields = {
  UPDATE_WEIGHTS: 'update_weights',
  UPDATE_MAINTENANCE_SCHEDULE: 'update_maintenance_schedule',
  START_MAINTENANCE: 'start_maintenance',
  STOP_MAINTENANCE: 'stop_maintenance',
  UPDATE_QUOTA: 'update_quota',
  DRAIN_AGENT: 'drain_agent',
  DEACTIVATE_AGENT: 'deactivate_agent',
  REACTIVATE_AGENT: 'reactivate_agent',
  TEARDOWN: 'teardown',
  MARK_AGENT_GONE: 'mark_agent_gone',
};

/** `POST /api/v1` on master `self`: the operator calls the emulator supports. */
export async function handleOperatorApi(
  master: Master,
  self: number,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const call = await receiveCall(master, self, req, res, {
    type: 'mesos.v1.master.Call',
    label: 'master::Call',
    required: REQUIRED,
  });
  if (!call) return;
  const format = responseFormat(req);
  if (!format) return notAcceptable(res);
  try {
    dispatch(master, self, call, format, res);
  } catch (error) {
    if (error instanceof AgentError || error instanceof MaintenanceError)
      return sendText(res, 400, error.message);
    throw error;
  }
}

function dispatch(
  master: Master,
  self: number,
  call: m.Call,
  format: WireFormat,
  res: ServerResponse,
): void {
  const respond = (response: m.Response) =>
    sendMessage(res, 200, 'mesos.v1.master.Response', response, format);
  const ok = () => sendText(res, 200);
  const { views } = master;
  switch (call.type) {
    case 'GET_HEALTH':
      return respond({ type: 'GET_HEALTH', get_health: { healthy: true } });
    case 'GET_VERSION':
      return respond({
        type: 'GET_VERSION',
        get_version: { version_info: versionInfo(master) },
      });
    case 'GET_FLAGS':
      return respond({ type: 'GET_FLAGS', get_flags: { flags: masterFlags(master, self) } });
    case 'GET_METRICS':
      return respond({
        type: 'GET_METRICS',
        get_metrics: { metrics: masterMetrics(master, self) },
      });
    case 'GET_MASTER': {
      const info = master.leaderInfo();
      return respond({
        type: 'GET_MASTER',
        get_master: { ...(info ? { master_info: info } : {}) },
      });
    }
    case 'GET_STATE':
      return respond({ type: 'GET_STATE', get_state: views.getState() });
    case 'GET_AGENTS':
      return respond({ type: 'GET_AGENTS', get_agents: views.getAgents() });
    case 'GET_FRAMEWORKS':
      return respond({ type: 'GET_FRAMEWORKS', get_frameworks: views.getFrameworks() });
    case 'GET_TASKS':
      return respond({ type: 'GET_TASKS', get_tasks: views.getTasks() });
    case 'GET_EXECUTORS':
      return respond({ type: 'GET_EXECUTORS', get_executors: { executors: [] } });
    case 'GET_ROLES':
      return respond({ type: 'GET_ROLES', get_roles: views.getRoles() });
    case 'GET_WEIGHTS':
      return respond({
        type: 'GET_WEIGHTS',
        get_weights: { weight_infos: master.roleConfig.weightInfos() },
      });
    case 'GET_QUOTA':
      return respond({ type: 'GET_QUOTA', get_quota: { status: master.roleConfig.status() } });
    case 'GET_MAINTENANCE_SCHEDULE':
      return respond({
        type: 'GET_MAINTENANCE_SCHEDULE',
        get_maintenance_schedule: { schedule: master.maintenance.getSchedule() },
      });
    case 'GET_MAINTENANCE_STATUS':
      return respond({
        type: 'GET_MAINTENANCE_STATUS',
        get_maintenance_status: { status: master.maintenance.status() },
      });
    case 'UPDATE_WEIGHTS': {
      const error = master.roleConfig.updateWeights(call.update_weights?.weight_infos ?? []);
      if (error) return sendText(res, 400, error);
      master.allocator.soon();
      return ok();
    }
    case 'UPDATE_QUOTA':
      return updateQuota(master, call.update_quota as m.Call.UpdateQuota, res);
    case 'UPDATE_MAINTENANCE_SCHEDULE':
      master.maintenance.updateSchedule(
        (call.update_maintenance_schedule as m.Call.UpdateMaintenanceSchedule).schedule,
      );
      return ok();
    case 'START_MAINTENANCE':
      master.maintenance.start(call.start_maintenance?.machines);
      return ok();
    case 'STOP_MAINTENANCE':
      master.maintenance.stop(call.stop_maintenance?.machines);
      return ok();
    case 'DRAIN_AGENT': {
      const drain = call.drain_agent as m.Call.DrainAgent;
      const grace = drain.max_grace_period;
      master.agentManager.drain(drain.agent_id.value, {
        ...(grace
          ? {
              max_grace_period: {
                nanoseconds: (grace.seconds ?? 0n) * 1_000_000_000n + BigInt(grace.nanos ?? 0),
              },
            }
          : {}),
        mark_gone: drain.mark_gone ?? false,
      });
      return ok();
    }
    case 'DEACTIVATE_AGENT':
      master.agentManager.deactivate(
        (call.deactivate_agent as m.Call.DeactivateAgent).agent_id.value,
      );
      return ok();
    case 'REACTIVATE_AGENT':
      master.agentManager.reactivate(
        (call.reactivate_agent as m.Call.ReactivateAgent).agent_id.value,
      );
      return ok();
    case 'MARK_AGENT_GONE': {
      const agent = master.agentManager.get(
        (call.mark_agent_gone as m.Call.MarkAgentGone).agent_id.value,
      );
      master.agentManager.remove(agent, 'gone');
      return ok();
    }
    case 'TEARDOWN': {
      const framework = master.frameworks.get(
        (call.teardown as m.Call.Teardown).framework_id.value,
      );
      if (!framework) return sendText(res, 400, 'No framework found with specified ID');
      master.subscriptions.teardown(framework);
      return ok();
    }
    case 'SUBSCRIBE': {
      const stream = new EventStream(res, 'mesos.v1.master.Event', format);
      stream.onClose(() => master.operatorEvents.unsubscribe(stream));
      master.operatorEvents.subscribe(stream);
      return;
    }
    case 'UNKNOWN':
      return sendText(res, 501);
    default:
      return sendText(res, 501, `${call.type ?? 'UNKNOWN'} is not supported by the emulator`);
  }
}

function updateQuota(master: Master, update: m.Call.UpdateQuota, res: ServerResponse): void {
  const configs = update.quota_configs ?? [];
  const error = master.roleConfig.updateQuota(configs, {
    force: update.force ?? false,
    consumption: (role) => {
      const totals: Record<string, number> = {};
      for (const framework of master.frameworks.values()) {
        for (const [r, usage] of framework.usage) {
          if (!isSubroleOrSelf(r, role)) continue;
          for (const [name, value] of Object.entries(usage.allocated.scalars))
            totals[name] = (totals[name] ?? 0) + value;
        }
      }
      return totals;
    },
    capacity: master.views.capacity(),
  });
  if (error) return sendText(res, 400, error);
  // Best effort to enforce the new quota at once: outstanding offers go back to the pool.
  const setsGuarantees = configs.some((c) => Object.keys(c.guarantees ?? {}).length > 0);
  master.offerBook.rescindForRoles(setsGuarantees ? 'all' : new Set(configs.map((c) => c.role)));
  master.allocator.soon();
  sendText(res, 200);
}
