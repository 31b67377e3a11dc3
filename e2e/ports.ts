import net from 'node:net';

// Picked below the kernel's ephemeral range (32768-60999 on Linux): a port the kernel hands
// out for listen(0) is free only until another process's listen(0) or outgoing connection
// is given it, and on a busy machine that can happen before the server under test binds it.
const FIRST = 20_000;
const LAST = 32_000;

/** A port nothing listens on right now, for a server the tests start. */
export async function freePort(): Promise<number> {
  for (let attempt = 0; attempt < 100; attempt++) {
    const port = FIRST + Math.floor(Math.random() * (LAST - FIRST));
    if (await canListen(port)) return port;
  }
  throw new Error(`no free port between ${FIRST} and ${LAST}`);
}

function canListen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}
