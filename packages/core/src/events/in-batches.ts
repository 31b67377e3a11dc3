/**
 * Groups what `source` yields into arrays: the first item opens a window of `windowMs`, and
 * everything that arrives within it goes out together. A window also stays open until
 * `spacingMs` after the previous batch went out, so a long burst goes out at that pace, in
 * few large batches, while a lone event after a quiet spell waits at most `windowMs`.
 */
export async function* inBatches<T>(
  source: AsyncIterator<T>,
  windowMs: number,
  spacingMs = 0,
): AsyncGenerator<T[]> {
  let next = source.next();
  let lastOut = -Infinity;
  for (;;) {
    const first = await next;
    if (first.done) return;
    const batch = [first.value];
    next = source.next();
    const closes = Math.max(Date.now() + windowMs, lastOut + spacingMs);
    for (;;) {
      const left = closes - Date.now();
      if (left <= 0) break;
      let timer: ReturnType<typeof setTimeout> | undefined;
      const timeout = new Promise<'closed'>((resolve) => {
        timer = setTimeout(() => resolve('closed'), left);
      });
      const result = await Promise.race([next, timeout]);
      clearTimeout(timer);
      if (result === 'closed') break;
      if (result.done) {
        yield batch;
        return;
      }
      batch.push(result.value);
      next = source.next();
    }
    lastOut = Date.now();
    yield batch;
  }
}
