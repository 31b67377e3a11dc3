import type { PrismaClient } from '@shoal/db';
import type { AuditService } from '../audit/audit-service';
import { conflict, notFound } from '../errors';
import { generatePassword } from '../users/passwords';
import type { UserService } from '../users/user-service';

export interface UserSummary {
  id: string;
  email: string;
  name: string | null;
  isAdmin: boolean;
  disabled: boolean;
  mustChangePassword: boolean;
  createdAt: Date;
  memberships: { tenantSlug: string; role: 'OWNER' | 'MEMBER' | 'VIEWER' }[];
}

/** Account management for cluster admins. */
export class UserAdminService {
  constructor(
    private readonly prisma: PrismaClient,
    private readonly users: UserService,
    private readonly audit: AuditService,
  ) {}

  async list(): Promise<UserSummary[]> {
    const users = await this.prisma.user.findMany({
      include: { memberships: { include: { tenant: { select: { slug: true } } } } },
      orderBy: { email: 'asc' },
    });
    return users.map((u) => ({
      id: u.id,
      email: u.email,
      name: u.name,
      isAdmin: u.isAdmin,
      disabled: u.disabledAt !== null,
      mustChangePassword: u.mustChangePassword,
      createdAt: u.createdAt,
      memberships: u.memberships.map((m) => ({ tenantSlug: m.tenant.slug, role: m.role })),
    }));
  }

  /**
   * Creates an account with a one-time password, returned once for the admin to
   * hand over; the user must replace it at first sign-in.
   */
  async create(
    input: { email: string; name?: string; isAdmin?: boolean },
    actor: string,
  ): Promise<{ userId: string; email: string; oneTimePassword: string }> {
    const oneTimePassword = generatePassword();
    const user = await this.users.create({
      email: input.email,
      name: input.name?.trim() || undefined,
      password: oneTimePassword,
      isAdmin: input.isAdmin ?? false,
      mustChangePassword: true,
    });
    await this.audit.record({
      actor,
      action: 'user.create',
      target: user.email,
      detail: { isAdmin: user.isAdmin },
    });
    return { userId: user.id, email: user.email, oneTimePassword };
  }

  async setAdmin(userId: string, isAdmin: boolean, actor: string): Promise<void> {
    await this.update(
      userId,
      actor,
      { isAdmin },
      isAdmin ? 'user.admin-grant' : 'user.admin-revoke',
    );
  }

  /** Disabling also ends the user's sessions at once. */
  async setDisabled(userId: string, disabled: boolean, actor: string): Promise<void> {
    await this.update(
      userId,
      actor,
      { disabledAt: disabled ? new Date() : null },
      disabled ? 'user.disable' : 'user.enable',
    );
  }

  private async update(
    userId: string,
    actor: string,
    data: { isAdmin?: boolean; disabledAt?: Date | null },
    action: string,
  ): Promise<void> {
    await this.prisma.$transaction(async (tx) => {
      const user = await tx.user.findUnique({ where: { id: userId } });
      if (!user) throw notFound('No such user');
      await tx.user.update({ where: { id: userId }, data });
      if (data.disabledAt) await tx.session.deleteMany({ where: { userId } });
      // Checked after the change, inside the transaction: the cluster always keeps an admin who can sign in.
      const admins = await tx.user.count({ where: { isAdmin: true, disabledAt: null } });
      if (admins === 0) throw conflict('The cluster keeps at least one active admin');
      await this.audit.record({ actor, action, target: user.email }, tx);
    });
  }
}
