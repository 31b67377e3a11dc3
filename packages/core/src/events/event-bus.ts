import { EventEmitter } from 'node:events';
import type { ContainerEvent } from '../containers/types';
import type { EventJournal } from './event-journal';

/**
 * Container events as this process hears them: its own, and those other
 * instances relay to it. Subscribers always name a tenant, so a
 * subscription can never see another tenant's events.
 */
export class ContainerEventBus {
  private readonly emitter = new EventEmitter();

  /** Set where several instances share the database: carries this instance's events to the others. */
  relay: ((event: ContainerEvent) => void) | undefined;

  /** `journal` keeps what this instance publishes, for replays. */
  constructor(private readonly journal?: Pick<EventJournal, 'append'>) {
    // One listener per open `docker events` or dashboard subscription.
    this.emitter.setMaxListeners(0);
  }

  publish(event: ContainerEvent): void {
    this.journal?.append(event);
    this.deliver(event);
    this.relay?.(event);
  }

  /** An event that happened on another instance: only this instance's subscribers hear it. */
  deliver(event: ContainerEvent): void {
    this.emitter.emit(event.tenantId, event);
    const one = containerTopic(event.tenantId, event.containerId);
    if (this.emitter.listenerCount(one) > 0) this.emitter.emit(one, event);
  }

  /**
   * Events of one tenant (or of one of its containers), from the moment of this
   * call (not of the first `next()`), until `signal` aborts. A start waiting for its
   * container hears only that container: thousands of starts at once in one tenant
   * would otherwise each hear every other's events.
   */
  subscribe(
    tenantId: string,
    signal: AbortSignal,
    containerId?: string,
  ): AsyncIterableIterator<ContainerEvent> {
    const topic = containerId === undefined ? tenantId : containerTopic(tenantId, containerId);
    const queued: ContainerEvent[] = [];
    let wake: (() => void) | undefined;
    let overrun = false;
    const listener = (event: ContainerEvent) => {
      // A reader that has stopped taking events (a client that never reads its stream)
      // would hold every event from here on: past the bound its subscription ends.
      if (queued.length >= MAX_QUEUED_EVENTS) {
        overrun = true;
        queued.length = 0;
        stop();
        return;
      }
      queued.push(event);
      wake?.();
    };
    const stop = () => {
      this.emitter.off(topic, listener);
      wake?.();
    };
    this.emitter.on(topic, listener);
    signal.addEventListener('abort', stop, { once: true });
    if (signal.aborted) stop();

    const iterator: AsyncIterableIterator<ContainerEvent> = {
      [Symbol.asyncIterator]: () => iterator,
      async next() {
        while (queued.length === 0 && !signal.aborted && !overrun) {
          await new Promise<void>((resolve) => (wake = resolve));
          wake = undefined;
        }
        const value = queued.shift();
        return value ? { value, done: false } : { value: undefined, done: true };
      },
      async return() {
        signal.removeEventListener('abort', stop);
        stop();
        queued.length = 0;
        return { value: undefined, done: true };
      },
    };
    return iterator;
  }
}

/** Events one subscription may hold unread before it is ended. */
export const MAX_QUEUED_EVENTS = 10_000;

/** Tenant ids carry no slash, so no tenant's topic is ever one container's. */
const containerTopic = (tenantId: string, containerId: string) => `${tenantId}/${containerId}`;
