import type { MasterResponse } from './master-request';

// Failures that happen before the request reached a master, so another
// master (or a later attempt) can safely be tried even for non-idempotent calls.
const CONNECT_ERROR_CODES = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EADDRNOTAVAIL',
  'UND_ERR_CONNECT_TIMEOUT',
]);

export function isConnectFailure(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && CONNECT_ERROR_CODES.has(code);
}

export function isTimeout(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT';
}

/** Thrown inside one pass over the masters when nobody could be reached. */
export class AllMastersUnreachable extends Error {
  constructor(
    readonly urls: string[],
    readonly causes: unknown[],
  ) {
    super('no master reachable');
  }
}

export async function readText(response: MasterResponse): Promise<string> {
  try {
    return await response.body.text();
  } catch {
    // The status is what matters to the caller; a body cut short adds nothing.
    return '';
  }
}
