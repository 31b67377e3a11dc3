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
