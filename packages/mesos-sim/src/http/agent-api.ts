import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  type agent,
  CONTENT_TYPES,
  encodeMessage,
  encodeRecord,
  type WireFormat,
} from '@shoal/mesos';
import type { Master } from '../master';
import type { AgentRecord } from '../model';
import {
  findContainer,
  formatContainerId,
  launchSession,
  listContainers,
} from '../ucr/agent-containers';
import { isMesosContainer } from '../ucr/launch';
import type { IoContainer, OutputSink } from '../ucr/switchboard';
import {
  decodeCall,
  type MediaTypes,
  negotiate,
  RECORDIO,
  RecordReader,
  STREAMED_ANSWERS,
} from './agent-call-wire';
import { readBody, sendMessage, sendText } from './transport';

/**
 * An agent's v1 API (`POST /api/v1` on the agent), with the media-type rules an agent
 * applies: calls in JSON or protobuf, ATTACH_CONTAINER_INPUT as a RecordIO stream of
 * calls (`Message-Content-Type` naming their type), and the two streaming answers
 * (LAUNCH_NESTED_CONTAINER_SESSION, ATTACH_CONTAINER_OUTPUT) as RecordIO records of the
 * `Message-Accept` type. Errors are plain text with the agent's status codes.
 */

export async function handleAgentApi(
  master: Master,
  at: AgentRecord | undefined,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  if (req.method !== 'POST') {
    sendText(res, 405, `Expecting a 'POST' request, received '${req.method ?? ''}'`, {
      Allow: 'POST',
    });
    return;
  }
  const types = negotiate(req, res);
  if (!types) return;
  let call: agent.Call | string;
  let reader: RecordReader | undefined;
  if (types.content === 'recordio') {
    reader = new RecordReader(req);
    let first: Uint8Array | undefined;
    try {
      first = await reader.next();
    } catch (error) {
      return sendText(res, 400, (error as Error).message);
    }
    if (first === undefined) return sendText(res, 400, 'Received EOF while reading request body');
    call = decodeCall(first, types.messageContent as WireFormat);
  } else {
    call = decodeCall(await readBody(req), types.content);
  }
  if (typeof call === 'string') return sendText(res, 400, call);
  const type = call.type as agent.Call.Type;
  if (types.content === 'recordio' && type !== 'ATTACH_CONTAINER_INPUT') {
    return sendText(
      res,
      415,
      `Streaming 'Content-Type' ${RECORDIO} is not supported for ${type} call`,
    );
  }
  if (types.content !== 'recordio' && type === 'ATTACH_CONTAINER_INPUT') {
    return sendText(
      res,
      415,
      `Expecting 'Content-Type' to be ${RECORDIO} for ATTACH_CONTAINER_INPUT call`,
    );
  }
  if (types.accept === 'recordio' && !STREAMED_ANSWERS.has(type))
    return sendText(res, 406, `Streaming response is not supported for ${type} call`);
  const answerFormat: WireFormat = types.accept === 'recordio' ? 'json' : types.accept;

  switch (type) {
    case 'UNKNOWN':
      return sendText(res, 501);
    case 'GET_HEALTH':
      return sendMessage(
        res,
        200,
        'mesos.v1.agent.Response',
        { type: 'GET_HEALTH', get_health: { healthy: true } },
        answerFormat,
      );
    case 'GET_CONTAINERS':
      return sendMessage(
        res,
        200,
        'mesos.v1.agent.Response',
        {
          type: 'GET_CONTAINERS',
          get_containers: {
            containers: listContainers(master, at, call.get_containers?.show_nested ?? false),
          },
        },
        answerFormat,
      );
    case 'LAUNCH_NESTED_CONTAINER_SESSION': {
      const launched = launchSession(
        master,
        at,
        call.launch_nested_container_session as agent.Call.LaunchNestedContainerSession,
      );
      if ('status' in launched) {
        return sendText(res, launched.status, 'message' in launched ? launched.message : '');
      }
      // The session's container lives as long as this connection.
      res.on('close', () => launched.container.kill());
      return streamOutput(launched.container, types, res);
    }
    case 'ATTACH_CONTAINER_OUTPUT': {
      const containerId = (call.attach_container_output as agent.Call.AttachContainerOutput)
        .container_id;
      const found = ioContainer(master, at, containerId, res);
      if (found) streamOutput(found, types, res);
      return;
    }
    case 'ATTACH_CONTAINER_INPUT':
      return attachInput(master, at, call, reader as RecordReader, types, res);
    case 'WAIT_CONTAINER':
    case 'WAIT_NESTED_CONTAINER': {
      const containerId =
        type === 'WAIT_CONTAINER'
          ? (call.wait_container as agent.Call.WaitContainer).container_id
          : (call.wait_nested_container as agent.Call.WaitNestedContainer).container_id;
      return waitFor(master, at, containerId, type, answerFormat, res);
    }
    case 'KILL_CONTAINER':
    case 'KILL_NESTED_CONTAINER': {
      const kill =
        type === 'KILL_CONTAINER'
          ? (call.kill_container as agent.Call.KillContainer)
          : (call.kill_nested_container as agent.Call.KillNestedContainer);
      const found = findContainer(master, at, kill.container_id);
      if (!found) return notFound(res, kill.container_id);
      if (found.kind === 'task') master.taskManager.kill(found.task);
      else found.container.kill(kill.signal ?? 9);
      return sendText(res, 200);
    }
    default:
      return sendText(res, 501, `${type} is not emulated by this agent`);
  }
}

