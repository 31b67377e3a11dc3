import { FailureLimiter } from './failure-limiter';

/** A budget of failures: `burst` are free, then `perMinute` more each minute. */
export interface FailureBudget {
  burst: number;
  perMinute: number;
}

export interface SignInLimits {
  /** Failures of one account from one address. */
  accountAddress: FailureBudget;
  /** Failures of one account from addresses it has not signed in from before. */
  account: FailureBudget;
  /** Failures from one address over every account, unknown emails included. */
  address: FailureBudget;
}

export const DEFAULT_SIGN_IN_LIMITS: SignInLimits = {
  accountAddress: { burst: 10, perMinute: 10 },
  account: { burst: 30, perMinute: 10 },
  address: { burst: 30, perMinute: 30 },
};

/** How long an address that signed in to an account stays known for it. */
const KNOWN_FOR_MS = 30 * 24 * 60 * 60 * 1000;
const MAX_KNOWN = 50_000;

export type SignInRefusal = { retryAfterSeconds: number; scope: 'account' | 'address' };

/**
 * Budgets of failed password checks, as Auth0's brute-force protection and suspicious-IP
 * throttling or fail2ban count them: per account and client address, per account, and per
 * address. Every budget refills faster than a trickle of one failure every few seconds
 * drains it, so a stranger's slow guessing never keeps the owner out; a flood does drain
 * them. Then an account refuses only the addresses it has not signed in from before, so
 * the owner at a familiar address still gets in (within that address's own budget), and
 * an address that failed over many accounts (or unknown emails) waits, except for an
 * account it is known for. Budgets live in this process only.
 */
export class SignInLimiter {
  private readonly pairs: FailureLimiter;
  private readonly accounts: FailureLimiter;
  private readonly addresses: FailureLimiter;
  /** When each account+address pair last signed in. */
  private readonly known = new Map<string, number>();

  constructor(
    limits: SignInLimits = DEFAULT_SIGN_IN_LIMITS,
    // Read at each call, not bound once: a held clock (tests, Date replaced) is the one used.
    private readonly now: () => number = () => Date.now(),
  ) {
    this.pairs = new FailureLimiter(limits.accountAddress, now);
    this.accounts = new FailureLimiter(limits.account, now);
    this.addresses = new FailureLimiter(limits.address, now);
  }

  /** Why `account` may not try a password from `address` now, or undefined when it may. */
  check(account: string, address: string): SignInRefusal | undefined {
    const pair = this.pairs.retryAfterSeconds(pairKey(account, address));
    if (pair > 0) return { retryAfterSeconds: pair, scope: 'account' };
    if (this.isKnown(account, address)) return undefined;
    const accountWait = this.accounts.retryAfterSeconds(account);
    if (accountWait > 0) return { retryAfterSeconds: accountWait, scope: 'account' };
    const addressWait = this.addresses.retryAfterSeconds(address);
    if (addressWait > 0) return { retryAfterSeconds: addressWait, scope: 'address' };
    return undefined;
  }

  recordFailure(account: string, address: string): void {
    this.pairs.recordFailure(pairKey(account, address));
    if (this.isKnown(account, address)) return;
    this.accounts.recordFailure(account);
    this.addresses.recordFailure(address);
  }

  /** The right password: this address is known for the account, and its failures forgiven. */
  recordSuccess(account: string, address: string): void {
    const key = pairKey(account, address);
    this.pairs.forget(key);
    this.known.delete(key);
    this.known.set(key, this.now());
    if (this.known.size > MAX_KNOWN) {
      const oldest = this.known.keys().next().value;
      if (oldest !== undefined) this.known.delete(oldest);
    }
  }

  private isKnown(account: string, address: string): boolean {
    const at = this.known.get(pairKey(account, address));
    return at !== undefined && this.now() - at < KNOWN_FOR_MS;
  }
}

const pairKey = (account: string, address: string) => `${account}\u0000${address}`;
