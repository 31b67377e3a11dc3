import type {
  AccessWatch,
  ClusterView,
  ContainerEventBus,
  ContainerOperations,
  EventJournal,
  ExecService,
  NetworkService,
  PipeService,
  TerminalService,
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
  containers: ContainerOperations;
  /** The tenant's own networks (docker network create, connect). */
  networks: Pick<
    NetworkService,
    'create' | 'list' | 'get' | 'remove' | 'prune' | 'connect' | 'disconnect'
  >;
  /** docker exec (containers under the ucr runtime). */
  execs: Pick<ExecService, 'create' | 'start' | 'resize' | 'inspect'>;
  /** Input and live output of ucr containers launched with -t (docker run -it, attach). */
  terminals: Pick<TerminalService, 'attach' | 'resize'>;
  /** The command of a ucr container created with -i and without -t (docker run -i). */
  pipes: Pick<PipeService, 'attach'>;
  events: Pick<ContainerEventBus, 'subscribe'>;
  cluster: ClusterView;
  /** For `docker events --since`: what happened before the subscription. */
  eventJournal: Pick<EventJournal, 'between'>;
}