function notFound(res: ServerResponse, containerId: agent.Call.WaitContainer['container_id']) {
  sendText(res, 404, `Container ${formatContainerId(containerId)} cannot be found`);
}

/**
 * The container behind an attach: a session's, or a task's that has a terminal. Other
 * containers have no I/O switchboard (500, as the agent's failed attach is answered).
 */
function ioContainer(
  master: Master,
  at: AgentRecord | undefined,
  containerId: agent.Call.WaitContainer['container_id'],
  res: ServerResponse,
): IoContainer | undefined {
  const found = findContainer(master, at, containerId);
  if (!found) {
    notFound(res, containerId);
    return undefined;
  }
  if (found.kind === 'nested') return found.container;
  if (!isMesosContainer(found.task.info)) {
    sendText(res, 500, 'Unsupported');
    return undefined;
  }
  if (!found.task.io) {
    sendText(res, 500, 'I/O switchboard server was disabled for this container');
    return undefined;
  }
  return found.task.io;
}

/** A chunked stream of ProcessIO records, ended when the container's output ends. */
function streamOutput(container: IoContainer, types: MediaTypes, res: ServerResponse): void {
  const streaming = types.accept === 'recordio';
  // Asked for JSON or protobuf instead of RecordIO, an agent still frames the records.
  const format: WireFormat =
    types.accept === 'recordio' ? (types.messageAccept as WireFormat) : types.accept;
  res.writeHead(200, {
    'Content-Type': streaming ? RECORDIO : CONTENT_TYPES[format],
    ...(streaming ? { 'Message-Content-Type': CONTENT_TYPES[format] } : {}),
  });
  res.flushHeaders();
  let open = true;
  const sink: OutputSink = {
    send(record) {
      if (open) res.write(encodeRecord(encodeMessage('mesos.v1.agent.ProcessIO', record, format)));
    },
    close() {
      if (!open) return;
      open = false;
      res.end();
    },
  };
  const detach = container.attachOutput(sink);
  res.on('close', () => {
    open = false;
    detach();
  });
}

