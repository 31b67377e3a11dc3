// Loaded into the dashboard's standalone server before Next.js (`node --import`, see
// apps/server/src/dashboard.ts). It answers what Next.js answers with a server fault, or not
// at all: a request target that is no path (`GET *`), a path with a broken escape
// (`/t/%zz`), a CONNECT, and a WebSocket upgrade, which the dashboard never takes (its live
// views are server-sent events) and Next.js left open for ever.
import http from 'node:http';

/** @param {string} target */
function targetFault(target) {
  if (!target.startsWith('/') && !/^https?:\/\//i.test(target))
    return `invalid request target ${JSON.stringify(target.slice(0, 64))}`;
  const path = target.replace(/[?#].*$/s, '');
  try {
    decodeURIComponent(path);
    return undefined;
  } catch {
    return 'the path holds a malformed percent-escape';
  }
}

/**
 * @param {import('node:stream').Duplex} socket
 * @param {number} status
 * @param {string} reason
 * @param {string} message
 */
function endSocket(socket, status, reason, message) {
  const body = `${JSON.stringify({ message })}\n`;
  socket.end(
    `HTTP/1.1 ${status} ${reason}\r\nContent-Type: application/json\r\n` +
      `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}

/**
 * @param {http.Server} server
 * @returns {http.Server}
 */
function guarded(server) {
  const emit = server.emit;
  // Next.js's own listeners run after these checks: the server emits each event through here.
  /** @type {typeof emit} */
  server.emit = function guardedEmit(event, ...args) {
    if (event === 'request') {
      const [req, res] = /** @type {[http.IncomingMessage, http.ServerResponse]} */ (args);
      const fault = targetFault(req.url ?? '');
      if (fault) {
        const body = `${JSON.stringify({ message: fault })}\n`;
        res.writeHead(400, {
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(body),
          connection: 'close',
        });
        res.end(body);
        return true;
      }
    } else if (event === 'upgrade') {
      endSocket(args[1], 404, 'Not Found', 'the dashboard takes no WebSocket connections');
      return true;
    }
    return emit.call(this, event, ...args);
  };
  // Without a listener Node closes a CONNECT without a word.
  return server.on('connect', (_req, socket) =>
    endSocket(socket, 405, 'Method Not Allowed', 'CONNECT is not served here: this is no proxy'),
  );
}

const createServer = http.createServer;
/** @type {typeof createServer} */
const createGuardedServer = (...args) => guarded(createServer(...args));
http.createServer = createGuardedServer;
