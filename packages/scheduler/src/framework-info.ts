import type { FrameworkInfo } from '@shoal/mesos';
import type { FrameworkOptions } from './framework-contract';

/**
 * How the framework describes itself to Mesos. SUBSCRIBE and UPDATE_FRAMEWORK both carry
 * a whole FrameworkInfo, so both are built here: a change of roles changes nothing else.
 */
export function frameworkInfo(
  options: FrameworkOptions,
  roles: string[],
  id: string | undefined,
): FrameworkInfo {
  return {
    user: options.user,
    name: options.name,
    ...(id ? { id: { value: id } } : {}),
    failover_timeout: options.failoverTimeoutSeconds,
    checkpoint: true,
    roles,
    ...(options.principal ? { principal: options.principal } : {}),
    ...(options.hostname ? { hostname: options.hostname } : {}),
    ...(options.webuiUrl ? { webui_url: options.webuiUrl } : {}),
    capabilities: (
      [
        'MULTI_ROLE',
        'PARTITION_AWARE',
        'REVOCABLE_RESOURCES',
        'TASK_KILLING_STATE',
        'GPU_RESOURCES',
      ] as const
    ).map((type) => ({ type })),
  };
}
