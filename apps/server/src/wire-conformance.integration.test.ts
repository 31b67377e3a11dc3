import { afterEach, describe, expect, it } from 'vitest';
import type { Services } from '@shoal/core';
import { createTestDatabase } from '@shoal/db/testing';
import { startSimCluster } from '@shoal/mesos-sim';
import { checkOperatorCalls, checkSchedulerCalls, decodeWire } from './testing/mesos-wire-rules';
import { startRecordingProxy } from './testing/recording-proxy';
import { eventually, FAST_SIM, startShoalForTest } from './testing/shoal-under-test';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c().catch(() => undefined);
});

async function subscribed(services: Services): Promise<string> {
  return eventually('the framework to subscribe', async () => {
    const f = services.cluster.framework();
    return f.subscribed ? (f.frameworkId ?? undefined) : undefined;
  });
}

async function runningOn(
  services: Services,
  tenantId: string,
  name: string,
  accept: (agentId: string) => boolean = () => true,
) {
  return eventually(`${name} to run`, async () => {
    const c = await services.containers.get(tenantId, name);
    return c.state === 'running' && c.task?.agentId && accept(c.task.agentId) ? c : undefined;
  });
}

describe('Shoal on the wire', () => {
  it.each(['protobuf', 'json'] as const)(
    'makes, in a full scenario, only calls a real Mesos master takes (%s)',
    async (format) => {
      const sim = await startSimCluster({ agents: 3, ...FAST_SIM });
      cleanups.push(() => sim.close());
      const proxy = await startRecordingProxy(sim.masterUrls[0] ?? '');
      cleanups.push(() => proxy.close());
      const db = await createTestDatabase();
      cleanups.push(() => db.close());
      const start = async () => {
        const shoal = await startShoalForTest({
          db,
          masters: [proxy.url],
          env: { MESOS_FORMAT: format },
        });
        cleanups.push(() => shoal.close());
        return shoal;
      };

      let shoal = await start();
      const { services } = shoal;
      const frameworkId = await subscribed(services);
      // Quota and weights.
      const tenant = await services.tenants.create(
        { slug: 'acme', name: 'Acme', quota: { quotaCpusGuarantee: 1, quotaCpusLimit: 6 } },
        'admin',
      );
      await services.tenantAdmin.update(tenant.id, { weight: 2 }, 'admin');
      // Launches with ports, constraints and a multi-part entrypoint; a kill.
      await services.containers.create(
        tenant.id,
        {
          name: 'web',
          image: 'nginx',
          ports: [{ containerPort: 80, protocol: 'tcp' }],
          labels: { 'shoal.group': 'web', 'shoal.constraints': 'hostname:UNIQUE' },
          restartPolicy: { name: 'always' },
        },
        'test',
      );
      await services.containers.create(
        tenant.id,
        { name: 'job', image: 'busybox', entrypoint: ['sh', '-c'], cmd: ['sleep 3600'] },
        'test',
      );
      await services.containers.start(tenant.id, 'web', 'test');
      await services.containers.start(tenant.id, 'job', 'test');
      await runningOn(services, tenant.id, 'job');
      await services.containers.stop(tenant.id, 'job', {}, 'test');
      // Maintenance: inverse offers, answered, and the container moved.
      const before = await runningOn(services, tenant.id, 'web');
      const hostOf = (agentId: string) =>
        sim.state.agents().find((a) => a.id === agentId)?.hostname;
      const hostname = hostOf(before.task?.agentId ?? '') ?? '';
      await services.clusterAdmin.scheduleMaintenance(hostname, 3600, 'admin');
      const moved = await runningOn(services, tenant.id, 'web', (a) => hostOf(a) !== hostname);
      await services.clusterAdmin.endMaintenance(hostname, 'admin');
      // Draining its new agent moves it again.
      await services.clusterAdmin.drainAgent(moved.task?.agentId ?? '', 5, 'admin');
      await runningOn(services, tenant.id, 'web', (a) => a !== moved.task?.agentId);
      await services.clusterAdmin.reactivateAgent(moved.task?.agentId ?? '', 'admin');
      // With nothing left to launch, the role goes quiet.
      await eventually('the idle role to be suppressed', async () =>
        services.cluster.framework().suppressedRoles.includes(tenant.mesosRole),
      );
      // Failover: another instance resubscribes with the framework id and reconciles.
      await shoal.close();
      shoal = await start();
      expect(await subscribed(shoal.services)).toBe(frameworkId);
      await runningOn(shoal.services, tenant.id, 'web');
      await shoal.close();

      const problems: string[] = [];
      const calls = decodeWire(proxy.calls, format, problems);
      checkSchedulerCalls(calls.scheduler, problems);
      checkOperatorCalls(calls.operator, problems);
      expect(problems).toEqual([]);

      const schedulerTypes = new Set(calls.scheduler.map((c) => c.call.type));
      expect([...schedulerTypes]).toEqual(
        expect.arrayContaining([
          'SUBSCRIBE',
          'ACCEPT',
          'DECLINE',
          'ACKNOWLEDGE',
          'KILL',
          'RECONCILE',
          'REVIVE',
          'SUPPRESS',
          'UPDATE_FRAMEWORK',
          'ACCEPT_INVERSE_OFFERS',
        ]),
      );
      const operatorTypes = calls.operator.map((c) => c.call.type);
      expect(operatorTypes).toEqual(
        expect.arrayContaining([
          'GET_VERSION',
          'UPDATE_QUOTA',
          'UPDATE_WEIGHTS',
          'UPDATE_MAINTENANCE_SCHEDULE',
          'DRAIN_AGENT',
          'REACTIVATE_AGENT',
        ]),
      );
      // The master's version is known before the first subscription.
      const version = calls.operator.find((c) => c.call.type === 'GET_VERSION')?.wire;
      const firstSubscribe = calls.scheduler[0]?.wire;
      expect(version && firstSubscribe).toBeTruthy();
      expect(proxy.calls.indexOf(version!)).toBeLessThan(proxy.calls.indexOf(firstSubscribe!));
    },
  );
});
