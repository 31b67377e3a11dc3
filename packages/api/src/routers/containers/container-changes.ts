import { tracked } from '@trpc/server';
import { z } from 'zod';
import { containerChanges } from '@shoal/core';
import { zTrackedAsyncIterable } from '../../schemas/async-iterable';
import { ZContainerSummary } from '../../schemas/container';
import { tenantProcedure, ZTenantSlug } from '../../trpc';

export const ZContainerChangesRequestSchema = z.object({
  tenantSlug: ZTenantSlug,
  /**
   * Where the stream starts: the `asOf` of the list it patches on the first connect (now when
   * omitted); tRPC's client sends the last change's id here when it reconnects.
   */
  lastEventId: z.iso.datetime({ message: 'lastEventId is a time such as a list’s asOf' }).nullish(),
});

export const ZContainerChangeSchema = z.object({
  /** Rows to put in place of the cached ones, or to add. */
  containers: z.array(ZContainerSummary),
  /** Ids to drop from the list. */
  removed: z.array(z.string()),
  /** Too much happened to replay since lastEventId: read the list again. */
  reset: z.boolean(),
});

export const ZContainerChangesResponseSchema = zTrackedAsyncIterable(ZContainerChangeSchema);

/**
 * The tenant's container list as patches: each change carries the rows that changed, never
 * the whole list, and resumes where it left off after a reconnect.
 */
export const containerChangesRoute = tenantProcedure('VIEWER')
  .input(ZContainerChangesRequestSchema)
  .output(ZContainerChangesResponseSchema)
  .subscription(async function* ({ ctx, input, signal }) {
    const changes = containerChanges(
      {
        events: ctx.services.events,
        journal: ctx.services.eventJournal,
        read: (tenantId, ids) => ctx.services.containers.byIds(tenantId, ids),
      },
      ctx.tenant.id,
      input.lastEventId ? new Date(input.lastEventId) : new Date(),
      signal ?? new AbortController().signal,
    );
    for await (const { cursor, ...change } of changes) yield tracked(cursor.toISOString(), change);
  });
