import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { ApiToken, PrismaClient, SqlRunner, TokenScope } from '@shoal/db';
import type { AuditService } from '../audit/audit-service';
import { invalid, notFound } from '../errors';

// A token reads `shoal_<prefix>_<secret>`. The prefix finds the row and is safe
// to show in lists; only a SHA-256 of the secret is stored. The secret has 190
// bits of entropy, so a fast hash is enough (no password stretching needed).
const TOKEN = /^shoal_([a-z0-9]{10})_([A-Za-z0-9]{32})$/;
const BASE62 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const LAST_USED_RESOLUTION_MS = 60_000;
/** How many recently refused tokens are remembered; the oldest are forgotten first. */
const REMEMBERED_REFUSALS = 1_000;
/**
 * How long an accepted token is taken on trust before it is looked up again. A client
 * sends its token with every request (`docker run -d` is five of them); this spares the
 * database a query each, and bounds how long another instance keeps accepting a token
 * revoked elsewhere (this instance forgets a token it revokes at once).
 */
const ACCEPTED_TRUST_MS = 2_000;
const REMEMBERED_ACCEPTED = 10_000;

function randomString(alphabet: string, length: number): string {
  // Rejection sampling keeps every character equally likely.
  let out = '';
  while (out.length < length) {
    for (const b of randomBytes(length * 2)) {
      if (b < 256 - (256 % alphabet.length) && out.length < length)
        out += alphabet[b % alphabet.length];
    }
  }
  return out;
}

const sha256 = (s: string) => createHash('sha256').update(s).digest();

export interface IssueTokenInput {
  tenantId: string;
  name: string;
  scope?: TokenScope;
  expiresAt?: Date | null;
  createdById?: string | null;
}

export interface IssuedToken {
  token: ApiToken;
  /** The full secret; shown once, never stored. */
  secret: string;
}

export interface TokenIdentity {
  tokenId: string;
  tenantId: string;
  scope: TokenScope;
}

type StoredToken = Pick<
  ApiToken,
  'id' | 'tenantId' | 'secretHash' | 'scope' | 'expiresAt' | 'revokedAt' | 'lastUsedAt'
>;

export type TokenRejection = 'malformed' | 'unknown' | 'revoked' | 'expired';

export class TokenService {
  // Refusals are remembered, so a client repeating a bad token (a scanner, a CI
  // job still holding a revoked token) costs no database query. A refusal never
  // turns into acceptance: revocation and expiry are final, a secret never
  // changes, and an unknown prefix could only be issued later with this exact
  // random secret. The key is the whole token (prefix and a hash of the secret),
  // so a remembered answer covers only a token refused before, and its speed
  // tells nothing about which prefixes exist.
  private readonly refusals = new Map<string, TokenRejection>();
  private readonly accepted = new Map<string, { identity: TokenIdentity; until: number }>();
  private readonly lookups = new Map<
    string,
    Promise<TokenIdentity | { rejected: TokenRejection }>
  >();

  constructor(
    private readonly prisma: PrismaClient,
    /** Every request with a token not in trust looks it up: plain SQL, a third to half of a Prisma call's cost. */
    private readonly sql: SqlRunner,
    private readonly audit: AuditService,
  ) {}

  async issue(input: IssueTokenInput, actor: string): Promise<IssuedToken> {
    const name = input.name.trim();
    if (!name || name.length > 100) throw invalid('A token needs a name of 1-100 characters');
    if (input.expiresAt && input.expiresAt.getTime() <= Date.now()) {
      throw invalid('A token cannot expire in the past');
    }
    const prefix = randomString('abcdefghijklmnopqrstuvwxyz0123456789', 10);
    const secretPart = randomString(BASE62, 32);
    const token = await this.prisma.$transaction(async (tx) => {
      const created = await tx.apiToken.create({
        data: {
          tenantId: input.tenantId,
          name,
          prefix,
          secretHash: sha256(secretPart).toString('hex'),
          scope: input.scope ?? 'READ_WRITE',
          expiresAt: input.expiresAt ?? null,
          createdById: input.createdById ?? null,
        },
      });
      await this.audit.record(
        {
          tenantId: input.tenantId,
          actor,
          action: 'token.issue',
          target: `shoal_${prefix}`,
          detail: { name, scope: created.scope },
        },
        tx,
      );
      return created;
    });
    return { token, secret: `shoal_${prefix}_${secretPart}` };
  }

