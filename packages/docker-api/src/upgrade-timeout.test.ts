import net from 'node:net';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startTestApi, type TestApi } from './test-support/harness';

// A request that takes over its connection leaves Node's request timeouts behind.

let t: TestApi;
beforeAll(async () => {
  t = await startTestApi({ upgradeAnswerTimeoutMs: 300 });
});
afterAll(() => t.api.close());

it('answers 408 and closes a taken-over request whose body never arrives whole', async () => {
  const socket = net.connect(t.port, '127.0.0.1');
  let answer = '';
  socket.setEncoding('utf8');
  socket.on('data', (chunk: string) => (answer += chunk));
  const closed = new Promise<void>((resolve) => socket.on('close', () => resolve()));
  // Ten bytes of the hundred it declares, then nothing.
  socket.write(
    'POST /v1.50/exec/some-exec/start HTTP/1.1\r\nHost: docker\r\nAuthorization: Bearer acme-rw\r\n' +
      'Connection: Upgrade\r\nUpgrade: tcp\r\nContent-Type: application/json\r\n' +
      'Content-Length: 100\r\n\r\n{"Detach":',
  );
  await closed;
  expect(answer).toMatch(/^HTTP\/1\.1 408 /);
  expect(JSON.parse(answer.split('\r\n\r\n')[1] ?? '')).toEqual({
    message: 'the request did not arrive in time',
  });
  // The server goes on.
  expect((await t.request('GET', '/_ping')).status).toBe(200);
});
