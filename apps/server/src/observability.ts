import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { Services } from '@shoal/core';
import type { PrismaClient } from '@shoal/db';
import type { RequestRecord } from '@shoal/docker-api';
import type { FrameworkListener } from '@shoal/scheduler';
import type { FrameworkHost } from './cluster/framework-host';

export interface Probes {
  /** Ready to serve: the database answers and, on the leader, Mesos is subscribed. */
  ready(): Promise<{ ready: boolean; detail: Record<string, unknown> }>;
  /** The Prometheus exposition and its content type. */
  metrics(): Promise<{ text: string; contentType: string }>;
}

/** Mesos counts memory in MB of 2^20 bytes; Prometheus names quantities in base units. */
const BYTES_PER_MB = 1024 * 1024;

/**
 * Metrics the framework reports as it works, Node's own (event-loop lag above all: a
 * blocked loop delays every tenant), and the probes built on them. Each Shoal in a
 * process keeps a registry of its own.
 */
export function createObservability(services: Services, prisma: PrismaClient) {
  const registers = [new Registry()];
  const [registry] = registers as [Registry];
  collectDefaultMetrics({ register: registry });
  // Gauges named like counters, which promtool's lint refuses; the same counts per type stay.
  for (const misnamed of [
    'nodejs_active_handles_total',
    'nodejs_active_requests_total',
    'nodejs_active_resources_total',
  ])
    registry.removeSingleMetric(misnamed);
  const offers = new Counter({
    name: 'shoal_offers_received_total',
    help: 'Offers received, per role',
    labelNames: ['role'],
    registers,
  });
  const cpus = new Counter({
    name: 'shoal_offer_cpus_total',
    help: 'Offered cpus per role and outcome (offered, accepted, declined)',
    labelNames: ['role', 'outcome'],
    registers,
  });
  const memory = new Counter({
    name: 'shoal_offer_memory_bytes_total',
    help: 'Offered memory in bytes per role and outcome (offered, accepted, declined)',
    labelNames: ['role', 'outcome'],
    registers,
  });
  const launches = new Counter({
    name: 'shoal_task_launches_total',
    help: 'Tasks handed to Mesos in ACCEPT calls',
    registers,
  });
  const startLatency = new Histogram({
    name: 'shoal_container_start_seconds',
    help: 'Time from a start request until the container runs',
    buckets: [0.1, 0.25, 0.5, 1, 2, 5, 10, 20, 60],
    registers,
  });
  services.containers.onStarted = (ms) => startLatency.observe(ms / 1000);
  const dockerRequests = new Counter({
    name: 'shoal_docker_api_requests_total',
    help: 'Docker API requests per status class (2xx, 4xx, 5xx; "gone" when the client left first)',
    labelNames: ['status'],
    registers,
  });
  const dockerAnswer = new Histogram({
    name: 'shoal_docker_api_answer_seconds',
    help: 'Time until a Docker API answer began (for streams such as logs -f: until their headers)',
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20],
    registers,
  });
  const dockerRequest = (request: RequestRecord) => {
    dockerRequests.inc({
      status: request.status ? `${Math.floor(request.status / 100)}xx` : 'gone',
    });
    if (request.answerMs !== undefined) dockerAnswer.observe(request.answerMs / 1000);
  };

  const observe: Pick<FrameworkListener, 'onOfferRound' | 'onLaunched'> = {
    onLaunched: (n) => launches.inc(n),
    onOfferRound: (round) => {
      offers.inc({ role: round.role }, round.offers);
      for (const outcome of ['offered', 'accepted', 'declined'] as const) {
        cpus.inc({ role: round.role, outcome }, round[outcome].cpus);
        memory.inc({ role: round.role, outcome }, round[outcome].memMb * BYTES_PER_MB);
      }
    },
  };

  const probes = (framework: FrameworkHost): Probes => {
    new Gauge({
      name: 'shoal_mesos_subscribed',
      help: 'Whether this instance holds the Mesos subscription',
      registers,
      collect() {
        this.set(services.cluster.framework().subscribed ? 1 : 0);
      },
    });
    new Gauge({
      name: 'shoal_leader',
      help: 'Whether this instance won the leader lock',
      registers,
      collect() {
        this.set(framework.isLeader ? 1 : 0);
      },
    });
    new Gauge({
      name: 'shoal_tasks',
      help: 'Tasks per Mesos state',
      labelNames: ['state'],
      registers,
      async collect() {
        const groups = await prisma.task.groupBy({ by: ['state'], _count: { _all: true } });
        this.reset();
        for (const g of groups) this.set({ state: g.state }, g._count._all);
      },
    });
    new Gauge({
      name: 'shoal_containers',
      help: 'Containers per state',
      labelNames: ['state'],
      registers,
      async collect() {
        const groups = await prisma.container.groupBy({ by: ['state'], _count: { _all: true } });
        this.reset();
        for (const g of groups) this.set({ state: g.state.toLowerCase() }, g._count._all);
      },
    });
    return {
      metrics: async () => ({ text: await registry.metrics(), contentType: registry.contentType }),
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
