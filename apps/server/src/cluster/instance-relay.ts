import { randomUUID } from 'node:crypto';
import pg from 'pg';
import type { ContainerEvent, ContainerEventBus } from '@shoal/core';
import type { Logger } from '../logger';

const CHANNEL = 'shoal_instances';
// PostgreSQL refuses NOTIFY payloads of 8,000 bytes or more.
const MAX_PAYLOAD = 7_900;
const RECONNECT_MS = 1_000;
const WAKE_COALESCE_MS = 50;

type Message =
  | { from: string; kind: 'event'; event: Omit<ContainerEvent, 'at'> & { at: string } }
  | { from: string; kind: 'wake' };

/**
 * Joins the Shoal instances that share one PostgreSQL database, over
 * LISTEN/NOTIFY. Only the leader hears from Mesos, so without this a
 * `docker run`, `docker wait` or `docker events` served by a standby would
 * never see its container start or exit, and a start made there would wait
 * for the leader's next supervisor pass.
 *
 * Delivery is best effort: while the connection is down, messages are lost.
 */
export class InstanceRelay {
  private readonly id = randomUUID();
  private client: pg.Client | undefined;
  private timer: NodeJS.Timeout | undefined;
  private wakeTimer: NodeJS.Timeout | undefined;
  private stopped = false;
  private sending: Promise<void> = Promise.resolve();

  constructor(
    private readonly databaseUrl: string,
    private readonly bus: ContainerEventBus,
    /** Wakes this instance's supervisor, when it leads. */
    private readonly onWake: () => void,
    private readonly log: Logger,
  ) {}

  async start(): Promise<void> {
    this.bus.relay = (event) => this.send({ from: this.id, kind: 'event', event: wire(event) });
    await this.connect();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.bus.relay = undefined;
    clearTimeout(this.timer);
    clearTimeout(this.wakeTimer);
    const client = this.client;
    this.client = undefined;
    await client?.end().catch(() => undefined);
  }

  /** Asks the leader's supervisor to look at desired state now; many asks make one message. */
  wakeLeader(): void {
    this.wakeTimer ??= setTimeout(() => {
      this.wakeTimer = undefined;
      this.send({ from: this.id, kind: 'wake' });
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

  private send(message: Message): void {
    const client = this.client;
    if (!client) return;
    let payload = JSON.stringify(message);
    if (message.kind === 'event' && Buffer.byteLength(payload) > MAX_PAYLOAD) {
      // Labels ride along as attributes and can be long; the rest of the event is what waits need.
      const { event } = message;
      const { name, image, exitCode, signal } = event.attributes;
      const attributes = Object.fromEntries(
        Object.entries({ name, image, exitCode, signal }).filter(([, v]) => v !== undefined),
      ) as Record<string, string>;
      payload = JSON.stringify({ ...message, event: { ...event, attributes } });
    }
    // One query at a time on the connection: pg queues overlapping ones, but will stop to.
    this.sending = this.sending
      .then(() => client.query('SELECT pg_notify($1, $2)', [CHANNEL, payload]))
      .then(
        () => undefined,
        (error: unknown) =>
          this.log.warn('relaying to other instances failed', { error: String(error) }),
      );
  }

  private receive(payload: string | undefined): void {
    let message: Message;
    try {
      message = JSON.parse(payload ?? '') as Message;
    } catch {
      return;
    }
    if (message.from === this.id) return;
    if (message.kind === 'wake') this.onWake();
    else if (message.kind === 'event')
      this.bus.deliver({ ...message.event, at: new Date(message.event.at) });
  }
}

function wire(event: ContainerEvent): Omit<ContainerEvent, 'at'> & { at: string } {
  return { ...event, at: event.at.toISOString() };
}
