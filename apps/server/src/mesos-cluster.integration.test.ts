import { afterEach, describe, expect, it } from 'vitest';
import type { RunningShoal } from './app';
import { eventually, startShoalForTest } from './testing/shoal-under-test';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c().catch(() => undefined);
});

async function shoal(options: Parameters<typeof startShoalForTest>[0] = {}): Promise<RunningShoal> {
  const started = await startShoalForTest(options);
  cleanups.push(() => started.close());
  return started;
}

describe('what a real Mesos cluster asks of Shoal', () => {
  it('refuses a master older than Mesos 1.9, naming both versions, and never subscribes', async () => {
    const { services, sim } = await shoal({ sim: { version: '1.8.1' } });
    const problem = await eventually(
      'the refusal',
      async () => services.cluster.framework().problem ?? undefined,
    );
    expect(problem).toMatch(/runs Mesos 1\.8\.1; Shoal needs Mesos 1\.9\.0 or later/);
    expect(services.cluster.framework().subscribed).toBe(false);
    expect(sim?.state.frameworks()).toEqual([]);
  });
});
