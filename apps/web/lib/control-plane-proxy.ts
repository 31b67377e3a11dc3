// Forwards the browser's /trpc/* calls to the control plane at request time, so one build
// works wherever the server runs and cookies stay first-party. Bodies stream through:
// nothing is buffered here, and one larger than the control plane accepts is refused
// before any of it is sent on.

import { TRPC_ERROR_CODES_BY_KEY } from '@trpc/server/rpc';

/** The control plane refuses larger dashboard calls; the same limit applies here first. */
export const MAX_BODY_BYTES = 1024 * 1024;

const HOP_BY_HOP = [
  'connection',
  'keep-alive',
  'transfer-encoding',
  'upgrade',
  'host',
  'content-length',
  // Answered by the dashboard's own server (100 Continue); fetch refuses to send it on.
  'expect',
  'te',
  'trailer',
];

/** Errors that mean no connection to the control plane was made at all. */
const UNREACHABLE = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ETIMEDOUT',
  'UND_ERR_CONNECT_TIMEOUT',
]);

class BodyTooLarge extends Error {}

type FailureCode = 'PAYLOAD_TOO_LARGE' | 'BAD_GATEWAY';

/**
 * An answer the dashboard's tRPC client reads as an error with `message`: the envelope
 * superjson produces, one per call of a batch (`/trpc/a,b?batch=1`), so the page shows the
 * message instead of failing to decode the answer.
 */
function failure(request: Request, status: number, code: FailureCode, message: string): Response {
  const url = new URL(request.url);
  const paths = url.pathname.replace(/^\/trpc\//, '').split(',');
  const envelope = (path: string) => ({
    error: {
      json: {
        message,
        code: TRPC_ERROR_CODES_BY_KEY[code],
        data: { code, httpStatus: status, path },
      },
    },
  });
  const batch = url.searchParams.get('batch') === '1';
  return Response.json(batch ? paths.map(envelope) : envelope(paths[0] ?? ''), { status });
}

const tooLarge = (request: Request) =>
  failure(
    request,
    413,
    'PAYLOAD_TOO_LARGE',
    `A dashboard call may carry at most ${MAX_BODY_BYTES} bytes`,
  );

/** The body as a stream that fails once more than `limit` bytes went through it. */
function capped(body: ReadableStream<Uint8Array>, limit: number): ReadableStream<Uint8Array> {
  let seen = 0;
  return body.pipeThrough(
    new TransformStream<Uint8Array, Uint8Array>({
      transform(chunk, controller) {
        seen += chunk.byteLength;
        if (seen > limit) controller.error(new BodyTooLarge());
        else controller.enqueue(chunk);
      },
    }),
  );
}

/**
 * A live view's event stream that ends, rather than fails, when the control plane goes away:
 * the browser reconnects either way, and the dashboard's log is spared an error per tab.
 */
function endingQuietly(body: ReadableStream<Uint8Array>): ReadableStream<Uint8Array> {
  const reader = body.getReader();
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        const { done, value } = await reader.read();
        if (done) controller.close();
        else controller.enqueue(value);
      } catch {
        controller.close();
      }
    },
    cancel: (reason) => reader.cancel(reason),
  });
}

/** The error and the causes behind it, nearest first. */
function causes(error: unknown): unknown[] {
  const chain: unknown[] = [];
  for (let current = error; current && chain.length < 5;) {
    chain.push(current);
    current = (current as { cause?: unknown }).cause;
  }
  return chain;
}

export function createControlPlaneProxy(serverUrl: string, maxBodyBytes = MAX_BODY_BYTES) {
  return async function forward(request: Request): Promise<Response> {
    const declared = Number(request.headers.get('content-length') ?? '0');
    if (declared > maxBodyBytes) return tooLarge(request);
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
    const hasBody = request.body !== null && request.method !== 'GET' && request.method !== 'HEAD';
    let upstream: Response;
    try {
      upstream = await fetch(target, {
        method: request.method,
        headers,
        ...(hasBody && request.body
          ? { body: capped(request.body, maxBodyBytes), duplex: 'half' as const }
          : {}),
        redirect: 'manual',
        signal: request.signal,
      });
    } catch (error) {
      const chain = causes(error);
      if (chain.some((e) => e instanceof BodyTooLarge)) return tooLarge(request);
      const code = chain
        .map((e) => (e as { code?: unknown }).code)
        .find((c): c is string => typeof c === 'string');
      if (code && UNREACHABLE.has(code)) {
        return failure(request, 502, 'BAD_GATEWAY', 'The Shoal control plane is not reachable');
      }
      return failure(
        request,
        502,
        'BAD_GATEWAY',
        `The Shoal control plane ended the call without an answer${code ? ` (${code})` : ''}`,
      );
    }
    const responseHeaders = new Headers(upstream.headers);
    for (const h of HOP_BY_HOP) responseHeaders.delete(h);
    responseHeaders.delete('content-encoding');
    const eventStream = upstream.headers.get('content-type')?.startsWith('text/event-stream');
    const body = eventStream && upstream.body ? endingQuietly(upstream.body) : upstream.body;
    return new Response(body, { status: upstream.status, headers: responseHeaders });
  };
}
