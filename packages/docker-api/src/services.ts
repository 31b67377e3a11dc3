import type {
  ClusterView,
  ContainerEventBus,
  ContainerOperations,
  EventJournal,
  TenantService,
  TokenService,
} from '@shoal/core';

/**
 * The part of Shoal's services the Docker API uses. Core's `Services`
 * satisfies it; tests can pass small in-memory stand-ins.
 */
export interface DockerApiServices {
  tokens: Pick<TokenService, 'authenticate'>;
  tenants: Pick<TenantService, 'list'>;
  containers: ContainerOperations;
  events: Pick<ContainerEventBus, 'subscribe'>;
  cluster: ClusterView;
  /** For `docker events --since`: what happened before the subscription. */
  eventJournal: Pick<EventJournal, 'between'>;
}
