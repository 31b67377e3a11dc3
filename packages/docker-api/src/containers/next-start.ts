import type { ContainerEvent } from '@shoal/core';

/** Resolves with the container's next start, or false when it dies or goes first. */
export async function nextStart(
  events: AsyncIterable<ContainerEvent>,
  containerId: string,
): Promise<boolean> {
  for await (const event of events) {
    if (event.containerId !== containerId) continue;
    if (event.action === 'start') return true;
    if (event.action === 'die' || event.action === 'destroy') return false;
  }
  return false;
}
