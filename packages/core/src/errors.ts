/**
 * Domain errors shared by both front doors. Each has a stable `code`; the tRPC
 * and Docker adapters map codes to their own status values, so a service
 * never thinks in HTTP.
 */
export type ShoalErrorCode =
  | 'NOT_FOUND'
  | 'CONFLICT'
  | 'INVALID_ARGUMENT'
  | 'UNAUTHENTICATED'
  | 'FORBIDDEN'
  | 'QUOTA_EXCEEDED'
  | 'NOT_SUPPORTED'
  | 'UNAVAILABLE'
  /** Too many failed attempts; the message says when to try again. */
  | 'RATE_LIMITED';

export class ShoalError extends Error {
  constructor(
    readonly code: ShoalErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'ShoalError';
  }
}

export const notFound = (what: string) => new ShoalError('NOT_FOUND', what);
export const conflict = (message: string) => new ShoalError('CONFLICT', message);
export const invalid = (message: string) => new ShoalError('INVALID_ARGUMENT', message);
export const notSupported = (message: string) => new ShoalError('NOT_SUPPORTED', message);
/** Docker's 403 for what its own networks or their endpoints forbid. */
export const forbidden = (message: string) => new ShoalError('FORBIDDEN', message);
/** A request that waited its allowed time for the database and was not carried out. */
export const busy = (what: string) =>
  new ShoalError(
    'UNAVAILABLE',
    `Shoal is busy: the request to ${what} waited too long for its turn and was not carried out; nothing changed, try again`,
  );

/** Prisma's unique-constraint violation, the one database error users cause. */
export function isUniqueViolation(error: unknown): boolean {
  return (
    typeof error === 'object' && error !== null && (error as { code?: unknown }).code === 'P2002'
  );
}

/**
 * Prisma's "the record to update or delete does not exist": another request removed it
 * while this one ran. The caller is told it is gone, as it would be a moment later.
 */
export function isRecordGone(error: unknown): boolean {
  return (
    typeof error === 'object' && error !== null && (error as { code?: unknown }).code === 'P2025'
  );
}

/** A `.catch` that says `message` when the record was removed while the request ran. */
export function goneAs(message: string) {
  return (error: unknown): never => {
    throw isRecordGone(error) ? notFound(message) : error;
  };
}

/** What a front door answers for such an error where the service had no better words. */
const goneMeanwhile = (cause: unknown) =>
  new ShoalError('NOT_FOUND', 'No such object: it was removed while the request ran', { cause });

/**
 * A refused connection (node-postgres gives the socket's error as it is; the Mesos clients
 * wrap theirs in errors of their own), and Prisma's codes for a server out of reach.
 */
const AWAY_CODES = new Set(['ECONNREFUSED', 'P1001', 'P1017']);

/** SQLSTATE classes 08 (connection exception) and 57P (the server shutting down or starting). */
const isAwayState = (code: unknown) =>
  typeof code === 'string' && (AWAY_CODES.has(code) || /^(08|57P)/.test(code));

/**
 * Whether a failure is the database being away (restarting, stopped, out of reach), seen
 * from node-postgres or from Prisma's driver adapter: no fault of the request or of Shoal,
 * and over once the database is back.
 */
function isDatabaseAway(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const { code, message, meta } = error as {
    code?: unknown;
    message?: unknown;
    meta?: { driverAdapterError?: { cause?: { code?: unknown; kind?: unknown } } };
  };
  const cause = meta?.driverAdapterError?.cause;
  return (
    isAwayState(code) ||
    isAwayState(cause?.code) ||
    cause?.kind === 'DatabaseNotReachable' ||
    (typeof message === 'string' && message.startsWith('Connection terminated'))
  );
}

/** What a front door answers while the database is away. */
const databaseAway = (cause: unknown) =>
  new ShoalError(
    'UNAVAILABLE',
    'Shoal cannot reach its database just now; try again in a few seconds',
    { cause },
  );

/**
 * A storage failure as both front doors answer it, in a service's words: a record removed
 * while the request ran, or the database away. Undefined for any other failure.
 */
export function storageFailure(error: unknown): ShoalError | undefined {
  if (isRecordGone(error)) return goneMeanwhile(error);
  if (isDatabaseAway(error)) return databaseAway(error);
  return undefined;
}
