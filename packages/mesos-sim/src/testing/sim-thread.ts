import { once } from 'node:events';
import { Worker } from 'node:worker_threads';
import type { SimOptions } from '../options';

export interface SimThread {
  masterUrls: string[];
  agentGatewayUrl: string;
  close(): Promise<void>;
}

/** Starts a cluster in its own thread (see sim-worker.ts); only its HTTP APIs are reachable. */
export async function startSimThread(options: SimOptions): Promise<SimThread> {
  // Workers do not inherit the TypeScript loader, so the worker registers tsx itself.
  const entry = new URL('./sim-worker.ts', import.meta.url).href;
  const boot = `import('tsx/esm/api').then(({ register }) => { register(); return import(${JSON.stringify(entry)}); })`;
  const worker = new Worker(boot, { eval: true, workerData: options });
  const [ready] = (await Promise.race([
    once(worker, 'message'),
    once(worker, 'error').then(([e]) => Promise.reject(e)),
  ])) as [{ masterUrls: string[]; agentGatewayUrl: string }];
  return {
    ...ready,
    async close() {
      const exited = once(worker, 'exit');
      worker.postMessage('close');
      await exited;
    },
  };
}
