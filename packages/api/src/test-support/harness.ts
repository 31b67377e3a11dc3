import { TRPCError } from '@trpc/server';
import { createServices, type Services } from '@shoal/core';
import type { Db } from '@shoal/db';
import { createTestDatabase } from '@shoal/db/testing';
import { createContext } from '../context';
import { CSRF_HEADER, SESSION_COOKIE, type IncomingHeaders } from '../http/cookies';
import { appRouter } from '../root';
import { createCallerFactory } from '../trpc';

const createCaller = createCallerFactory(appRouter);
export type Caller = ReturnType<typeof createCaller>;

export const PASSWORD = 'correct horse battery';

/** A fresh database with services, and callers that act as a browser tab would. */
export async function createHarness() {
  const db: Db = await createTestDatabase();
  const services: Services = createServices(db);

  /**
   * A caller whose request carries `sessionToken` and the dashboard's headers;
   * cookies the server sets are pushed onto `cookies`; `signal` ends its subscriptions.
   */
  async function caller(
    sessionToken?: string,
    headers: IncomingHeaders = {},
    cookies: string[] = [],
    signal?: AbortSignal,
  ): Promise<Caller> {
    const ctx = await createContext(services, {
      headers: {
        [CSRF_HEADER]: '1',
        'content-type': 'application/json',
        host: 'dashboard.test',
        ...(sessionToken ? { cookie: `${SESSION_COOKIE}=${sessionToken}` } : {}),
        ...headers,
      },
      setCookie: (cookie) => cookies.push(cookie),
    });
    return createCaller(ctx, { signal });
  }

  /** Signs in through the procedure and returns the session cookie's value. */
  async function signIn(email: string, password = PASSWORD): Promise<string> {
    const cookies: string[] = [];
    await (await caller(undefined, {}, cookies)).auth.signIn({ email, password });
    const match = new RegExp(`^${SESSION_COOKIE}=([^;]+)`).exec(cookies[0] ?? '');
    if (!match?.[1]) throw new Error('sign-in set no session cookie');
    return decodeURIComponent(match[1]);
  }

  /** A user who chose their own password, signed in, with memberships. */
  async function userCaller(
    email: string,
    memberships: Record<string, 'OWNER' | 'MEMBER' | 'VIEWER'> = {},
    options: { isAdmin?: boolean } = {},
  ): Promise<Caller> {
    const user = await services.users.create({
      email,
      password: PASSWORD,
      isAdmin: options.isAdmin,
    });
    for (const [slug, role] of Object.entries(memberships)) {
      const tenant = await services.tenants.getBySlug(slug);
      await services.users.addMembership(user.id, tenant.id, role);
    }
    return caller(await signIn(email));
  }

  return { db, services, caller, signIn, userCaller, close: () => db.close() };
}

/** The tRPC error code a call fails with, or 'resolved'. */
export function codeOf(promise: Promise<unknown>): Promise<string> {
  return promise.then(
    () => 'resolved',
    (error: unknown) => (error instanceof TRPCError ? error.code : `unexpected: ${String(error)}`),
  );
}
