import { afterEach, expect, it, vi } from 'vitest';
import { fireAt } from './timers';

afterEach(() => vi.useRealTimers());

it('fires at a time further off than one Node timer holds, not at once', () => {
  vi.useFakeTimers({ now: new Date('2026-12-05T00:00:00Z') });
  const fired = vi.fn();
  fireAt(new Date('2027-01-05T00:00:00Z'), fired);
  vi.advanceTimersByTime(30 * 86_400_000);
  expect(fired).not.toHaveBeenCalled();
  vi.advanceTimersByTime(86_400_000);
  expect(fired).toHaveBeenCalledOnce();
});

it('fires at once for a time past, and never once cancelled', () => {
  vi.useFakeTimers();
  const fired = vi.fn();
  fireAt(new Date(Date.now() - 1000), fired);
  vi.advanceTimersByTime(0);
  expect(fired).toHaveBeenCalledOnce();
  const cancelled = vi.fn();
  fireAt(new Date(Date.now() + 1000), cancelled)();
  vi.advanceTimersByTime(2000);
  expect(cancelled).not.toHaveBeenCalled();
});
