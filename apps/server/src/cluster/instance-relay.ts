import { randomUUID } from 'node:crypto';
import pg from 'pg';
import type { ContainerEvent, ContainerEventBus } from '@shoal/core';
import type { Logger } from '../logger';

const CHANNEL = 'shoal_instances';
// PostgreSQL refuses NOTIFY payloads of 8,000 bytes or more.
const MAX_PAYLOAD = 7_900;
const RECONNECT_MS = 1_000;
const WAKE_COALESCE_MS = 50;
/** How often an instance says it is there, and how long after its last word it counts as gone. */
const HELLO_MS = 5_000;
const PEER_TTL_MS = 3 * HELLO_MS;

type WireEvent = Omit<ContainerEvent, 'at'> & { at: string };

/**
 * One notification: events of one instance in the order published, whether it asks
 * for a wake, and whether it greets (an instance greets when it joins and every
 * HELLO_MS; one that hears a newcomer greets back at once).
 */
interface Message {
  from: string;
  events: WireEvent[];
  wake?: true;
  hello?: 'join' | 'here';
}

/**
 * Joins the Shoal instances that share one PostgreSQL database, over
 * LISTEN/NOTIFY. Only the leader hears from Mesos, so without this a
 * `docker run`, `docker wait` or `docker events` served by a standby would
 * never see its container start or exit, and a start made there would wait
 * for the leader's next supervisor pass.
 *
 * Delivery is best effort: while the connection is down, messages are lost. An
 * instance that has heard from no other relays no events: alone, it would only
 * load the database with notifications nobody reads.
 */
export class InstanceRelay {
  private readonly id = randomUUID();
  private client: pg.Client | undefined;
  private timer: NodeJS.Timeout | undefined;
  private wakeTimer: NodeJS.Timeout | undefined;
  private stopped = false;
  private sending = false;
  private outbox: WireEvent[] = [];
  private wakeWanted = false;
  private greeting: Message['hello'] | undefined;
  private helloTimer: NodeJS.Timeout | undefined;
  private lastPeerHeard = -Infinity;

  constructor(
    private readonly databaseUrl: string,
    private readonly bus: ContainerEventBus,
    /** Wakes this instance's supervisor, when it leads. */
    private readonly onWake: () => void,
    private readonly log: Logger,
  ) {}

  async start(): Promise<void> {
    this.bus.relay = (event) => {
      if (Date.now() - this.lastPeerHeard < PEER_TTL_MS) this.send(wire(event));
    };
    await this.connect();
    this.helloTimer = setInterval(() => this.greet('here'), HELLO_MS);
    this.helloTimer.unref();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.bus.relay = undefined;
    this.outbox = [];
    clearTimeout(this.timer);
    clearTimeout(this.wakeTimer);
    clearInterval(this.helloTimer);
    const client = this.client;
    this.client = undefined;
    await client?.end().catch(() => undefined);
  }

  /** Asks the leader's supervisor to look at desired state now; many asks make one message. */
  wakeLeader(): void {
    this.wakeTimer ??= setTimeout(() => {
      this.wakeTimer = undefined;
      this.wakeWanted = true;
      this.send();
    }, WAKE_COALESCE_MS);
  }

  private async connect(): Promise<void> {
    if (this.stopped) return;
    const client = new pg.Client({ connectionString: this.databaseUrl });
    client.on('error', (error) => this.lost(client, error));
    client.on('end', () => this.lost(client, new Error('connection ended')));
    client.on('notification', (n) => this.receive(n.payload));
    try {
      await client.connect();
      await client.query(`LISTEN ${CHANNEL}`);
      if (this.stopped) {
        await client.end();
        return;
      }
      this.client = client;
      this.greet('join');
    } catch (error) {
      this.lost(client, error as Error);
    }
  }

  private lost(client: pg.Client, error: Error): void {
    if (this.client && this.client !== client) return;
    this.client = undefined;
    void client.end().catch(() => undefined);
    if (this.stopped || this.timer) return;
    this.log.warn('lost the connection that relays events between instances; reconnecting', {
      error: error.message,
    });
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.connect();
    }, RECONNECT_MS);
    this.timer.unref();
  }

  private greet(hello: NonNullable<Message['hello']>): void {
    this.greeting = this.greeting === 'join' ? 'join' : hello;
    this.send();
  }

  /**
   * Events leave in as few notifications as their size allows, all sent by one query:
   * a launch wave publishes thousands of events a second, and one notification each
   * would cost the database a round trip apiece.
   */
  private send(event?: WireEvent): void {
    if (!this.client) return;
    if (event) this.outbox.push(event);
    if (this.sending) return;
    this.sending = true;
    setImmediate(() => void this.flush());
  }

  private async flush(): Promise<void> {
    while (this.client && (this.outbox.length > 0 || this.wakeWanted || this.greeting)) {
      const client = this.client;
      const payloads = pack(this.id, this.outbox.splice(0), {
        ...(this.wakeWanted ? { wake: true as const } : {}),
        ...(this.greeting ? { hello: this.greeting } : {}),
      });
      this.wakeWanted = false;
      this.greeting = undefined;
      try {
        await client.query('SELECT pg_notify($1, p) FROM unnest($2::text[]) AS p', [
          CHANNEL,
          payloads,
        ]);
      } catch (error) {
        if (!this.stopped)
          this.log.warn('relaying to other instances failed', { error: String(error) });
      }
    }
    this.sending = false;
  }

  private receive(payload: string | undefined): void {
    let message: Message;
    try {
      message = JSON.parse(payload ?? '') as Message;
    } catch {
      return;
    }
    if (message.from === this.id) return;
    this.lastPeerHeard = Date.now();
    if (message.hello === 'join') this.greet('here');
    for (const event of message.events ?? [])
      this.bus.deliver({ ...event, at: new Date(event.at) });
    if (message.wake) this.onWake();
  }
}

function wire(event: ContainerEvent): WireEvent {
  return { ...event, at: event.at.toISOString() };
}

/** Events packed into payloads PostgreSQL accepts; a wake or a greeting rides on the last. */
function pack(from: string, events: WireEvent[], extra: Pick<Message, 'wake' | 'hello'>): string[] {
  const payloads: string[] = [];
  let batch: WireEvent[] = [];
  let size = 0;
  const hasExtra = Object.keys(extra).length > 0;
  const close = (last: boolean) => {
    if (batch.length === 0 && !(last && hasExtra)) return;
    payloads.push(JSON.stringify({ from, events: batch, ...(last ? extra : {}) }));
    batch = [];
    size = 0;
  };
  for (const event of events) {
    const item = fitted(event);
    const length = Buffer.byteLength(JSON.stringify(item)) + 1;
    if (size + length > MAX_PAYLOAD - 200) close(false);
    batch.push(item);
    size += length;
  }
  close(true);
  return payloads;
}

/** Labels ride along as attributes and can be long; the rest of the event is what waits need. */
function fitted(event: WireEvent): WireEvent {
  if (Buffer.byteLength(JSON.stringify(event)) <= MAX_PAYLOAD - 300) return event;
  const { name, image, exitCode, signal } = event.attributes;
  const attributes = Object.fromEntries(
    Object.entries({ name, image, exitCode, signal }).filter(([, v]) => v !== undefined),
  ) as Record<string, string>;
  return { ...event, attributes };
}
