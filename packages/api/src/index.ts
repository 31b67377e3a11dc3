export { appRouter, type AppRouter } from './root';
export { createContextFactory, type Context } from './context';
export { createCallerFactory } from './trpc';
