import net from 'node:net';
import { afterEach, expect, it } from 'vitest';
import { loadEnv } from '@shoal/config';
import { startDashboard } from './dashboard';

let held: net.Server | undefined;
afterEach(() => held?.close());

it('refuses to start on a port another process holds, saying so, rather than report ready', async () => {
  held = net.createServer();
  await new Promise<void>((resolve) => held!.listen(0, '127.0.0.1', resolve));
  const port = (held.address() as net.AddressInfo).port;
  const env = loadEnv({ SHOAL_HOST: '127.0.0.1', SHOAL_WEB_PORT: String(port) });
  await expect(startDashboard(env, 'http://127.0.0.1:1')).rejects.toThrow(
    `The dashboard's port ${port} on 127.0.0.1 is taken`,
  );
});

/** A port nothing listens on now. */
async function freePort(): Promise<number> {
  const free = net.createServer();
  await new Promise<void>((resolve) => free.listen(0, '127.0.0.1', resolve));
  const { port } = free.address() as net.AddressInfo;
  await new Promise((resolve) => free.close(resolve));
  return port;
}

/** Sends `request` as it is on a connection of its own; the answer, once the server ends it. */
function raw(port: number, request: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1', () => socket.write(request));
    let answer = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => (answer += chunk));
    socket.on('end', () => resolve(answer));
    socket.on('error', reject);
  });
}

it('answers in JSON what Next.js answered with a fault or not at all, and serves on', async () => {
  const port = await freePort();
  const env = loadEnv({ SHOAL_HOST: '127.0.0.1', SHOAL_WEB_PORT: String(port) });
  const dashboard = await startDashboard(env, 'http://127.0.0.1:1');
  try {
    const cases: [string, RegExp, RegExp][] = [
      ['GET * HTTP/1.1', /^HTTP\/1\.1 400 /, /invalid request target \\"\*\\"/],
      ['OPTIONS * HTTP/1.1', /^HTTP\/1\.1 400 /, /invalid request target/],
      ['GET /t/%zz HTTP/1.1', /^HTTP\/1\.1 400 /, /malformed percent-escape/],
      ['GET /trpc/%zz HTTP/1.1', /^HTTP\/1\.1 400 /, /malformed percent-escape/],
      ['CONNECT example.com:443 HTTP/1.1', /^HTTP\/1\.1 405 /, /CONNECT is not served/],
      // Next.js held such a connection open for ever.
      [
        'GET /anything HTTP/1.1\r\nConnection: Upgrade\r\nUpgrade: websocket',
        /^HTTP\/1\.1 404 /,
        /takes no WebSocket/,
      ],
    ];
    for (const [line, status, message] of cases) {
      const answer = await raw(port, `${line}\r\nHost: x\r\n\r\n`);
      expect(answer, line).toMatch(status);
      expect(answer, line).toMatch(/^Content-Type: application\/json$/im);
      expect(answer, line).toMatch(message);
    }
    expect((await fetch(`${dashboard.url}/sign-in`)).status).toBe(200);
  } finally {
    await dashboard.close();
  }
});

it('stops even while a client holds a connection open, sending nothing', async () => {
  const port = await freePort();
  const env = loadEnv({ SHOAL_HOST: '127.0.0.1', SHOAL_WEB_PORT: String(port) });
  const dashboard = await startDashboard(env, 'http://127.0.0.1:1');
  // A request whose headers never end: Next.js waits for it when asked to stop, and so,
  // through the dashboard, did Shoal's shutdown.
  const held = net.connect(port, '127.0.0.1', () => held.write('GET / HTTP/1.1\r\nHost: x\r\n'));
  held.on('error', () => undefined);
  await new Promise((resolve) => held.once('connect', resolve));
  try {
    await dashboard.close();
    await expect(fetch(`${dashboard.url}/sign-in`)).rejects.toThrow();
  } finally {
    held.destroy();
  }
}, 40_000);
