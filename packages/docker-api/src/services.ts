import type {
  AccessWatch,
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
  /** Ends a request that outlives its token (revoked, expired) while it streams. */
  accessWatch: Pick<AccessWatch, 'token'>;
  tenants: Pick<TenantService, 'findById'>;
  containers: ContainerOperations;
  events: Pick<ContainerEventBus, 'subscribe'>;
  cluster: ClusterView;
  /** For `docker events --since`: what happened before the subscription. */
  eventJournal: Pick<EventJournal, 'between'>;
}
