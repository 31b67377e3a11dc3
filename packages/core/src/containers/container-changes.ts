import type { ContainerEventBus } from '../events/event-bus';
import { MAX_REPLAY, type EventJournal } from '../events/event-journal';
import { inBatches } from '../events/in-batches';
import type { ContainerEvent, ContainerView } from './types';

/** Events of one burst go out as one change; a lone event waits at most this long. */
const BATCH_WINDOW_MS = 250;
/**
 * During a long burst, a change goes out at most this often: every change costs the tab a
 * render and the server a read, and hundreds of stops at once must not be slowed by the
 * tabs that watch them.
 */
const BATCH_SPACING_MS = 1_000;
/**
 * A resume replays from this long before its cursor: another instance's event can reach this
 * one (relay, journal write) a little after events stamped later than it.
 */
const RESUME_OVERLAP_MS = 5_000;

/**
 * What a live list needs to stay right without reading the whole list again: the rows of
 * the containers that changed, as they are now, and the ids of those that are gone.
 * `cursor` resumes the stream after a reconnect; `reset` says too much happened in between
 * to replay, so the list must be read again.
 */
export interface ContainerChange {
  cursor: Date;
  containers: ContainerView[];
  removed: string[];
  reset: boolean;
}

export interface ChangeSources {
  events: Pick<ContainerEventBus, 'subscribe'>;
  journal: Pick<EventJournal, 'between'>;
  /** The tenant's containers with these ids (missing ones are gone). */
  read(tenantId: string, ids: string[]): Promise<ContainerView[]>;
}

/**
 * A tenant's container changes from `since` (a cursor or the `asOf` of a list read) until
 * `signal` aborts. The first change always comes at once, carrying the cursor to resume from.
 */
export async function* containerChanges(
  sources: ChangeSources,
  tenantId: string,
  since: Date,
  signal: AbortSignal,
  windowMs = BATCH_WINDOW_MS,
  spacingMs = BATCH_SPACING_MS,
): AsyncGenerator<ContainerChange> {
  // Listening starts before the replay is read, so nothing falls between the two.
  const live = sources.events.subscribe(tenantId, signal);
  const changeOf = async (events: ContainerEvent[], reset = false): Promise<ContainerChange> => {
    const cursor = new Date();
    const ids = [...new Set(events.map((e) => e.containerId))];
    // A container on its way out (REMOVING) is in no listing any more: it goes from the list.
    const containers = (ids.length > 0 ? await sources.read(tenantId, ids) : []).filter(
      (c) => c.state !== 'removing',
    );
    const present = new Set(containers.map((c) => c.id));
    return { cursor, containers, removed: ids.filter((id) => !present.has(id)), reset };
  };
  try {
    const now = new Date();
    const missed = await sources.journal.between(
      tenantId,
      new Date(since.getTime() - RESUME_OVERLAP_MS),
      now,
    );
    yield missed.length >= MAX_REPLAY ? await changeOf([], true) : await changeOf(missed);
    for await (const batch of inBatches(live, windowMs, spacingMs)) yield await changeOf(batch);
  } finally {
    await live.return?.();
  }
}
