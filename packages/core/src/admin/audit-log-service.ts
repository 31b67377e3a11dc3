import type { Prisma, PrismaClient } from '@shoal/db';

export interface AuditFilters {
  tenantId?: string;
  /** Substring of the actor (an email, "seed", a token prefix...). */
  actor?: string;
  /** An exact action ("token.issue") or a family ("token."). */
  action?: string;
  since?: Date;
  until?: Date;
  /** The id of the last event of the previous page. */
  cursor?: string;
  limit?: number;
}

export interface AuditView {
  id: string;
  at: Date;
  tenantSlug: string | null;
  actor: string;
  action: string;
  target: string | null;
  detail: unknown;
}

/** Reads the audit log, newest first, a page at a time. */
export class AuditLogService {
  constructor(private readonly prisma: PrismaClient) {}

  async list(filters: AuditFilters): Promise<{ events: AuditView[]; nextCursor: string | null }> {
    const limit = Math.min(Math.max(filters.limit ?? 50, 1), 200);
    const where: Prisma.AuditEventWhereInput = {
      tenantId: filters.tenantId,
      actor: filters.actor ? { contains: filters.actor, mode: 'insensitive' } : undefined,
      action: filters.action?.endsWith('.')
        ? { startsWith: filters.action }
        : filters.action || undefined,
      at: { gte: filters.since, lte: filters.until },
    };
    const rows = await this.prisma.auditEvent.findMany({
      where,
      orderBy: [{ at: 'desc' }, { id: 'desc' }],
      take: limit + 1,
      ...(filters.cursor ? { cursor: { id: filters.cursor }, skip: 1 } : {}),
    });
    const page = rows.slice(0, limit);
    const tenantIds = [...new Set(page.flatMap((r) => (r.tenantId ? [r.tenantId] : [])))];
    const slugs = new Map(
      (
        await this.prisma.tenant.findMany({
          where: { id: { in: tenantIds } },
          select: { id: true, slug: true },
        })
      ).map((t) => [t.id, t.slug]),
    );
    return {
      events: page.map((r) => ({
        id: r.id,
        at: r.at,
        tenantSlug: slugs.get(r.tenantId ?? '') ?? null,
        actor: r.actor,
        action: r.action,
        target: r.target,
        detail: r.detail,
      })),
      nextCursor: rows.length > limit ? (page.at(-1)?.id ?? null) : null,
    };
  }

  /** The distinct actions recorded so far, for the filter's choices. */
  async actions(): Promise<string[]> {
    const rows = await this.prisma.auditEvent.findMany({
      distinct: ['action'],
      select: { action: true },
      orderBy: { action: 'asc' },
    });
    return rows.map((r) => r.action);
  }
}
