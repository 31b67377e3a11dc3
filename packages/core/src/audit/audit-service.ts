import type { Prisma, PrismaClient } from '@shoal/db';

export interface AuditEntry {
  tenantId?: string | null;
  actor: string;
  action: string;
  target?: string;
  detail?: Prisma.InputJsonValue;
}

type Tx = Pick<PrismaClient, 'auditEvent'>;

export class AuditService {
  constructor(private readonly prisma: PrismaClient) {}

  /** Records an event; pass a transaction client to commit it with the change it describes. */
  record(entry: AuditEntry, tx: Tx = this.prisma) {
    return tx.auditEvent.create({
      data: {
        tenantId: entry.tenantId ?? null,
        actor: entry.actor,
        action: entry.action,
        target: entry.target ?? null,
        detail: entry.detail,
      },
    });
  }
}
