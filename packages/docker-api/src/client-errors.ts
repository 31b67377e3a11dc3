import type { Server } from 'node:http';
import type { Duplex } from 'node:stream';

/** What Node's HTTP parser refused, by its error code, as Docker clients are told. */
const REFUSALS: Record<string, { status: number; reason: string; message: string }> = {
  HPE_HEADER_OVERFLOW: {
    status: 431,
    reason: 'Request Header Fields Too Large',
    message: 'the request headers are too large',
  },
  ERR_HTTP_REQUEST_TIMEOUT: {
    status: 408,
    reason: 'Request Timeout',
    message: 'the request did not arrive in time',
  },
  HPE_INVALID_METHOD: {
    status: 400,
    reason: 'Bad Request',
    message: 'unknown HTTP method',
  },
};
const MALFORMED = { status: 400, reason: 'Bad Request', message: 'malformed HTTP request' };

/**
 * Answers a request Node's HTTP parser refused before Shoal saw it, in Docker's JSON form:
 * by default Node answers with a status and no body, which clients show as an empty error.
 */
function answerClientError(error: NodeJS.ErrnoException, socket: Duplex): void {
  if (!socket.writable || error.code === 'ECONNRESET') {
    socket.destroy();
    return;
  }
  endWith(socket, REFUSALS[error.code ?? ''] ?? MALFORMED);
}

/** A CONNECT (a proxy's tunnel) is no request Shoal serves; Node would close without a word. */
function answerConnect(_req: unknown, socket: Duplex): void {
  endWith(socket, {
    status: 405,
    reason: 'Method Not Allowed',
    message: 'CONNECT is not served here: this is no proxy',
  });
}

/** Every listener of Shoal's answers what Node refuses or leaves unanswered in JSON. */
export function answerRawRequests<S extends Server>(server: S): S {
  return server.on('clientError', answerClientError).on('connect', answerConnect);
}

function endWith(socket: Duplex, answer: { status: number; reason: string; message: string }) {
  const body = `${JSON.stringify({ message: answer.message })}\n`;
  socket.end(
    `HTTP/1.1 ${answer.status} ${answer.reason}\r\nContent-Type: application/json\r\n` +
      `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}
