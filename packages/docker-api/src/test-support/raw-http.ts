import net from 'node:net';

export interface RawResponse {
  /** Status line and headers, as sent. */
  head: string;
  /** Everything after the headers, until the server closed its side. */
  body: Promise<Buffer>;
  socket: net.Socket;
}

/**
 * Sends one HTTP/1.1 request on a fresh connection and hands back the raw
 * bytes, for what fetch cannot show: 101 upgrades, half-closed connections,
 * and headers sent before the body.
 */
export function rawRequest(
  port: number,
  method: string,
  path: string,
  headers: Record<string, string>,
): Promise<RawResponse> {
  const socket = net.connect({ port, host: '127.0.0.1', allowHalfOpen: true });
  const lines = [
    `${method} ${path} HTTP/1.1`,
    'Host: docker',
    ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`),
  ];
  socket.write(`${lines.join('\r\n')}\r\n\r\n`);
  return new Promise((resolve, reject) => {
    let received = Buffer.alloc(0);
    const chunks: Buffer[] = [];
    let done: (body: Buffer) => void = () => undefined;
    const body = new Promise<Buffer>((r) => (done = r));
    let headSeen = false;
    socket.on('data', (chunk: Buffer) => {
      if (headSeen) {
        chunks.push(chunk);
        return;
      }
      received = Buffer.concat([received, chunk]);
      const end = received.indexOf('\r\n\r\n');
      if (end < 0) return;
      headSeen = true;
      chunks.push(received.subarray(end + 4));
      resolve({ head: received.subarray(0, end).toString('latin1'), body, socket });
    });
    socket.on('end', () => done(Buffer.concat(chunks)));
    socket.on('error', reject);
  });
}
