import type { PrismaClient } from '@shoal/db';
import type { Principal } from '../auth/access-service';

export interface DatabaseHealth {
  kind: 'postgresql' | 'pglite';
  ok: boolean;
  latencyMs: number;
  error?: string;
}

export interface SystemStatus {
  version: string;
  database: DatabaseHealth;
  tenants: number;
  containers: number;
  /** Containers run on Shoal's embedded Mesos emulator, that is nowhere. */
  emulatedCluster: boolean;
}

export const SHOAL_VERSION = '0.1.0';

export class SystemService {
  /** Set by the process that runs the embedded Mesos emulator instead of a real cluster. */
  emulatedCluster = false;

  constructor(
    private readonly prisma: PrismaClient,
    private readonly databaseKind: DatabaseHealth['kind'],
  ) {}

  async databaseHealth(): Promise<DatabaseHealth> {
    const started = performance.now();
    try {
      await this.prisma.$queryRaw`SELECT 1`;
      return { kind: this.databaseKind, ok: true, latencyMs: elapsed(started) };
    } catch (error) {
      return {
        kind: this.databaseKind,
        ok: false,
        latencyMs: elapsed(started),
        error: error instanceof Error ? error.message.split('\n')[0] : String(error),
      };
    }
  }

  /**
   * Counts only what `viewer` can open (every tenant for an admin, their own
   * tenants for others, nothing when signed out): a count over the whole
   * cluster would tell a tenant that others exist and how much they run.
   */
  async status(viewer: Principal | null): Promise<SystemStatus> {
    const database = await this.databaseHealth();
    if (!database.ok || !viewer) {
      return {
        version: SHOAL_VERSION,
        database,
        tenants: 0,
        containers: 0,
        emulatedCluster: this.emulatedCluster,
      };
    }
    const visible = viewer.isAdmin ? {} : { memberships: { some: { userId: viewer.id } } };
    const [tenants, containers] = await Promise.all([
      this.prisma.tenant.count({ where: visible }),
      this.prisma.container.count({ where: { tenant: visible } }),
    ]);
    return {
      version: SHOAL_VERSION,
      database,
      tenants,
      containers,
      emulatedCluster: this.emulatedCluster,
    };
  }
}

function elapsed(started: number): number {
  return Math.round((performance.now() - started) * 100) / 100;
}
