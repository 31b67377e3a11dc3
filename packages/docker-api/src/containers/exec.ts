import type { Duplex, Writable } from 'node:stream';
import type { ExecConfig, ExecRun, ExecView, OutputChunk, TerminalSize } from '@shoal/core';
import { badRequest } from '../errors';
import { queryTerminalSize } from '../query';
import type { RequestContext, Route } from '../router';
import { frame, streamContentType } from '../streams/framing';
import { pump } from '../streams/pump';
import {
  boolField,
  commandField,
  isObject,
  stringField,
  stringListField,
  type JsonObject,
} from './body-fields';

// docker exec: POST /containers/{id}/exec makes an exec instance, POST /exec/{id}/start
// runs it (the CLI hijacks the connection: raw output with a TTY, Docker's 8-byte frames
// without, its stdin read off the same connection), POST /exec/{id}/resize sizes its
// terminal and GET /exec/{id}/json tells its exit code. The process runs in a nested
// container session on the task's Mesos agent (core's ExecService).

/** ConsoleSize is [height, width]; 0 or absent means "no size". */
export function consoleSize(from: JsonObject, path: string): TerminalSize | undefined {
  const value = from.ConsoleSize;
  if (value === null || value === undefined) return undefined;
  if (
    !Array.isArray(value) ||
    value.length !== 2 ||
    !value.every((n) => typeof n === 'number' && Number.isInteger(n) && n >= 0)
  )
    throw badRequest(`invalid type for ${path}: expected [height, width]`);
  const [rows, columns] = value as [number, number];
  return rows > 0 && columns > 0 ? { rows, columns } : undefined;
}

export function parseExecBody(body: unknown): ExecConfig {
  if (!isObject(body)) throw badRequest('the request body must be a JSON object (the exec config)');
  const cmd = commandField(body, 'Cmd', 'Cmd') ?? [];
  const size = consoleSize(body, 'ConsoleSize');
  const user = stringField(body, 'User', 'User');
  const workingDir = stringField(body, 'WorkingDir', 'WorkingDir');
  return {
    cmd,
    env: stringListField(body, 'Env', 'Env') ?? [],
    tty: boolField(body, 'Tty', 'Tty') ?? false,
    attachStdin: boolField(body, 'AttachStdin', 'AttachStdin') ?? false,
    attachStdout: boolField(body, 'AttachStdout', 'AttachStdout') ?? false,
    attachStderr: boolField(body, 'AttachStderr', 'AttachStderr') ?? false,
    ...(user ? { user } : {}),
    ...(workingDir ? { workingDir } : {}),
    ...(boolField(body, 'Privileged', 'Privileged') ? { privileged: true } : {}),
    ...(size ? { consoleSize: size } : {}),
  };
}

async function create(ctx: RequestContext): Promise<void> {
  const config = parseExecBody(await ctx.ex.readJson());
  const exec = await ctx.services.execs.create(
    ctx.caller.tenantId,
    ctx.params.id ?? '',
    config,
    ctx.caller.actor,
  );
  ctx.ex.json(201, { Id: exec.id });
}

async function* encoded(chunks: AsyncIterable<OutputChunk>, tty: boolean) {
  for await (const chunk of chunks) {
    const data = Buffer.from(chunk.data);
    yield tty ? data : frame(chunk.stream, data);
  }
}

/** The client's stdin, read off the hijacked connection until it half-closes. */
function feedInput(socket: Duplex, run: ExecRun): void {
  socket.on('data', (chunk: Buffer) => run.write(chunk));
  socket.once('end', () => run.endInput());
}

async function start(ctx: RequestContext): Promise<void> {
  const { ex, caller, services } = ctx;
  const body = await ex.readJson();
  const options = isObject(body) ? body : {};
  const detach = boolField(options, 'Detach', 'Detach') ?? false;
  const size = consoleSize(options, 'ConsoleSize');
  const execId = ctx.params.id ?? '';
  // A detached process outlives this request: nothing reads it but Shoal.
  const signal = detach ? new AbortController().signal : ex.signal;
  const run = await services.execs.start(caller.tenantId, execId, size ? { size } : {}, signal);
  if (detach) {
    void drain(run.output);
    ex.empty(200);
    return;
  }
  const headers = { 'Content-Type': streamContentType(run.tty, ctx.apiVersion) };
  let out: Writable;
  if (ex.wantsUpgrade) {
    const socket = ex.upgrade(headers);
    feedInput(socket, run);
    out = socket;
  } else {
    out = ex.stream(200, headers);
  }
  await pump(out, encoded(run.output, run.tty), ex.signal);
  out.end();
}

async function drain(output: AsyncIterable<OutputChunk>): Promise<void> {
  try {
    for await (const _chunk of output) {
      // A detached exec's output goes nowhere, as under Docker.
    }
  } catch {
    // The process ended without its exit code known; inspect says it is no longer running.
  }
}

async function resize(ctx: RequestContext): Promise<void> {
  ctx.services.execs.resize(ctx.caller.tenantId, ctx.params.id ?? '', queryTerminalSize(ctx.query));
  ctx.ex.empty(200);
}

export function execInspectBody(exec: ExecView) {
  const [entrypoint = '', ...args] = exec.config.cmd;
  return {
    CanRemove: false,
    ContainerID: exec.containerId,
    DetachKeys: '',
    ExitCode: exec.exitCode,
    ID: exec.id,
    OpenStderr: exec.config.attachStderr,
    OpenStdin: exec.config.attachStdin,
    OpenStdout: exec.config.attachStdout,
    ProcessConfig: {
      arguments: args,
      entrypoint,
      privileged: false,
      tty: exec.config.tty,
      user: exec.config.user ?? '',
    },
    Running: exec.running,
    // The process runs on a Mesos agent, whose process ids Shoal does not see.
    Pid: 0,
  };
}

async function inspect(ctx: RequestContext): Promise<void> {
  ctx.ex.json(
    200,
    execInspectBody(ctx.services.execs.inspect(ctx.caller.tenantId, ctx.params.id ?? '')),
  );
}

export const execRoutes: Route[] = [
  { method: 'POST', path: '/containers/{id}/exec', handle: create },
  { method: 'POST', path: '/exec/{id}/start', handle: start },
  { method: 'POST', path: '/exec/{id}/resize', handle: resize },
  { method: 'GET', path: '/exec/{id}/json', handle: inspect },
];
