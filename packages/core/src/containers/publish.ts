import type { ContainerEventBus } from '../events/event-bus';
import type { ContainerAction, ContainerSpec } from './types';

/** Tells the tenant's event stream (`docker events`, live lists) what happened to a container. */
export function publishChange(
  events: ContainerEventBus,
  row: { id: string; tenantId: string; name: string; image: string; config: unknown },
  action: ContainerAction,
  extra: Record<string, string> = {},
): void {
  const labels = (row.config as ContainerSpec | null)?.labels ?? {};
  events.publish({
    tenantId: row.tenantId,
    containerId: row.id,
    name: row.name,
    image: row.image,
    action,
    at: new Date(),
    attributes: { name: row.name, image: row.image, ...labels, ...extra },
  });
}
