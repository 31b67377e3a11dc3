import type { OperatorClient, Resource } from '@shoal/mesos';
import type { MesosFramework } from '@shoal/scheduler';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { LiveClusterView } from './cluster-view';

/** A master whose GET_AGENTS answers one agent after `costMs`, counting the calls. */
function masterListingIn(costMs: number) {
  const calls = { count: 0 };
  const operator = {
    getAgents: () => {
      calls.count++;
      return new Promise((resolve) =>
        setTimeout(
          () =>
            resolve({
              agents: [
                {
                  agent_info: { hostname: 'a1', id: { value: 'a1' }, resources: [] },
                  active: true,
                },
              ],
            }),
          costMs,
        ),
      );
    },
  } as unknown as OperatorClient;
  const view = new LiveClusterView(
    operator,
    () => undefined,
    () => ({ problem: null, emulated: true }),
  );
  return { view, calls };
}

describe('LiveClusterView listing the agents', () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date', 'performance'] });
  });
  afterEach(() => vi.useRealTimers());

  it('lists a small cluster every five seconds, and docker info in between reads the listing in hand', async () => {
    const { view, calls } = masterListingIn(2);
    view.keepListing(() => undefined);
    for (let second = 0; second < 60; second++) {
      await vi.advanceTimersByTimeAsync(1_000);
      expect(await view.agents('web')).toHaveLength(1);
    }
    view.stopListing();
    // Once at the start, then every five seconds: reads add no listing of their own.
    expect(calls.count).toBeGreaterThanOrEqual(11);
    expect(calls.count).toBeLessThanOrEqual(13);
  });

  it('lists a cluster that takes long to list less often, so requests rarely wait behind a listing', async () => {
    const { view, calls } = masterListingIn(100);
    view.keepListing(() => undefined);
    for (let second = 0; second < 60; second++) {
      await vi.advanceTimersByTimeAsync(1_000);
      await view.agents('web');
    }
    view.stopListing();
    // 100 ms per listing: one every 20 s.
    expect(calls.count).toBeGreaterThanOrEqual(3);
    expect(calls.count).toBeLessThanOrEqual(4);
  });

  it('stops listing when told to', async () => {
    const { view, calls } = masterListingIn(2);
    view.keepListing(() => undefined);
    await vi.advanceTimersByTimeAsync(1_000);
    view.stopListing();
    const before = calls.count;
    await vi.advanceTimersByTimeAsync(60_000);
    expect(calls.count).toBe(before);
  });
});

describe('LiveClusterView summing up the agents and offers of a role', () => {
  const scalar = (name: string, value: number, revocable = false): Resource => ({
    name,
    type: 'SCALAR',
    scalar: { value },
    ...(revocable ? { revocable: {} } : {}),
  });
  // 4 cpus and 8192 MB, and 2 cpus and 2048 MB oversubscribed on top.
  const resources = [
    scalar('cpus', 4),
    scalar('mem', 8192),
    scalar('cpus', 2, true),
    scalar('mem', 2048, true),
  ];

  it('keeps revocable resources apart from the firm ones, as the admin cluster page does', async () => {
    const operator = {
      getAgents: async () => ({
        agents: [
          {
            agent_info: { hostname: 'a1', id: { value: 'a1' }, resources },
            total_resources: resources,
            active: true,
          },
        ],
      }),
    } as unknown as OperatorClient;
    const offer = { id: { value: 'o1' }, agent_id: { value: 'a1' }, hostname: 'a1', resources };
    const framework = {
      heldOffers: () => [{ offer, role: 'web', heldSince: new Date() }],
      isDraining: () => false,
    } as unknown as MesosFramework;
    const view = new LiveClusterView(
      operator,
      () => framework,
      () => ({ problem: null, emulated: false }),
    );
    expect(await view.agents('web')).toMatchObject([
      { total: { cpus: 4, memoryMb: 8192 }, revocable: { cpus: 2, memoryMb: 2048 } },
    ]);
    expect(view.heldOffers('web')).toMatchObject([
      {
        resources: { cpus: 4, memoryMb: 8192 },
        revocableResources: { cpus: 2, memoryMb: 2048 },
        revocable: true,
      },
    ]);
  });
});
