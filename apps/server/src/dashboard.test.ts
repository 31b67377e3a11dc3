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
