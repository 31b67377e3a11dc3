import type { IncomingMessage } from 'node:http';
import type { FailureLimiter, TokenIdentity, TokenRejection, TokenService } from '@shoal/core';
import { DockerApiError } from './errors';

export interface Caller {
  tenantId: string;
  tokenId: string;
  scope: TokenIdentity['scope'];
  /** How the audit log names this caller. */
  actor: string;
}

const HOW_TO =
  'send a Shoal API token as "Authorization: Bearer <token>" (with the Docker CLI, in HttpHeaders of $DOCKER_CONFIG/config.json)';

const REJECTION_MESSAGES: Record<TokenRejection, string> = {
  malformed: 'invalid Shoal API token: a token looks like shoal_<prefix>_<secret>',
  unknown: 'invalid Shoal API token: no such token',
  revoked: 'this Shoal API token has been revoked; ask a tenant owner for a new one',
  expired: 'this Shoal API token has expired; ask a tenant owner for a new one',
};

export interface AuthOptions {
  tokens: Pick<TokenService, 'authenticate'>;
  limiter: FailureLimiter;
  /**
   * The status for a refused token. 401 everywhere except where the CLI
   * reacts to 401 by starting an interactive registry login (image pulls).
   */
  refusedStatus: 401 | 403;
}

/**
 * Resolves the request's bearer token to a tenant, or throws the Docker error to answer.
 *
 * The token is checked before the address's failure budget, so a valid token is
 * never refused because of anyone's failures: many tenants may share one address
 * (a load balancer, a NAT). Refused attempts count per address, and an address
 * over its budget gets 429 instead of the refusal. A scanner stays cheap all the
 * same: a malformed token never reaches the database, and the token service
 * remembers recent refusals, so a repeated bad token costs no query.
 */
export async function authenticate(req: IncomingMessage, options: AuthOptions): Promise<Caller> {
  const header = req.headers.authorization;
  if (!header)
    throw new DockerApiError(options.refusedStatus, `authentication required: ${HOW_TO}`);
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  const result = match?.[1]
    ? await options.tokens.authenticate(match[1])
    : ({ rejected: 'malformed' } as const);
  if (!('rejected' in result)) {
    return {
      tenantId: result.tenantId,
      tokenId: result.tokenId,
      scope: result.scope,
      actor: `token:${result.tokenId}`,
    };
  }
  const address = req.socket.remoteAddress ?? 'unknown';
  const wait = options.limiter.retryAfterSeconds(address);
  if (wait > 0) {
    throw new DockerApiError(
      429,
      `too many failed authentication attempts from ${address}; try again in ${wait} seconds`,
      { 'Retry-After': String(wait) },
    );
  }
  options.limiter.recordFailure(address);
  const message = match
    ? REJECTION_MESSAGES[result.rejected]
    : `unsupported Authorization scheme: ${HOW_TO}`;
  throw new DockerApiError(options.refusedStatus, message);
}

/** READ_ONLY tokens may look but not change anything. */
export function requireWriteScope(caller: Caller): void {
  if (caller.scope === 'READ_ONLY') {
    throw new DockerApiError(
      403,
      'this Shoal API token is read-only; use a read-write token to change containers',
    );
  }
}