  /** Resolves a presented token to its tenant, or says why it is refused. */
  async authenticate(presented: string): Promise<TokenIdentity | { rejected: TokenRejection }> {
    const match = TOKEN.exec(presented.trim());
    if (!match) return { rejected: 'malformed' };
    const [, prefix, secretPart] = match as unknown as [string, string, string];
    // Hash even when the prefix is unknown, so timing does not reveal which prefixes exist.
    const presentedHash = sha256(secretPart);
    const key = `${prefix}_${presentedHash.toString('hex')}`;
    const remembered = this.refusals.get(key);
    if (remembered) return { rejected: remembered };
    const trusted = this.accepted.get(key);
    if (trusted && trusted.until > Date.now()) return trusted.identity;
    // A client's requests that arrive together (the CLI's wait and start, a compose
    // project's containers) share one look-up rather than each making its own.
    let lookup = this.lookups.get(key);
    if (!lookup) {
      lookup = this.lookUp(key, prefix, presentedHash).finally(() => this.lookups.delete(key));
      this.lookups.set(key, lookup);
    }
    return lookup;
  }

  private async lookUp(
    key: string,
    prefix: string,
    presentedHash: Buffer,
  ): Promise<TokenIdentity | { rejected: TokenRejection }> {
    const [token] = await this.sql.query<StoredToken>(
      `SELECT id, "tenantId", "secretHash", scope, "expiresAt", "revokedAt", "lastUsedAt"
       FROM "ApiToken" WHERE prefix = $1`,
      [prefix],
    );
    const storedHash = token ? Buffer.from(token.secretHash, 'hex') : sha256('');
    if (!token || !timingSafeEqual(presentedHash, storedHash)) return this.refuse(key, 'unknown');
    if (token.revokedAt) return this.refuse(key, 'revoked');
    if (token.expiresAt && token.expiresAt.getTime() <= Date.now()) {
      return this.refuse(key, 'expired');
    }
    if (!token.lastUsedAt || Date.now() - token.lastUsedAt.getTime() > LAST_USED_RESOLUTION_MS) {
      await this.sql.query(`UPDATE "ApiToken" SET "lastUsedAt" = $2::timestamp WHERE id = $1`, [
        token.id,
        new Date().toISOString(),
      ]);
    }
    const identity = { tokenId: token.id, tenantId: token.tenantId, scope: token.scope };
    if (this.accepted.size >= REMEMBERED_ACCEPTED) this.accepted.clear();
    // Never trusted past its own expiry.
    const until = Math.min(Date.now() + ACCEPTED_TRUST_MS, token.expiresAt?.getTime() ?? Infinity);
    this.accepted.set(key, { identity, until });
    return identity;
  }

  private refuse(key: string, rejected: TokenRejection): { rejected: TokenRejection } {
    if (this.refusals.size >= REMEMBERED_REFUSALS) {
      this.refusals.delete(this.refusals.keys().next().value!);
    }
    this.refusals.set(key, rejected);
    return { rejected };
  }

  list(tenantId: string): Promise<ApiToken[]> {
    return this.prisma.apiToken.findMany({ where: { tenantId }, orderBy: { createdAt: 'desc' } });
  }

  async revoke(tenantId: string, tokenId: string, actor: string): Promise<ApiToken> {
    const revoked = await this.prisma.$transaction(async (tx) => {
      // Scoped by tenant: another tenant's token id is simply not found.
      const token = await tx.apiToken.findFirst({ where: { id: tokenId, tenantId } });
      if (!token) throw notFound('No such token');
      if (token.revokedAt) return token;
      const revoked = await tx.apiToken.update({
        where: { id: token.id },
        data: { revokedAt: new Date() },
      });
      await this.audit.record(
        { tenantId, actor, action: 'token.revoke', target: `shoal_${token.prefix}` },
        tx,
      );
      return revoked;
    });
    // This instance stops trusting it at once; others within their trust window.
    for (const key of this.accepted.keys())
      if (key.startsWith(`${revoked.prefix}_`)) this.accepted.delete(key);
    return revoked;
  }
}
