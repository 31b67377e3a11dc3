// The session cookie and the checks that make cookie authentication safe
// against cross-site requests. The browser only ever talks to the dashboard's
// origin; the dashboard forwards /trpc/* here with X-Forwarded-Host/-Proto.

export const SESSION_COOKIE = 'shoal_session';
/** Sent by the dashboard's tRPC client on every call; a cross-site form cannot set it. */
export const CSRF_HEADER = 'x-shoal-csrf';

export type IncomingHeaders = Record<string, string | string[] | undefined>;

const first = (value: string | string[] | undefined) => (Array.isArray(value) ? value[0] : value);

export function readCookie(headers: IncomingHeaders, name: string): string | null {
  for (const part of (first(headers.cookie) ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) {
      try {
        return decodeURIComponent(part.slice(eq + 1).trim());
      } catch {
        // Not a cookie Shoal set (a bad escape): the same as none, so signed out.
        return null;
      }
    }
  }
  return null;
}

/** Whether the page was served over https, so the cookie must be Secure. */
export function isHttps(headers: IncomingHeaders): boolean {
  return first(headers['x-forwarded-proto'])?.split(',')[0]?.trim() === 'https';
}

/**
 * A state-changing call is trusted only when it carries the dashboard's custom
 * header (which forces a CORS preflight that the control plane never grants),
 * a JSON body, and, when the browser names an Origin, that origin is the host
 * the request was sent to.
 */
export function isSameOriginCall(headers: IncomingHeaders): boolean {
  if (first(headers[CSRF_HEADER]) !== '1') return false;
  if (!first(headers['content-type'])?.startsWith('application/json')) return false;
  const origin = first(headers.origin);
  if (!origin) return true;
  const host = first(headers['x-forwarded-host']) ?? first(headers.host);
  try {
    return new URL(origin).host === host;
  } catch {
    return false;
  }
}

export function sessionCookie(token: string, maxAgeMs: number, secure: boolean): string {
  const attributes = [
    `${SESSION_COOKIE}=${encodeURIComponent(token)}`,
    'Path=/',
    `Max-Age=${Math.floor(maxAgeMs / 1000)}`,
    'HttpOnly',
    'SameSite=Lax',
  ];
  if (secure) attributes.push('Secure');
  return attributes.join('; ');
}

export const clearedSessionCookie = (secure: boolean) => sessionCookie('', 0, secure);
