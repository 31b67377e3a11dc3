import {
  PipeService,
  TerminalService,
  type ContainerEvent,
  type LogLine,
  type LogOptions,
} from '@shoal/core';
import { badRequest } from '../errors';
import { queryBool, queryInt, queryTime } from '../query';
import type { RequestContext, Route } from '../router';
import { encodeLine, streamContentType, type OutputFormat } from '../streams/framing';
import { pump } from '../streams/pump';
import { attachPipe } from './pipe';
import { attachTerminal } from './terminal';

type LineCounts = Record<LogLine['stream'], number>;

function chooseStreams(query: URLSearchParams): { stdout: boolean; stderr: boolean } {
  const stdout = queryBool(query, 'stdout');
  const stderr = queryBool(query, 'stderr');
  if (!stdout && !stderr) throw badRequest('Bad parameters: you must choose at least one stream');
  return { stdout, stderr };
}

async function* encoded(lines: AsyncIterable<LogLine>, format: OutputFormat) {
  for await (const line of lines) yield encodeLine(line, format);
}

function parseTail(query: URLSearchParams): number | undefined {
  const raw = query.get('tail');
  if (raw === null || raw === '' || raw === 'all') return undefined;
  const tail = queryInt(query, 'tail');
  if (tail === undefined) {
    throw badRequest(`invalid value for tail: "${raw}" (use a number or "all")`);
  }
  // Docker reads a negative count as all of it.
  return tail < 0 ? undefined : tail;
}

/**
 * GET /containers/{id}/logs: multiplexed frames unless the container has a
 * TTY. Lines carry the time Shoal read them from the agent (the sandbox files
 * have no timestamps), which is what `-t` prints and `since` and `until` compare with.
 */
async function logs(ctx: RequestContext): Promise<void> {
  const { query, ex } = ctx;
  const view = await ctx.services.containers.get(ctx.caller.tenantId, ctx.params.id ?? '');
  const options: LogOptions = {
    ...chooseStreams(query),
    follow: queryBool(query, 'follow'),
    allRuns: true,
  };
  const tail = parseTail(query);
  if (tail !== undefined) options.tail = tail;
  const since = queryTime(query, 'since');
  if (since) options.since = since;
  const until = queryTime(query, 'until');
  if (until) options.until = until;
  const format = { tty: view.spec.tty, timestamps: queryBool(query, 'timestamps') };
  const out = ex.stream(200, { 'Content-Type': streamContentType(view.spec.tty, ctx.apiVersion) });
  const lines = ctx.services.containers.logs(ctx.caller.tenantId, view.id, options, ex.signal);
  await pump(out, encoded(lines, format), ex.signal);
  out.end();
}

async function* counting(lines: AsyncIterable<LogLine>, counts: LineCounts) {
  for await (const line of lines) {
    counts[line.stream] += 1;
    yield line;
  }
}

/** Leaves out the first lines of each stream: those the client has already seen. */
async function* skipping(lines: AsyncIterable<LogLine>, counts: LineCounts) {
  const seen: LineCounts = { stdout: 0, stderr: 0 };
  for await (const line of lines) {
    seen[line.stream] += 1;
    if (seen[line.stream] > counts[line.stream]) yield line;
  }
}

async function drain(lines: AsyncIterable<LogLine>): Promise<void> {
  for await (const _line of lines) {
    // Only counted.
  }
}

/** Resolves with what ends the wait for the container's next run, or undefined if the client left. */
async function nextRun(events: AsyncIterable<ContainerEvent>, containerId: string) {
  for await (const event of events) {
    if (event.containerId !== containerId) continue;
    if (event.action === 'start' || event.action === 'die' || event.action === 'destroy') {
      return event.action;
    }
  }
  return undefined;
}

/**
 * POST /containers/{id}/attach. The CLI asks for `Upgrade: tcp` and gets the
 * raw connection; dockerode asks without it and gets a streamed 200. Output
 * comes from the task's sandbox and is followed until the task ends. The CLI
 * attaches before it starts the container, so for a container that is not
 * running this first waits for its next start. Only a terminal takes input
 * (terminal.ts): what the client sends to another container is read and dropped,
 * and the container sees its input closed, as under `docker run` without -i.
 */
async function attach(ctx: RequestContext): Promise<void> {
  const { query, ex, caller, services } = ctx;
  const streams = chooseStreams(query);
  const follow = queryBool(query, 'stream');
  const replay = queryBool(query, 'logs');
  // Subscribed before the look-up, so a start in between is not missed.
  const events = services.events.subscribe(caller.tenantId, ex.signal);
  try {
    const view = await services.containers.get(caller.tenantId, ctx.params.id ?? '');
    // A ucr container's terminal is reached live, input included, through its agent.
    if (TerminalService.isTerminal(view)) return await attachTerminal(ctx, view, events);
    // Without one, a ucr container created with -i runs its command for this client.
    if (PipeService.isPiped(view)) return await attachPipe(ctx, view, events);
    const read = (options: { follow: boolean }) =>
      services.containers.logs(
        caller.tenantId,
        view.id,
        { ...streams, ...options, attached: true },
        ex.signal,
      );
    const format = { tty: view.spec.tty, timestamps: false };
    const seen: LineCounts = { stdout: 0, stderr: 0 };
    const running = view.state === 'running';
    // Counted before the answer goes out, so everything after it is new to the client.
    if (follow && running && !replay) await drain(counting(read({ follow: false }), seen));

    const headers = { 'Content-Type': streamContentType(view.spec.tty, ctx.apiVersion) };
    const out = ex.wantsUpgrade ? ex.upgrade(headers).resume() : ex.stream(200, headers);
    if (replay)
      await pump(out, encoded(counting(read({ follow: false }), seen), format), ex.signal);
    if (follow && running) {
      await pump(out, encoded(skipping(read({ follow: true }), seen), format), ex.signal);
    } else if (follow) {
      const outcome = await nextRun(events, view.id);
      if (outcome === 'start' || outcome === 'die') {
        await pump(out, encoded(read({ follow: true }), format), ex.signal);
      }
    }
    out.end();
  } finally {
    await events.return?.();
  }
}

export const outputRoutes: Route[] = [
  { method: 'GET', path: '/containers/{id}/logs', handle: logs },
  {
    method: 'POST',
    path: '/containers/{id}/attach',
    handle: attach,
    onlyWatches: (query) => !queryBool(query, 'stdin'),
  },
];
