/**
 * Groups what `source` yields into arrays: the first item opens a window of `windowMs`, and
 * everything that arrives within it goes out together. A burst of thousands of events becomes
 * a few batches, while a lone event waits at most `windowMs`.
 */
export async function* inBatches<T>(
  source: AsyncIterator<T>,
  windowMs: number,
): AsyncGenerator<T[]> {
  let next = source.next();
  for (;;) {
    const first = await next;
    if (first.done) return;
    const batch = [first.value];
    next = source.next();
    const closes = Date.now() + windowMs;
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
    yield batch;
  }
}
