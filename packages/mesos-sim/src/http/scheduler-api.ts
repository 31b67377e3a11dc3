import type { IncomingMessage, ServerResponse } from 'node:http';
import type { scheduler } from '@shoal/mesos';
import type { Master } from '../master';
import type { FrameworkRecord } from '../model';
import { processCounts } from '../process-counts';
import { reconcile } from '../reconcile';
import {
  EventStream,
  notAcceptable,
  receiveCall,
  type RequiredFields,
  responseFormat,
  sendText,
} from './transport';

/** Sub-message each call type must carry (validation::scheduler::call). */
const REQUIRED: RequiredFields = {
  SUBSCRIBE: 'subscribe',
  ACCEPT: 'accept',
  DECLINE: 'decline',
  ACCEPT_INVERSE_OFFERS: 'accept_inverse_offers',
  DECLINE_INVERSE_OFFERS: 'decline_inverse_offers',
  KILL: 'kill',
  SHUTDOWN: 'shutdown',
  ACKNOWLEDGE: 'acknowledge',
  ACKNOWLEDGE_OPERATION_STATUS: 'acknowledge_operation_status',
  RECONCILE: 'reconcile',
  RECONCILE_OPERATIONS: 'reconcile_operations',
  MESSAGE: 'message',
  REQUEST: 'request',
  UPDATE_FRAMEWORK: 'update_framework',
};

function validate(call: scheduler.Call): string | undefined {
  if (call.type === 'SUBSCRIBE') {
    if (call.framework_id?.value !== call.subscribe?.framework_info.id?.value) {
      return "'framework_id' differs from 'subscribe.framework_info.id'";
    }
    return undefined;
  }
  if (call.framework_id === undefined) return "Expecting 'framework_id' to be present";
  if (call.type === 'ACKNOWLEDGE' && call.acknowledge?.uuid.length !== 16) {
    return `Invalid UUID: expected 16 bytes, got ${call.acknowledge?.uuid.length ?? 0}`;
  }
  return undefined;
}

/** `POST /api/v1/scheduler` on master `self`. */
export async function handleSchedulerApi(
  master: Master,
  self: number,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const call = await receiveCall(
    master,
    self,
    req,
    res,
    { type: 'mesos.v1.scheduler.Call', label: 'scheduler::Call', required: REQUIRED },
    validate,
  );
  if (!call) return;

  if (call.type === 'SUBSCRIBE' && call.subscribe) {
    const format = responseFormat(req);
    if (!format) return notAcceptable(res);
    if (req.headers['mesos-stream-id'] !== undefined) {
      return sendText(res, 400, "Subscribe calls should not include the 'Mesos-Stream-Id' header");
    }
    const streamId = master.random.uuid();
    const stream = new EventStream(res, 'mesos.v1.scheduler.Event', format, {
      'Mesos-Stream-Id': streamId,
    });
    stream.onClose(() => {
      const framework = [...master.frameworks.values()].find((f) => f.sink === stream);
      if (framework) master.subscriptions.streamClosed(framework, stream);
    });
    master.subscriptions.subscribe(call.subscribe, stream, streamId);
    return;
  }

  const framework = master.frameworks.get(call.framework_id?.value ?? '');
  if (!framework) return sendText(res, 400, 'Framework cannot be found');
  if (!framework.connected) return sendText(res, 403, 'Framework is not subscribed');
  const streamId = req.headers['mesos-stream-id'];
  if (streamId === undefined) {
    return sendText(
      res,
      400,
      "All non-subscribe calls should include the 'Mesos-Stream-Id' header",
    );
  }
  if (streamId !== framework.streamId) {
    return sendText(
      res,
      400,
      `The stream ID '${String(streamId)}' included in this request didn't match the stream ID currently associated with framework ID ${framework.id}`,
    );
  }
  const held = call.type ? master.callHolds.get(call.type) : undefined;
  if (held?.matches(call)) {
    master.callHolds.delete(call.type!);
    held.hold({
      process: () => dispatch(master, framework, call, req, res),
      drop: () => res.destroy(),
    });
    return;
  }
  dispatch(master, framework, call, req, res);
}

function dispatch(
  master: Master,
  framework: FrameworkRecord,
  call: scheduler.Call,
  req: IncomingMessage,
  res: ServerResponse,
): void {
  const accepted = () => sendText(res, 202);
  const { schedulerCalls } = processCounts;
  if (call.type) schedulerCalls.set(call.type, (schedulerCalls.get(call.type) ?? 0) + 1);
  switch (call.type) {
    case 'TEARDOWN':
      master.subscriptions.teardown(framework);
      return accepted();
    case 'ACCEPT':
      if (call.accept) master.offerBook.accept(framework, call.accept);
      return accepted();
    case 'DECLINE':
      if (call.decline) master.offerBook.decline(framework, call.decline);
      return accepted();
    case 'ACCEPT_INVERSE_OFFERS':
    case 'DECLINE_INVERSE_OFFERS': {
      const body = call.accept_inverse_offers ?? call.decline_inverse_offers;
      const ids = (body?.inverse_offer_ids ?? []).map((o) => o.value);
      master.maintenance.respond(
        framework,
        ids,
        call.type === 'ACCEPT_INVERSE_OFFERS',
        body?.filters,
      );
      return accepted();
    }
    case 'REVIVE':
      master.subscriptions.revive(framework, call.revive?.roles);
      return accepted();
    case 'SUPPRESS':
      master.subscriptions.suppress(framework, call.suppress?.roles);
      return accepted();
    case 'KILL': {
      const kill = call.kill as scheduler.Call.Kill;
      const task = framework.tasks.get(kill.task_id.value);
      // Killing a task the master does not know answers with its reconciliation state.
      if (task) master.taskManager.kill(task);
      else
        reconcile(master, framework, {
          tasks: [{ task_id: kill.task_id, ...(kill.agent_id ? { agent_id: kill.agent_id } : {}) }],
        });
      return accepted();
    }
    case 'SHUTDOWN': {
      const executorId = call.shutdown?.executor_id.value;
      for (const task of [...framework.tasks.values()])
        if (task.executorId === executorId) master.taskManager.kill(task);
      return accepted();
    }
    case 'ACKNOWLEDGE': {
      const ack = call.acknowledge as scheduler.Call.Acknowledge;
      master.taskManager.updates.acknowledge(
        framework,
        ack.agent_id.value,
        ack.task_id.value,
        ack.uuid,
      );
      return accepted();
    }
    case 'RECONCILE':
      reconcile(master, framework, call.reconcile ?? {});
      return accepted();
    case 'RECONCILE_OPERATIONS':
      // Answers come as UPDATE_OPERATION_STATUS events; with no offer operations but
      // launches emulated, there are none to send.
      return accepted();
    case 'MESSAGE':
    case 'REQUEST':
    case 'ACKNOWLEDGE_OPERATION_STATUS':
      return accepted();
    case 'UPDATE_FRAMEWORK': {
      const error = master.subscriptions.update(
        framework,
        call.update_framework as scheduler.Call.UpdateFramework,
      );
      return error ? sendText(res, 400, error) : sendText(res, 200);
    }
    default:
      return sendText(res, 501);
  }
}
