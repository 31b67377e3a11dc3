import net from 'node:net';

/**
 * Listening sockets the front door spreads over, where the platform allows.
 *
 * Node accepts one connection per listening socket per event-loop turn (libuv relies on
 * the socket staying readable rather than accepting in a loop). Under load a turn takes
 * milliseconds, so one socket admits a few hundred new connections a second and the rest
 * wait in the kernel's queue: measured here, a second and more before Shoal saw the
 * request, while requests on connections already open waited 10 ms. Every `docker`
 * command opens a connection of its own. Sockets bound to one port with SO_REUSEPORT
 * are each accepted from on every turn, and the kernel spreads new connections among
 * them.
 */
export const SPREAD_LISTENERS = 8;

/** SO_REUSEPORT spreads connections on Linux, and Node sets it from 22.12 (23.1 on 23). */
export function canSpread(platform = process.platform, node = process.versions.node): boolean {
  const [major = 0, minor = 0] = node.split('.').map(Number);
  return (
    platform === 'linux' &&
    (major > 23 || (major === 23 && minor >= 1) || (major === 22 && minor >= 12))
  );
}

/**
 * Listens on `host:port` (0: any free port) with `count` servers made by `create`, all
 * on one port; one server where the port cannot be shared. A port another process holds
 * is refused as a lone listener's would be (EADDRINUSE), even if that process shares it:
 * a second Shoal started on the same port must fail, not take half the connections.
 */
export async function listenSpread<S extends net.Server>(
  create: () => S,
  host: string,
  port: number,
  count = canSpread() ? SPREAD_LISTENERS : 1,
): Promise<S[]> {
  if (count <= 1) return [await listen(create(), { host, port })];
  if (port !== 0) await closeServer(await listen(net.createServer(), { host, port }));
  const servers = [await listen(create(), { host, port, reusePort: true })];
  const shared = (servers[0]!.address() as net.AddressInfo).port;
  try {
    while (servers.length < count)
      servers.push(await listen(create(), { host, port: shared, reusePort: true }));
  } catch (error) {
    await Promise.all(servers.map(closeServer));
    throw error;
  }
  return servers;
}

function listen<S extends net.Server>(server: S, options: net.ListenOptions): Promise<S> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(options, () => {
      server.off('error', reject);
      resolve(server);
    });
  });
}

/** Stops `server` listening; settles once its connections have ended too. */
export function closeServer(server: net.Server): Promise<void> {
  return new Promise((resolve) => server.close(() => resolve()));
}
