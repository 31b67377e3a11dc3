import type { PrismaClient } from '@shoal/db';
import type { ContainerAction, ContainerEvent } from '../containers/types';

/** How long events are kept for `docker events --since`. */
const EVENT_RETENTION_MS = 7 * 24 * 60 * 60 * 1000;
// Events come in bursts (a launch wave, a drain); one insert per burst keeps
// the journal off the status-update path's back.
const WRITE_DELAY_MS = 100;
const MAX_REPLAY = 10_000;

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

  /** A tenant's events with `since <= at < until`, oldest first. */
  async between(tenantId: string, since: Date, until: Date): Promise<ContainerEvent[]> {
    await this.flush();
    const rows = await this.prisma.containerEventEntry.findMany({
      where: { tenantId, at: { gte: since, lt: until } },
      orderBy: [{ at: 'asc' }, { id: 'asc' }],
      take: MAX_REPLAY,
    });
    return rows.map((r) => ({
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
    const rows = batch.map((e) => ({
      tenantId: e.tenantId,
      containerId: e.containerId,
      name: e.name,
      image: e.image,
      action: e.action,
      attributes: e.attributes,
      at: e.at,
    }));
    try {
      await this.prisma.containerEventEntry.createMany({ data: rows });
    } catch {
      // One bad row (its tenant deleted meanwhile) must not cost the others.
      for (const data of rows)
        await this.prisma.containerEventEntry.create({ data }).catch(this.onError);
    }
  }
}
