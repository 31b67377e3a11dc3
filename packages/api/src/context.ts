import type { IncomingMessage, ServerResponse } from 'node:http';
import type { BlockList } from 'node:net';
import type { Services, SessionUser } from '@shoal/core';
import {
  SESSION_COOKIE,
  isHttps,
  isSameOriginCall,
  readCookie,
  type IncomingHeaders,
} from './http/cookies';
import { clientAddress, DEFAULT_TRUSTED_PROXIES, trustedProxyList } from './http/client-address';

export interface Context {
  services: Services;
  /** The signed-in user, resolved from the session cookie. */
  user: SessionUser | null;
  sessionToken: string | null;
  /** Whether a mutation from this request may be trusted (see isSameOriginCall). */
  sameOrigin: boolean;
  /** Served over https: cookies get the Secure attribute. */
  secure: boolean;
  setCookie(cookie: string): void;
  /** The id the control plane's log gives this request, when it is served over HTTP. */
  requestId?: string;
  /** The client's address (through trusted proxies), for budgets of failed password checks. */
  clientAddress: string;
}

export interface RequestFacts {
  headers: IncomingHeaders;
  setCookie(cookie: string): void;
  requestId?: string;
  /** The connection's peer; undefined for a caller in this process. */
  peerAddress?: string;
}

export interface ContextOptions {
  /** Proxies whose X-Forwarded-For is believed (the dashboard); loopback by default. */
  trustedProxies?: BlockList;
}

const loopbackProxies = trustedProxyList(DEFAULT_TRUSTED_PROXIES);

export async function createContext(
  services: Services,
  request: RequestFacts,
  options: ContextOptions = {},
): Promise<Context> {
  const sessionToken = readCookie(request.headers, SESSION_COOKIE);
  return {
    services,
    user: sessionToken ? await services.sessions.resolve(sessionToken) : null,
    sessionToken,
    sameOrigin: isSameOriginCall(request.headers),
    secure: isHttps(request.headers),
    setCookie: request.setCookie,
    ...(request.requestId ? { requestId: request.requestId } : {}),
    clientAddress: clientAddress(
      request.peerAddress,
      request.headers,
      options.trustedProxies ?? loopbackProxies,
    ),
  };
}

/** For tRPC's Node HTTP adapter; `requestIdOf` names the request as the server's log does. */
export function createContextFactory(
  services: Services,
  requestIdOf: (req: IncomingMessage) => string | undefined = () => undefined,
  options: ContextOptions = {},
) {
  return ({ req, res }: { req: IncomingMessage; res: ServerResponse }) => {
    const requestId = requestIdOf(req);
    return createContext(
      services,
      {
        headers: req.headers,
        setCookie: (cookie) => res.appendHeader('set-cookie', cookie),
        ...(requestId ? { requestId } : {}),
        peerAddress: req.socket.remoteAddress ?? 'unknown',
      },
      options,
    );
  };
}
