import { createHash, randomBytes } from 'node:crypto';
import type { PrismaClient, User } from '@shoal/db';
import type { AuditService } from '../audit/audit-service';
import { ShoalError, invalid } from '../errors';
import { hashPassword, verifyPassword } from '../users/passwords';
import { checkNewPassword } from '../users/password-policy';
import { SignInLimiter } from './sign-in-limiter';

/** A session ends after this long without a request... */
export const SESSION_IDLE_MS = 12 * 60 * 60 * 1000;
/** ...and in any case this long after sign-in. */
export const SESSION_MAX_MS = 7 * 24 * 60 * 60 * 1000;
// Writing lastSeenAt on every request would turn each read into a write.
const LAST_SEEN_RESOLUTION_MS = 60_000;

/** The signed-in user as every procedure sees it. */
export interface SessionUser {
  id: string;
  email: string;
  name: string | null;
  isAdmin: boolean;
  mustChangePassword: boolean;
  sessionId: string;
  /** When the session ends if the user stays idle. */
  expiresAt: Date;
}

export interface SignedIn {
  /** The cookie value; only its hash is stored. */
  token: string;
  user: SessionUser;
}

/** Callers that cannot tell the client's address share one budget. */
const UNKNOWN_ADDRESS = 'unknown';

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');
const badCredentials = () => new ShoalError('UNAUTHENTICATED', 'Wrong email or password');

// Verifying against a real hash when the email is unknown keeps the answer time
// the same, so timing does not tell which emails have accounts.
let decoyHash: Promise<string> | undefined;
const decoy = () => (decoyHash ??= hashPassword(randomBytes(16).toString('hex')));

export class SessionService {
  constructor(
    private readonly prisma: PrismaClient,
    private readonly audit: AuditService,
    /**
     * Failed password checks per account and client address, known emails or not (so
     * the answer does not tell which accounts exist): sign-ins and password changes.
     */
    private readonly failures = new SignInLimiter(),
  ) {}

  /** `address` is the client's, as the control plane sees it (X-Forwarded-For from the dashboard). */
  async signIn(email: string, password: string, address = UNKNOWN_ADDRESS): Promise<SignedIn> {
    const account = email.trim().toLowerCase();
    this.refuseWhileLimited(account, address, 'sign-ins');
    const user = await this.prisma.user.findUnique({ where: { email: account } });
    const ok = await verifyPassword(user?.passwordHash ?? (await decoy()), password);
    if (!user || !ok || user.disabledAt) {
      this.failures.recordFailure(account, address);
      throw badCredentials();
    }
    this.failures.recordSuccess(account, address);

    const token = randomBytes(32).toString('base64url');
    const now = Date.now();
    const session = await this.prisma.$transaction(async (tx) => {
      const created = await tx.session.create({
        data: {
          userId: user.id,
          tokenHash: sha256(token),
          expiresAt: new Date(now + SESSION_MAX_MS),
        },
      });
      await this.audit.record(
        { actor: user.email, action: 'user.sign-in', target: user.email },
        tx,
      );
      return created;
    });
    return { token, user: sessionUser(user, session, now) };
  }

  private refuseWhileLimited(account: string, address: string, what: string): void {
    const refusal = this.failures.check(account, address);
    if (!refusal) return;
    const from = refusal.scope === 'account' ? 'for this account' : 'from your address';
    throw new ShoalError(
      'RATE_LIMITED',
      `Too many failed ${what} ${from}; try again in ${refusal.retryAfterSeconds} seconds`,
    );
  }

  /** The user behind a cookie value, or null when it is unknown, expired or the user is disabled. */
  async resolve(token: string): Promise<SessionUser | null> {
    if (!token) return null;
    const session = await this.prisma.session.findUnique({
      where: { tokenHash: sha256(token) },
      include: { user: true },
    });
    if (!session) return null;
    const now = Date.now();
    const idleEnd = session.lastSeenAt.getTime() + SESSION_IDLE_MS;
    if (now >= session.expiresAt.getTime() || now >= idleEnd || session.user.disabledAt) {
      await this.prisma.session.deleteMany({ where: { id: session.id } });
      return null;
    }
    if (now - session.lastSeenAt.getTime() > LAST_SEEN_RESOLUTION_MS) {
      await this.prisma.session.update({
        where: { id: session.id },
        data: { lastSeenAt: new Date(now) },
      });
    }
    return sessionUser(session.user, session, now);
  }

  async signOut(token: string): Promise<void> {
    await this.prisma.session.deleteMany({ where: { tokenHash: sha256(token) } });
  }

  /**
   * Sets a new password and ends every other session of the user, so a leaked
   * one-time password or a stolen cookie stops working.
   */
  async changePassword(
    user: Pick<SessionUser, 'id' | 'email' | 'sessionId'>,
    currentPassword: string,
    newPassword: string,
    address = UNKNOWN_ADDRESS,
  ): Promise<void> {
    // Wrong current passwords count as failed sign-ins: a stolen session must not become
    // a way to guess the password without limit.
    this.refuseWhileLimited(user.email, address, 'password checks');
    const row = await this.prisma.user.findUniqueOrThrow({ where: { id: user.id } });
    if (!(await verifyPassword(row.passwordHash, currentPassword))) {
      this.failures.recordFailure(user.email, address);
      throw invalid('The current password is wrong');
    }
    if (newPassword === currentPassword) {
      throw invalid('The new password must differ from the current one');
    }
    await checkNewPassword(newPassword, [user.email, row.name ?? '']);
    const passwordHash = await hashPassword(newPassword);
    await this.prisma.$transaction(async (tx) => {
      await tx.user.update({
        where: { id: user.id },
        data: { passwordHash, mustChangePassword: false },
      });
      await tx.session.deleteMany({ where: { userId: user.id, id: { not: user.sessionId } } });
      await this.audit.record(
        { actor: user.email, action: 'user.password', target: user.email },
        tx,
      );
    });
  }
}

/** The user as procedures see them; the session ends when idle, or at its absolute end. */
function sessionUser(
  user: Pick<User, 'id' | 'email' | 'name' | 'isAdmin' | 'mustChangePassword'>,
  session: { id: string; expiresAt: Date },
  now: number,
): SessionUser {
  return {
    id: user.id,
    email: user.email,
    name: user.name,
    isAdmin: user.isAdmin,
    mustChangePassword: user.mustChangePassword,
    sessionId: session.id,
    expiresAt: new Date(Math.min(now + SESSION_IDLE_MS, session.expiresAt.getTime())),
  };
}
