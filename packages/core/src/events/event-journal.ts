import type { PrismaClient, Sql } from '@shoal/db';
import type { ContainerAction, ContainerEvent } from '../containers/types';

/**
 * Actions Docker words with more after them (`exec_start: sh -c ls`): an `event` filter
 * naming one alone matches them all, as Docker's does.
 */
const PREFIX_MATCHED_ACTIONS = new Set(['exec_create', 'exec_start', 'health_status']);

/** Whether an `event` filter's value takes an event's action, as Docker matches them. */
export function actionMatches(filter: string, action: string): boolean {
  return action === filter || (PREFIX_MATCHED_ACTIONS.has(filter) && action.startsWith(filter));
}

/** How long events are kept for `docker events --since`. */
const EVENT_RETENTION_MS = 7 * 24 * 60 * 60 * 1000;
// Events come in bursts (a launch wave, a drain); one insert per burst keeps
// the journal off the status-update path's back.
const WRITE_DELAY_MS = 100;
/** The most events one replay returns. */
export const MAX_REPLAY = 10_000;

/**
 * Every published container event, stored so that `docker events --since`
 * can replay what happened before the client connected. Writes follow the
 * change they describe by up to WRITE_DELAY_MS; an event whose process dies
 * in that window is missing from replays, as it would be from Docker's.
 */
export class EventJournal {
  private pending: ContainerEvent[] = [];
  private writing: Promise<void> | undefined;

  constructor(
    private readonly prisma: PrismaClient,
    private readonly sql: Sql,
    private readonly onError: (error: unknown) => void = () => undefined,
  ) {}

  append(event: ContainerEvent): void {
    this.pending.push(event);
    this.schedule();
  }

  /** Writes what is pending; readers call it so a replay holds what was just published. */
  async flush(): Promise<void> {
    while (this.writing || this.pending.length > 0) {
      if (this.writing) await this.writing;
      else await this.write();
    }
  }

  private schedule(): void {
    this.writing ??= new Promise<void>((resolve) => setTimeout(resolve, WRITE_DELAY_MS))
      .then(() => this.write())
      .finally(() => {
        this.writing = undefined;
        if (this.pending.length > 0) this.schedule();
      });
  }

  /**
   * A tenant's events with `since <= at < until`, oldest first: the newest MAX_REPLAY of
   * them, of the containers (by name or id prefix), actions and images asked for, if any.
   * Narrowed before the cut, so a container's few events are found among many others'.
   */
  async between(
    tenantId: string,
    since: Date,
    until: Date,
    only: { containers?: string[]; actions?: string[]; images?: string[] } = {},
  ): Promise<ContainerEvent[]> {
    await this.flush();
    const { containers, actions, images } = only;
    const rows = await this.prisma.containerEventEntry.findMany({
      where: {
        tenantId,
        at: { gte: since, lt: until },
        ...(containers
          ? {
              OR: [
                { name: { in: containers } },
                ...containers
                  .filter((c) => c.length > 0)
                  .map((c) => ({ containerId: { startsWith: c } })),
              ],
            }
          : {}),
        ...(actions
          ? {
              AND: {
                OR: actions.map((a) =>
                  PREFIX_MATCHED_ACTIONS.has(a) ? { action: { startsWith: a } } : { action: a },
                ),
              },
            }
          : {}),
        ...(images ? { image: { in: images } } : {}),
      },
      orderBy: [{ at: 'desc' }, { id: 'desc' }],
      take: MAX_REPLAY,
    });
    return rows.reverse().map((r) => ({
      tenantId: r.tenantId,
      containerId: r.containerId,
      name: r.name,
      image: r.image,
      action: r.action as ContainerAction,
      at: r.at,
      attributes: r.attributes as Record<string, string>,
    }));
  }

  /** Forgets events older than the retention; returns how many. */
  async prune(now = new Date()): Promise<number> {
    const { count } = await this.prisma.containerEventEntry.deleteMany({
      where: { at: { lt: new Date(now.getTime() - EVENT_RETENTION_MS) } },
    });
    return count;
  }

  private async write(): Promise<void> {
    const batch = this.pending.splice(0);
    if (batch.length === 0) return;
    // One statement for the burst, ids in the order published (replays sort by time, then
    // id); an event whose tenant was deleted meanwhile is dropped.
    await this.sql
      .query(
        `INSERT INTO "ContainerEventEntry" ("tenantId", "containerId", name, image, action, attributes, at)
         SELECT e.tenant, e.container, e.name, e.image, e.action, e.attributes, e.at
         FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::jsonb[],
                     $7::timestamp[]) WITH ORDINALITY
           AS e(tenant, container, name, image, action, attributes, at, ord)
         WHERE EXISTS (SELECT 1 FROM "Tenant" t WHERE t.id = e.tenant)
         ORDER BY e.ord`,
        [
          batch.map((e) => e.tenantId),
          batch.map((e) => e.containerId),
          batch.map((e) => e.name),
          batch.map((e) => e.image),
          batch.map((e) => e.action),
          batch.map((e) => JSON.stringify(e.attributes)),
          batch.map((e) => e.at.toISOString()),
        ],
      )
      .catch(this.onError);
  }
}
