import { actionMatches, type ContainerEvent, fireAt, matchesLabels } from '@shoal/core';
import { queryFilters, queryTime, type Filters } from './query';
import type { RequestContext, Route } from './router';
import { pump } from './streams/pump';

/** Docker's event message; the lower-case fields are the pre-1.22 names old clients still read. */
function eventBody(event: ContainerEvent) {
  return {
    status: event.action,
    id: event.containerId,
    from: event.image,
    Type: 'container',
    Action: event.action,
    Actor: {
      ID: event.containerId,
      Attributes: { ...event.attributes, image: event.image, name: event.name },
    },
    scope: 'local',
    time: Math.floor(event.at.getTime() / 1000),
    // Beyond 2^53, but JSON.stringify prints the shortest exact digits: milliseconds then six zeros.
    timeNano: event.at.getTime() * 1e6,
  };
}

const toJsonLine = (event: ContainerEvent) => `${JSON.stringify(eventBody(event))}\n`;

function eventMatches(event: ContainerEvent, filters: Filters): boolean {
  const types = filters.get('type');
  if (types && !types.includes('container')) return false;
  const containers = filters.get('container');
  if (
    containers &&
    !containers.some((c) => c === event.name || (c.length > 0 && event.containerId.startsWith(c)))
  ) {
    return false;
  }
  const actions = filters.get('event');
  if (actions && !actions.some((a) => actionMatches(a, event.action))) return false;
  const images = filters.get('image');
  if (images && !images.includes(event.image)) return false;
  const labels = filters.get('label');
  return !labels || matchesLabels(event.attributes, labels);
}

async function* eventLines(
  ctx: RequestContext,
  filters: Filters,
  since: Date | undefined,
  until: Date | undefined,
  signal: AbortSignal,
) {
  // Subscribe before reading the past, so nothing falls between the two.
  const live = ctx.services.events.subscribe(ctx.caller.tenantId, signal);
  const subscribedAt = new Date();
  try {
    if (since) {
      const end = until && until < subscribedAt ? until : subscribedAt;
      const types = filters.get('type');
      const past =
        types && !types.includes('container')
          ? []
          : await ctx.services.eventJournal.between(ctx.caller.tenantId, since, end, {
              ...(filters.get('container') ? { containers: filters.get('container') } : {}),
              ...(filters.get('event') ? { actions: filters.get('event') } : {}),
              ...(filters.get('image') ? { images: filters.get('image') } : {}),
            });
      for (const event of past) {
        if (eventMatches(event, filters)) yield toJsonLine(event);
      }
    }
    if (until && until <= subscribedAt) return;
    for await (const event of live) {
      if (until && event.at > until) return;
      if (eventMatches(event, filters)) yield toJsonLine(event);
    }
  } finally {
    await live.return?.();
  }
}

/** GET /events: past events with `since`, then live ones until `until` or the client leaves. */
async function events(ctx: RequestContext): Promise<void> {
  const filters = queryFilters(ctx.query, ['type', 'container', 'event', 'label', 'image']);
  const since = queryTime(ctx.query, 'since', { zeroIsEpoch: true });
  const until = queryTime(ctx.query, 'until');
  // Ends the live part at `until` even when no event arrives to notice it.
  const stop = new AbortController();
  const signal = AbortSignal.any([ctx.ex.signal, stop.signal]);
  const cancel = until ? fireAt(until, () => stop.abort()) : undefined;
  try {
    const out = ctx.ex.stream(200, { 'Content-Type': 'application/json' });
    await pump(out, eventLines(ctx, filters, since, until, signal), ctx.ex.signal);
    out.end();
  } finally {
    cancel?.();
  }
}

export const eventRoutes: Route[] = [{ method: 'GET', path: '/events', handle: events }];
