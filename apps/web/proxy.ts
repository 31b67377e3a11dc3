import { NextResponse, type NextRequest } from 'next/server';
import { securityHeaders } from '@/lib/security-headers';

// Every page gets a fresh script nonce. Next.js reads the policy from the request headers
// to put the nonce on the scripts it renders, and the browser enforces it from the response.
export function proxy(request: NextRequest) {
  const nonce = btoa(String.fromCharCode(...crypto.getRandomValues(new Uint8Array(16))));
  // NODE_ENV is set by Next.js at build time (`next dev` or a production build), not configuration.
  // eslint-disable-next-line no-restricted-properties
  const headers = securityHeaders(nonce, process.env.NODE_ENV === 'development');
  const forwarded = new Headers(request.headers);
  forwarded.set('Content-Security-Policy', headers['Content-Security-Policy']);
  const response = NextResponse.next({ request: { headers: forwarded } });
  for (const [name, value] of Object.entries(headers)) response.headers.set(name, value);
  return response;
}

export const config = {
  // /trpc streams request bodies to the control plane untouched (see lib/control-plane-proxy.ts);
  // static assets need no nonce.
  matcher: ['/((?!trpc/|_next/static/|_next/image/|favicon.ico).*)'],
};
