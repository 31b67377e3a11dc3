import type { ContainerEventBus } from '../events/event-bus';
import { shownName } from './names';
import type { ContainerAction, ContainerSpec } from './types';

/** Tells the tenant's event stream (`docker events`, live lists) what happened to a container. */
export function publishChange(
  events: ContainerEventBus,
  row: { id: string; tenantId: string; name: string; image: string; config: unknown },
  action: ContainerAction,
  extra: Record<string, string> = {},
): void {
  const labels = (row.config as ContainerSpec | null)?.labels ?? {};
  const name = shownName(row);
  events.publish({
    tenantId: row.tenantId,
    containerId: row.id,
    name,
    image: row.image,
    action,
    at: new Date(),
    attributes: { name, image: row.image, ...labels, ...extra },
  });
}
