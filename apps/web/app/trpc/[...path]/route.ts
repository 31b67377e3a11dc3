import { loadEnv } from '@shoal/config';

// The browser talks to the dashboard's own origin; this forwards /trpc/* to the
// control plane at request time, so one build works wherever the server runs
// and cookies stay first-party.
const serverUrl = loadEnv().SHOAL_SERVER_URL;

const HOP_BY_HOP = ['connection', 'keep-alive', 'transfer-encoding', 'upgrade', 'host', 'content-length'];

async function forward(request: Request): Promise<Response> {
  const incoming = new URL(request.url);
  const target = new URL(incoming.pathname + incoming.search, serverUrl);
  const headers = new Headers(request.headers);
  for (const h of HOP_BY_HOP) headers.delete(h);
  // The control plane compares the browser's Origin with the host it asked, and
  // marks the session cookie Secure when the page came over https.
  headers.set(
    'x-forwarded-host',
    request.headers.get('x-forwarded-host') ?? request.headers.get('host') ?? incoming.host,
  );
  headers.set(
    'x-forwarded-proto',
    request.headers.get('x-forwarded-proto') ?? incoming.protocol.replace(':', ''),
  );
  try {
    const upstream = await fetch(target, {
      method: request.method,
      headers,
      body: request.method === 'GET' || request.method === 'HEAD' ? undefined : await request.arrayBuffer(),
      redirect: 'manual',
      signal: request.signal,
    });
    const responseHeaders = new Headers(upstream.headers);
    for (const h of HOP_BY_HOP) responseHeaders.delete(h);
    responseHeaders.delete('content-encoding');
    return new Response(upstream.body, { status: upstream.status, headers: responseHeaders });
  } catch {
    return Response.json(
      { error: { message: 'The Shoal control plane is not reachable', code: 'BAD_GATEWAY' } },
      { status: 502 },
    );
  }
}

export const dynamic = 'force-dynamic';
export { forward as GET, forward as POST };
