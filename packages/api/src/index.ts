export { appRouter, type AppRouter } from './root';
export {
  createContext,
  createContextFactory,
  type Context,
  type ContextOptions,
  type RequestFacts,
} from './context';
export { trustedProxyList, DEFAULT_TRUSTED_PROXIES } from './http/client-address';
export { CSRF_HEADER, SESSION_COOKIE } from './http/cookies';
export { createCallerFactory } from './trpc';
