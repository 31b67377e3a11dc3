import v8 from 'node:v8';

/**
 * V8 settings for the control plane's process, applied by `shoal` at start and by the
 * benchmarks that run Shoal in their own process.
 *
 * Young-generation collections run on the main thread alone. In parallel, V8 hands each
 * one to helper threads that copy objects with atomic operations; on two cores shared
 * with PostgreSQL (and, in tests and benchmarks, the emulator) those threads cost more
 * CPU than they save, and Shoal's young collections are short. In framework-launch it cut
 * Shoal's CPU per launch by about a tenth. Old-generation marking stays concurrent, so
 * major collections do not become long pauses.
 */
export function tuneProcess(): void {
  v8.setFlagsFromString('--no-parallel-scavenge');
}
