import type { Socket } from 'node:net';
import { Agent, buildConnector } from 'undici';

/**
 * Repeatable calls in flight on one connection to the master, and connections per
 * master. The master answers pipelined requests in order (libprocess keeps a queue of
 * responses per connection), so a batch of acknowledgements leaves in one packet where
 * each was a system call on a connection of its own, and the master reads them in one
 * go: on a busy framework these messages cost more CPU than the work they ask for.
 */
const CALLS_PER_CONNECTION = 64;
const CALL_CONNECTIONS = 4;

/** The dispatcher for repeatable calls: see CALLS_PER_CONNECTION. */
export function pipeliningAgent(timeoutMs: number): Agent {
  const connect = buildConnector({ timeout: timeoutMs });
  return new Agent({
    pipelining: CALLS_PER_CONNECTION,
    connections: CALL_CONNECTIONS,
    connect: (options, callback) =>
      connect(options, (...result) => {
        if (result[1]) coalesceWrites(result[1]);
        callback(...result);
      }),
  });
}

/**
 * Writes made in one turn of the event loop leave the socket together: requests
 * pipelined in a loop go out in one system call instead of one each.
 */
function coalesceWrites(socket: Socket): void {
  const write = socket.write;
  let corked = false;
  const flush = () => {
    corked = false;
    socket.uncork();
  };
  socket.write = function (this: Socket, ...args: Parameters<Socket['write']>) {
    if (!corked) {
      corked = true;
      socket.cork();
      process.nextTick(flush);
    }
    return write.apply(this, args);
  } as Socket['write'];
}
