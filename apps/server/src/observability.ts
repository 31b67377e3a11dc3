import type { Services } from '@shoal/core';
import type { PrismaClient } from '@shoal/db';
import type { RequestRecord } from '@shoal/docker-api';
import type { FrameworkListener } from '@shoal/scheduler';
import type { FrameworkHost } from './cluster/framework-host';
import { Registry } from './metrics';

export interface Probes {
  /** Ready to serve: the database answers and, on the leader, Mesos is subscribed. */
  ready(): Promise<{ ready: boolean; detail: Record<string, unknown> }>;
  metrics(): Promise<string>;
}

/** Metrics the framework reports as it works, and the probes built on them. */
export function createObservability(services: Services, prisma: PrismaClient) {
  const registry = new Registry();
  const offers = registry.counter('shoal_offers_received_total', 'Offers received, per role');
  const cpus = registry.counter(
    'shoal_offer_cpus_total',
    'Offered cpus per role and outcome (offered, accepted, declined)',
  );
  const mem = registry.counter(
    'shoal_offer_mem_mb_total',
    'Offered memory (MB) per role and outcome',
  );
  const launches = registry.counter(
    'shoal_task_launches_total',
    'Tasks handed to Mesos in ACCEPT calls',
  );
  const startLatency = registry.histogram(
    'shoal_container_start_seconds',
    'Time from a start request until the container runs',
    [0.1, 0.25, 0.5, 1, 2, 5, 10, 20, 60],
  );
  services.containers.onStarted = (ms) => startLatency.observe(ms / 1000);
  const dockerRequests = registry.counter(
    'shoal_docker_api_requests_total',
    'Docker API requests per status class (2xx, 4xx, 5xx; "gone" when the client left first)',
  );
  const dockerAnswer = registry.histogram(
    'shoal_docker_api_answer_seconds',
    'Time until a Docker API answer began (for streams such as logs -f: until their headers)',
    [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20],
  );
  const dockerRequest = (request: RequestRecord) => {
    dockerRequests.inc({
      status: request.status ? `${Math.floor(request.status / 100)}xx` : 'gone',
    });
    if (request.answerMs !== undefined) dockerAnswer.observe(request.answerMs / 1000);
  };

  const observe: Pick<FrameworkListener, 'onOfferRound' | 'onLaunched'> = {
    onLaunched: (n) => launches.inc({}, n),
    onOfferRound: (round) => {
      offers.inc({ role: round.role }, round.offers);
      for (const outcome of ['offered', 'accepted', 'declined'] as const) {
        cpus.inc({ role: round.role, outcome }, round[outcome].cpus);
        mem.inc({ role: round.role, outcome }, round[outcome].memMb);
      }
    },
  };

  const probes = (framework: FrameworkHost): Probes => {
    registry.gauge(
      'shoal_mesos_subscribed',
      'Whether this instance holds the Mesos subscription',
      async () => [{ value: services.cluster.framework().subscribed ? 1 : 0 }],
    );
    registry.gauge('shoal_leader', 'Whether this instance won the leader lock', async () => [
      { value: framework.isLeader ? 1 : 0 },
    ]);
    registry.gauge('shoal_tasks', 'Tasks per state', async () =>
      (await prisma.task.groupBy({ by: ['state'], _count: { _all: true } })).map((g) => ({
        labels: { state: g.state },
        value: g._count._all,
      })),
    );
    registry.gauge('shoal_containers', 'Containers per state', async () =>
      (await prisma.container.groupBy({ by: ['state'], _count: { _all: true } })).map((g) => ({
        labels: { state: g.state.toLowerCase() },
        value: g._count._all,
      })),
    );
    return {
      metrics: () => registry.render(),
      async ready() {
        const database = await services.system.databaseHealth();
        const subscription = services.cluster.framework();
        const leader = framework.isLeader;
        const ready = database.ok && (!leader || subscription.subscribed);
        return { ready, detail: { database, leader, subscribed: subscription.subscribed } };
      },
    };
  };
  return { observe, probes, dockerRequest };
}