async function attachInput(
  master: Master,
  at: AgentRecord | undefined,
  first: agent.Call,
  reader: RecordReader,
  types: MediaTypes,
  res: ServerResponse,
): Promise<void> {
  const attach = first.attach_container_input as agent.Call.AttachContainerInput;
  if (attach.type !== 'CONTAINER_ID' || !attach.container_id)
    return sendText(res, 400, "Expecting 'attach_container_input.type' to be CONTAINER_ID");
  const container = ioContainer(master, at, attach.container_id, res);
  if (!container) return;
  if (container.inputConnected)
    return sendText(res, 409, 'Multiple input connections are not allowed');
  container.inputConnected = true;
  const format = types.messageContent as WireFormat;
  // The answer comes when the input ends, or once the process's output is out.
  const outcome = await Promise.race([
    readInput(container, reader, format),
    container.ended.then(() => undefined),
  ]);
  container.inputConnected = false;
  if (outcome !== undefined) return sendText(res, 400, outcome);
  sendText(res, 200);
}

/** Feeds the records of an input stream to the container; an error's text, if one is bad. */
async function readInput(
  container: IoContainer,
  reader: RecordReader,
  format: WireFormat,
): Promise<string | undefined> {
  for (;;) {
    let bytes: Uint8Array | undefined;
    try {
      bytes = await reader.next();
    } catch (error) {
      return (error as Error).message;
    }
    if (bytes === undefined) return undefined;
    const call = decodeCall(bytes, format);
    if (typeof call === 'string') return call;
    const invalid = inputError(call);
    if (invalid) return invalid;
    container.input(
      (call.attach_container_input as agent.Call.AttachContainerInput)
        .process_io as agent.ProcessIO,
    );
  }
}

/** What the switchboard checks in each record after the first. */
function inputError(call: agent.Call): string | undefined {
  const input = call.attach_container_input;
  if (call.type !== 'ATTACH_CONTAINER_INPUT' || !input)
    return "Expecting 'attach_container_input' to be present";
  if (input.type !== 'PROCESS_IO')
    return "Expecting 'attach_container_input.type' to be PROCESS_IO";
  const io = input.process_io;
  if (!io) return "Expecting 'attach_container_input.process_io' to be present";
  if (io.type === undefined) return "Expecting 'process_io.type' to be present";
  if (io.type === 'UNKNOWN') return "'process_io.type' is unknown";
  if (io.type === 'CONTROL') {
    if (!io.control) return "Expecting 'process_io.control' to be present";
    if (io.control.type === undefined) return "Expecting 'process_io.control.type' to be present";
    if (io.control.type === 'UNKNOWN') return "'process_io.control.type' is unknown";
    if (io.control.type === 'TTY_INFO') {
      if (!io.control.tty_info) return "Expecting 'process_io.control.tty_info' to be present";
      if (!io.control.tty_info.window_size) return "Expecting 'tty_info.window_size' to be present";
    }
    if (io.control.type === 'HEARTBEAT' && !io.control.heartbeat)
      return "Expecting 'process_io.control.heartbeat' to be present";
    return undefined;
  }
  if (!io.data) return "Expecting 'process_io.data' to be present";
  if (io.data.type === undefined) return "Expecting 'process_io.data.type' to be present";
  if (io.data.type !== 'STDIN') return "Expecting 'process_io.data.type' to be 'STDIN'";
  if (io.data.data === undefined) return "Expecting 'process_io.data.data' to be present";
  return undefined;
}

async function waitFor(
  master: Master,
  at: AgentRecord | undefined,
  containerId: agent.Call.WaitContainer['container_id'],
  type: 'WAIT_CONTAINER' | 'WAIT_NESTED_CONTAINER',
  format: WireFormat,
  res: ServerResponse,
): Promise<void> {
  const found = findContainer(master, at, containerId);
  const container = found?.kind === 'nested' ? found.container : found?.task.io;
  if (!found) return notFound(res, containerId);
  if (!container) {
    return sendText(
      res,
      501,
      "Waiting on a task's own container is emulated only for tasks with a terminal",
    );
  }
  const status = await container.ended;
  const answer: agent.Response =
    type === 'WAIT_CONTAINER'
      ? { type: 'WAIT_CONTAINER', wait_container: { exit_status: status } }
      : { type: 'WAIT_NESTED_CONTAINER', wait_nested_container: { exit_status: status } };
  if (!res.destroyed) sendMessage(res, 200, 'mesos.v1.agent.Response', answer, format);
}
