import pg from 'pg';

// Any fixed number works; every Shoal instance of one database uses the same.
const LEADER_LOCK_KEY = 0x5e0a1;

export interface LeadershipEvents {
  onElected(): Promise<void>;
  /** The lock (its database connection) is gone: stop acting as leader at once. */
  onDeposed(error: Error): void;
}

/**
 * One active scheduler among several server processes: the holder of a
 * PostgreSQL session advisory lock is the leader. The lock lives as long as
 * its connection, so a leader that dies (or loses the database) frees it and
 * a standby polling for it takes over within one poll interval.
 */
export class Leadership {
  private client: pg.Client | undefined;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  private leader = false;

  /**
   * `databaseUrl` undefined means this process is the only possible instance
   * (embedded PGlite belongs to one process), so it leads without a lock.
   */
  constructor(
    private readonly databaseUrl: string | undefined,
    private readonly events: LeadershipEvents,
    private readonly pollMs = 2_000,
  ) {}

  get isLeader(): boolean {
    return this.leader;
  }

  start(): void {
    this.stopped = false;
    void this.attempt();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    const client = this.client;
    this.client = undefined;
    this.leader = false;
    // Closing the session releases the lock for a standby.
    await client?.end().catch(() => undefined);
  }

  private async attempt(): Promise<void> {
    if (this.stopped) return;
    if (this.databaseUrl === undefined) {
      this.leader = true;
      await this.events.onElected();
      return;
    }
    try {
      if (!this.client) {
        const client = new pg.Client({ connectionString: this.databaseUrl });
        client.on('error', (error) => this.lose(error));
        await client.connect();
        this.client = client;
      }
      const result = await this.client.query<{ locked: boolean }>(
        'SELECT pg_try_advisory_lock($1) AS locked',
        [LEADER_LOCK_KEY],
      );
      if (result.rows[0]?.locked && !this.stopped) {
        this.leader = true;
        await this.events.onElected();
        return;
      }
    } catch (error) {
      this.lose(error as Error);
    }
    if (!this.stopped && !this.leader) {
      this.timer = setTimeout(() => void this.attempt(), this.pollMs);
      this.timer.unref();
    }
  }

  private lose(error: Error): void {
    const wasLeader = this.leader;
    this.leader = false;
    const client = this.client;
    this.client = undefined;
    void client?.end().catch(() => undefined);
    if (wasLeader) this.events.onDeposed(error);
    if (!this.stopped && wasLeader) {
      this.timer = setTimeout(() => void this.attempt(), this.pollMs);
      this.timer.unref();
    }
  }
}
