import type { FrameworkInfo, OfferFilters } from '@shoal/mesos';
import type { FrameworkOptions } from './framework-contract';

/**
 * The smallest offer worth making a role, in place of the master's own minimum (some cpus
 * or some memory): every task needs both. Under a quota limit the master would otherwise
 * offer a role the memory of its headroom on one agent and cpus alone on others, pieces
 * that fit nothing, are given back together and come back in pieces again.
 */
const WORTH_OFFERING: OfferFilters = {
  min_allocatable_resources: {
    quantities: [{ quantities: { cpus: { value: 0.001 }, mem: { value: 1 } } }],
  },
};

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
    offer_filters: Object.fromEntries(roles.map((role) => [role, WORTH_OFFERING])),
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
