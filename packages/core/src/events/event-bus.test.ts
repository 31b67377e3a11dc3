import { expect, it } from 'vitest';
import type { ContainerEvent } from '../containers/types';
import { ContainerEventBus, MAX_QUEUED_EVENTS } from './event-bus';

const event = (n: number): ContainerEvent => ({
  tenantId: 't',
  containerId: `c${n}`,
  name: `c${n}`,
  image: 'alpine',
  action: 'create',
  at: new Date(),
  attributes: {},
});

it('hands a reader every event in order while it keeps up', async () => {
  const bus = new ContainerEventBus();
  const events = bus.subscribe('t', new AbortController().signal);
  for (let n = 0; n < 3; n++) bus.publish(event(n));
  const heard = [];
  for (let n = 0; n < 3; n++) heard.push((await events.next()).value?.name);
  expect(heard).toEqual(['c0', 'c1', 'c2']);
});

it('ends the subscription of a reader that stopped reading, rather than hold every event', async () => {
  const bus = new ContainerEventBus();
  const stalled = bus.subscribe('t', new AbortController().signal);
  const reading = bus.subscribe('t', new AbortController().signal);
  for (let n = 0; n <= MAX_QUEUED_EVENTS; n++) {
    bus.publish(event(n));
    await reading.next();
  }
  expect(await stalled.next()).toEqual({ value: undefined, done: true });
  // The one that kept up hears on.
  bus.publish(event(-1));
  expect((await reading.next()).value?.name).toBe('c-1');
});
