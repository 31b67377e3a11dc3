// What other workspaces (benchmarks) start Shoal with: the whole control plane in-process.
export { startShoal, type RunningShoal, type StartOptions } from './app';
export { createLogger, type Logger, type LogLevel } from './logger';
export { tuneProcess } from './process-tuning';
