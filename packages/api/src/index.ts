export { appRouter, type AppRouter } from './root';
export { createContext, createContextFactory, type Context, type RequestFacts } from './context';
export { CSRF_HEADER, SESSION_COOKIE } from './http/cookies';
export { createCallerFactory } from './trpc';
