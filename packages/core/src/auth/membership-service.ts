import type { MembershipRole, Prisma, PrismaClient } from '@shoal/db';
import type { AuditService } from '../audit/audit-service';
import { conflict, notFound } from '../errors';

export interface MemberView {
  userId: string;
  email: string;
  name: string | null;
  role: MembershipRole;
  disabled: boolean;
  since: Date;
}

type Tx = Prisma.TransactionClient;

export class MembershipService {
  constructor(
    private readonly prisma: PrismaClient,
    private readonly audit: AuditService,
  ) {}

  async list(tenantId: string): Promise<MemberView[]> {
    const rows = await this.prisma.membership.findMany({
      where: { tenantId },
      include: { user: true },
      orderBy: [{ role: 'asc' }, { user: { email: 'asc' } }],
    });
    return rows.map((m) => ({
      userId: m.userId,
      email: m.user.email,
      name: m.user.name,
      role: m.role,
      disabled: m.user.disabledAt !== null,
      since: m.createdAt,
    }));
  }

  /** Adds an existing user by email, or changes their role if they are a member already. */
  async add(tenantId: string, email: string, role: MembershipRole, actor: string): Promise<void> {
    const user = await this.prisma.user.findUnique({
      where: { email: email.trim().toLowerCase() },
    });
    if (!user) throw notFound(`No user with email ${email}; a cluster admin creates accounts`);
    await this.change(tenantId, user.id, actor, async (tx, current) => {
      // Adding is never a quiet way to change someone's role: that is setRole's job.
      if (current) {
        throw conflict(
          `${user.email} is already a member, as ${current.toLowerCase()}; change the role in the members list`,
        );
      }
      await tx.membership.create({ data: { userId: user.id, tenantId, role } });
      return { action: 'member.add', target: user.email, role };
    });
  }

  async setRole(tenantId: string, userId: string, role: MembershipRole, actor: string) {
    await this.change(tenantId, userId, actor, async (tx, current, email) => {
      if (!current) throw notFound('No such member');
      await tx.membership.update({
        where: { userId_tenantId: { userId, tenantId } },
        data: { role },
      });
      return { action: 'member.role', target: email, role };
    });
  }

  async remove(tenantId: string, userId: string, actor: string): Promise<void> {
    await this.change(tenantId, userId, actor, async (tx, current, email) => {
      if (!current) throw notFound('No such member');
      await tx.membership.delete({ where: { userId_tenantId: { userId, tenantId } } });
      return { action: 'member.remove', target: email, role: current };
    });
  }

  /**
   * Runs one membership change in a transaction, refuses it when it would leave
   * the tenant without an owner, and records it in the audit log. The tenant's owner
   * rows stay locked until it commits, so the owner count it checks cannot change under it.
   */
  private async change(
    tenantId: string,
    userId: string,
    actor: string,
    apply: (
      tx: Tx,
      current: MembershipRole | null,
      email: string,
    ) => Promise<{ action: string; target: string; role: MembershipRole }>,
  ): Promise<void> {
    await this.prisma.$transaction(async (tx) => {
      // Changes to one tenant's owners take turns: two owners demoting each other at once
      // would otherwise each see the other still owner and leave the tenant with none.
      await tx.$queryRaw`SELECT "userId" FROM "Membership"
        WHERE "tenantId" = ${tenantId} AND role = 'OWNER' FOR UPDATE`;
      const existing = await tx.membership.findUnique({
        where: { userId_tenantId: { userId, tenantId } },
        include: { user: true },
      });
      const email = existing?.user.email ?? '';
      const entry = await apply(tx, existing?.role ?? null, email);
      const owners = await tx.membership.count({ where: { tenantId, role: 'OWNER' } });
      if (existing?.role === 'OWNER' && owners === 0) {
        throw conflict('A tenant keeps at least one owner; make someone else owner first');
      }
      await this.audit.record(
        {
          tenantId,
          actor,
          action: entry.action,
          target: entry.target,
          detail: { role: entry.role },
        },
        tx,
      );
    });
  }
}
