import { isTrackedEnvelope, tracked } from '@trpc/server';
import { z } from 'zod';

/**
 * Output validation for subscriptions: checks each value an async generator
 * yields against `item`, so streamed data is held to the same contract as a
 * query's answer.
 */
export function zAsyncIterable<T extends z.ZodType>(item: T) {
  return z
    .custom<AsyncIterable<z.input<T>>>(
      (value) => typeof value === 'object' && value !== null && Symbol.asyncIterator in value,
    )
    .transform(async function* (source): AsyncGenerator<z.output<T>, void, unknown> {
      for await (const value of source) yield await item.parseAsync(value);
    });
}

/**
 * The same for a stream whose values carry an id (tRPC's `tracked()`), which the client
 * sends back as `lastEventId` to resume after a reconnect.
 */
export function zTrackedAsyncIterable<T extends z.ZodType>(item: T) {
  return z
    .custom<AsyncIterable<ReturnType<typeof tracked<z.input<T>>>>>(
      (value) => typeof value === 'object' && value !== null && Symbol.asyncIterator in value,
    )
    .transform(async function* (source) {
      for await (const value of source) {
        if (!isTrackedEnvelope(value))
          throw new Error('A tracked stream yielded an untracked value');
        yield tracked(value[0], (await item.parseAsync(value[1])) as z.output<T>);
      }
    });
}
