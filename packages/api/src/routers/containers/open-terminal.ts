import { tracked } from '@trpc/server';
import { z } from 'zod';
import type { PlacedTerminalEvent } from '@shoal/core';
import { zTrackedAsyncIterable } from '../../schemas/async-iterable';
import { ZContainerRef } from '../../schemas/container';
import { tenantProcedure, ZTenantSlug } from '../../trpc';

export const ZTerminalSize = z.object({
  rows: z.number().int().min(1).max(1_000),
  columns: z.number().int().min(1).max(1_000),
});

export const ZOpenTerminalRequestSchema = z.object({
  tenantSlug: ZTenantSlug,
  ref: ZContainerRef,
  size: ZTerminalSize,
  /**
   * Absent when a terminal opens; tRPC's client sends the last event's id here when its
   * stream reconnects, and the same shell goes on from there.
   */
  lastEventId: z.string().max(200).nullish(),
});
export const ZOpenTerminalResponseSchema = zTrackedAsyncIterable(
  z.discriminatedUnion('kind', [
    z.object({ kind: z.literal('opened'), id: z.string() }),
    z.object({ kind: z.literal('output'), data: z.string() }),
    z.object({ kind: z.literal('exited'), code: z.number().int().nullable() }),
  ]),
);

async function* placed(events: AsyncIterable<PlacedTerminalEvent>) {
  for await (const { position, event } of events) yield tracked(position, event);
}

/**
 * A shell with a terminal in a running container, for members: its output streamed, its
 * input and size sent with terminalInput and terminalResize under the id it opens with.
 * A broken stream resumes the same shell; it ends when the browser leaves, or soon after
 * the user stops being a member. Refusals are answered before the stream starts.
 */
export const openTerminalRoute = tenantProcedure('MEMBER')
  .input(ZOpenTerminalRequestSchema)
  .output(ZOpenTerminalResponseSchema)
  .subscription(async ({ ctx, input, signal }) => {
    const until = signal ?? new AbortController().signal;
    const terminals = ctx.services.browserTerminals;
    return placed(
      input.lastEventId
        ? await terminals.resume(ctx.user, input.tenantSlug, input.lastEventId, until)
        : await terminals.start(ctx.user, input.tenantSlug, input.ref, input.size, until),
    );
  });
