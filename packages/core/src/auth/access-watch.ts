import type { MembershipRole, PrismaClient } from '@shoal/db';
import { ShoalError } from '../errors';
import { roleAtLeast } from './access-service';
import { SESSION_IDLE_MS } from './session-service';

interface TokenWatch {
  kind: 'token';
  tokenId: string;
  stop: AbortController;
}

interface TenantWatch {
  kind: 'tenant';
  sessionId: string;
  tenantId: string;
  minimum: MembershipRole;
  stop: AbortController;
}

type Watch = TokenWatch | TenantWatch;

export const DEFAULT_ACCESS_RECHECK_MS = 2_000;

/**
 * Ends open streams (`docker events`, `logs -f`, `wait`, the dashboard's live views) soon
 * after the credential they were opened with stops granting them: a token revoked, expired
 * or gone, a session signed out or expired, a user disabled, removed from the tenant or
 * demoted below what the stream needs. Every `recheckMs` it checks every open stream's
 * credential against the database in two queries, whichever instance made the change.
 */
export class AccessWatch {
  private readonly watches = new Set<Watch>();
  private timer: NodeJS.Timeout | undefined;
  private checking = false;

  constructor(
    private readonly prisma: PrismaClient,
    private readonly recheckMs = DEFAULT_ACCESS_RECHECK_MS,
  ) {}

  /** Aborts, with the reason as a ShoalError, once the API token no longer holds; watching ends with `until`. */
  token(tokenId: string, until: AbortSignal): AbortSignal {
    return this.add({ kind: 'token', tokenId, stop: new AbortController() }, until);
  }

  /** Aborts once the session may no longer read the tenant with at least `minimum`. */
  tenant(
    sessionId: string,
    tenantId: string,
    minimum: MembershipRole,
    until: AbortSignal,
  ): AbortSignal {
    return this.add(
      { kind: 'tenant', sessionId, tenantId, minimum, stop: new AbortController() },
      until,
    );
  }

  private add(watch: Watch, until: AbortSignal): AbortSignal {
    if (until.aborted) return watch.stop.signal;
    this.watches.add(watch);
    until.addEventListener('abort', () => this.remove(watch), { once: true });
    this.timer ??= setInterval(() => void this.check(), this.recheckMs).unref();
    return watch.stop.signal;
  }

  private remove(watch: Watch): void {
    this.watches.delete(watch);
    if (this.watches.size === 0) {
      clearInterval(this.timer);
      this.timer = undefined;
    }
  }

  private end(watch: Watch, reason: ShoalError): void {
    this.remove(watch);
    watch.stop.abort(reason);
  }

  /** Checks every open stream's credential now. */
  async check(): Promise<void> {
    if (this.checking || this.watches.size === 0) return;
    this.checking = true;
    try {
      const watches = [...this.watches];
      await Promise.all([
        this.checkTokens(watches.filter((w): w is TokenWatch => w.kind === 'token')),
        this.checkTenants(watches.filter((w): w is TenantWatch => w.kind === 'tenant')),
      ]);
    } catch {
      // The database is away: streams keep going until it answers again.
    } finally {
      this.checking = false;
    }
  }

  private async checkTokens(watches: TokenWatch[]): Promise<void> {
    if (watches.length === 0) return;
    const now = new Date();
    const valid = await this.prisma.apiToken.findMany({
      where: {
        id: { in: [...new Set(watches.map((w) => w.tokenId))] },
        revokedAt: null,
        OR: [{ expiresAt: null }, { expiresAt: { gt: now } }],
      },
      select: { id: true },
    });
    const holding = new Set(valid.map((t) => t.id));
    for (const watch of watches) {
      if (!holding.has(watch.tokenId)) {
        this.end(
          watch,
          new ShoalError('UNAUTHENTICATED', 'This Shoal API token has been revoked or has expired'),
        );
      }
    }
  }

  private async checkTenants(watches: TenantWatch[]): Promise<void> {
    if (watches.length === 0) return;
    const now = Date.now();
    const sessions = await this.prisma.session.findMany({
      where: {
        id: { in: [...new Set(watches.map((w) => w.sessionId))] },
        expiresAt: { gt: new Date(now) },
        lastSeenAt: { gt: new Date(now - SESSION_IDLE_MS) },
        user: { disabledAt: null },
      },
      select: {
        id: true,
        user: {
          select: {
            isAdmin: true,
            memberships: {
              where: { tenantId: { in: [...new Set(watches.map((w) => w.tenantId))] } },
              select: { tenantId: true, role: true },
            },
          },
        },
      },
    });
    const byId = new Map(sessions.map((s) => [s.id, s.user]));
    for (const watch of watches) {
      const user = byId.get(watch.sessionId);
      if (!user) {
        this.end(watch, new ShoalError('UNAUTHENTICATED', 'Your session has ended; sign in again'));
        continue;
      }
      const role = user.memberships.find((m) => m.tenantId === watch.tenantId)?.role;
      if (!user.isAdmin && !(role && roleAtLeast(role, watch.minimum))) {
        this.end(watch, new ShoalError('FORBIDDEN', 'You no longer have access to this tenant'));
      }
    }
  }
}

/**
 * `source` until `signal` aborts: then it ends at once with the abort reason, even while
 * waiting for the next item (the source is told to stop, but not waited for).
 */
export async function* untilAborted<T>(
  source: AsyncIterable<T>,
  signal: AbortSignal,
): AsyncGenerator<T> {
  const iterator = source[Symbol.asyncIterator]();
  const aborted = new Promise<never>((_, reject) => {
    if (signal.aborted) reject(signal.reason as Error);
    signal.addEventListener('abort', () => reject(signal.reason as Error), { once: true });
  });
  aborted.catch(() => undefined);
  try {
    for (;;) {
      const next = await Promise.race([iterator.next(), aborted]);
      if (next.done) return;
      yield next.value;
    }
  } finally {
    void iterator.return?.()?.catch(() => undefined);
  }
}
