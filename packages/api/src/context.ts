import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Services, SessionUser } from '@shoal/core';
import {
  SESSION_COOKIE,
  isHttps,
  isSameOriginCall,
  readCookie,
  type IncomingHeaders,
} from './http/cookies';

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
}

export interface RequestFacts {
  headers: IncomingHeaders;
  setCookie(cookie: string): void;
  requestId?: string;
}

export async function createContext(services: Services, request: RequestFacts): Promise<Context> {
  const sessionToken = readCookie(request.headers, SESSION_COOKIE);
  return {
    services,
    user: sessionToken ? await services.sessions.resolve(sessionToken) : null,
    sessionToken,
    sameOrigin: isSameOriginCall(request.headers),
    secure: isHttps(request.headers),
    setCookie: request.setCookie,
    ...(request.requestId ? { requestId: request.requestId } : {}),
  };
}

/** For tRPC's Node HTTP adapter; `requestIdOf` names the request as the server's log does. */
export function createContextFactory(
  services: Services,
  requestIdOf: (req: IncomingMessage) => string | undefined = () => undefined,
) {
  return ({ req, res }: { req: IncomingMessage; res: ServerResponse }) => {
    const requestId = requestIdOf(req);
    return createContext(services, {
      headers: req.headers,
      setCookie: (cookie) => res.appendHeader('set-cookie', cookie),
      ...(requestId ? { requestId } : {}),
    });
  };
}
