import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Worker } from 'node:worker_threads';
import { afterEach, describe, expect, it } from 'vitest';
import { canSpread, closeServer, listenSpread, SPREAD_LISTENERS } from './listen';

const CONNECTIONS = 200;

/**
 * Opens `CONNECTIONS` connections from a worker thread while this thread is held still,
 * so that all of them wait, established, in the kernel's accept queues; then counts the
 * event-loop turns until the servers have accepted them all.
 */
async function turnsToAcceptAll(servers: http.Server[]): Promise<number> {
  let accepted = 0;
  for (const server of servers) server.on('connection', () => accepted++);
  const port = (servers[0]!.address() as AddressInfo).port;
  const connected = new Int32Array(new SharedArrayBuffer(4));
  const worker = new Worker(
    `const net = require('node:net');
     const { workerData, parentPort } = require('node:worker_threads');
     const sockets = [];
     let open = 0;
     for (let i = 0; i < workerData.n; i++) {
       const socket = net.connect(workerData.port, '127.0.0.1', () => {
         if (++open === workerData.n) {
           Atomics.store(workerData.connected, 0, 1);
           Atomics.notify(workerData.connected, 0);
         }
       });
       sockets.push(socket.on('error', () => {}));
     }
     parentPort.once('message', () => sockets.forEach((s) => s.destroy()));`,
    { eval: true, workerData: { port, n: CONNECTIONS, connected } },
  );
  try {
    // Nothing is accepted while this thread waits: the handshakes complete in the kernel.
    expect(Atomics.wait(connected, 0, 0, 60_000)).not.toBe('timed-out');
    let turns = 0;
    await new Promise<void>((resolve) => {
      const turn = () => {
        turns++;
        if (accepted >= CONNECTIONS) resolve();
        else setImmediate(turn);
      };
      setImmediate(turn);
    });
    return turns;
  } finally {
    worker.postMessage('close');
    await worker.terminate();
  }
}

describe('listenSpread', () => {
  const opened: http.Server[][] = [];
  const open = async (count?: number, port = 0) => {
    const servers = await listenSpread(
      () => http.createServer((_req, res) => res.end()),
      '127.0.0.1',
      port,
      count,
    );
    opened.push(servers);
    return servers;
  };
  afterEach(async () => {
    for (const servers of opened.splice(0)) {
      for (const s of servers) s.closeAllConnections();
      await Promise.all(servers.map(closeServer));
    }
  });

  it('shares the port where Linux and Node allow it, and listens once elsewhere', () => {
    expect(canSpread('linux', '22.23.5')).toBe(true);
    expect(canSpread('linux', '22.12.0')).toBe(true);
    expect(canSpread('linux', '24.1.0')).toBe(true);
    expect(canSpread('linux', '22.11.0')).toBe(false);
    expect(canSpread('linux', '20.19.0')).toBe(false);
    expect(canSpread('darwin', '22.23.5')).toBe(false);
  });

  it.runIf(canSpread())(
    'accepts connections that arrive together in a few turns of the event loop',
    async () => {
      const spread = await open();
      expect(spread).toHaveLength(SPREAD_LISTENERS);
      expect(new Set(spread.map((s) => (s.address() as AddressInfo).port)).size).toBe(1);
      // A lone listener takes one connection a turn: what made new connections wait
      // behind a busy loop. Spread, the same connections need far fewer turns.
      const lone = await turnsToAcceptAll(await open(1));
      expect(lone).toBeGreaterThanOrEqual(CONNECTIONS);
      expect(await turnsToAcceptAll(spread)).toBeLessThan(CONNECTIONS / 2);
    },
  );

  it.runIf(canSpread())('refuses a port another listener holds, shared or not', async () => {
    const first = await open();
    const port = (first[0]!.address() as AddressInfo).port;
    // A second Shoal on the same port fails as a lone listener would, taking no connections.
    await expect(open(undefined, port)).rejects.toMatchObject({ code: 'EADDRINUSE' });
    const lone = await open(1);
    const lonePort = (lone[0]!.address() as AddressInfo).port;
    await expect(open(undefined, lonePort)).rejects.toMatchObject({ code: 'EADDRINUSE' });
    expect(opened).toHaveLength(2);
  });
});
