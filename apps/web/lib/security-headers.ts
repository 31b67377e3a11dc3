/**
 * The policy every dashboard page is served with. Scripts run only with this response's
 * nonce (Next.js puts it on its own scripts), nothing may frame the pages (a tenant page
 * carries Stop, Remove and token buttons), and links to other sites send no path.
 */
export function contentSecurityPolicy(nonce: string, dev: boolean): string {
  return [
    "default-src 'self'",
    // React's development build evaluates source maps' code; production never needs eval.
    `script-src 'self' 'nonce-${nonce}' 'strict-dynamic'${dev ? " 'unsafe-eval'" : ''}`,
    // Style attributes (virtualised rows, chart sizes) are set by React; a nonce cannot cover them.
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ');
}

export function securityHeaders(nonce: string, dev: boolean) {
  return {
    'Content-Security-Policy': contentSecurityPolicy(nonce, dev),
    // For browsers that predate frame-ancestors.
    'X-Frame-Options': 'DENY',
    'Referrer-Policy': 'same-origin',
    'X-Content-Type-Options': 'nosniff',
  };
}
