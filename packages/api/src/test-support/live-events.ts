/**
 * Subscriptions open on their first pull, after the procedure's checks, and tell no one when
 * they are listening. A test knows one is once it hears an event made for that purpose: probes
 * are made, one per poll, until the first is heard.
 */
export async function untilListening<E>(
  events: AsyncIterator<E>,
  makeProbe: (n: number) => Promise<unknown>,
): Promise<void> {
  const heard = events.next();
  for (let n = 0; ; n++) {
    await makeProbe(n);
    const quiet = new Promise<'quiet'>((resolve) => setTimeout(() => resolve('quiet'), 250));
    if ((await Promise.race([heard, quiet])) !== 'quiet') return;
  }
}

/** The next event that `isProbe` does not claim (probes heard late are passed over). */
export async function nextBesides<E>(
  events: AsyncIterator<E>,
  isProbe: (event: E) => boolean,
): Promise<E | undefined> {
  for (;;) {
    const { value, done } = await events.next();
    if (done) return undefined;
    if (!isProbe(value)) return value;
  }
}
