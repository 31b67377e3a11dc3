import { afterEach, describe, expect, it } from 'vitest';
import type { Services } from '@shoal/core';
import { createTestDatabase } from '@shoal/db/testing';
import { startSimCluster } from '@shoal/mesos-sim';
import { checkOperatorCalls, checkSchedulerCalls, decodeWire } from './testing/mesos-wire-rules';
import { messagesAt, stringsAt, varintsAt } from './testing/protobuf-fields';
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
      const sim = await startSimCluster({
        agents: 3,
        ...FAST_SIM,
        cniNetworks: ['mesos-bridge', 'tenant-acme'],
      });
      cleanups.push(() => sim.close());
      const proxy = await startRecordingProxy(sim.masterUrls[0] ?? '');
      cleanups.push(() => proxy.close());
      const db = await createTestDatabase();
      cleanups.push(() => db.close());
      const start = async () => {
        const shoal = await startShoalForTest({
          db,
          masters: [proxy.url],
          env: { MESOS_FORMAT: format, SHOAL_TENANT_CNI_NETWORK: 'tenant-{tenant}' },
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
      // Under the Mesos containerizer: a CNI network with a published port, and a terminal.
      await services.containers.create(
        tenant.id,
        {
          name: 'ucr',
          image: 'alpine',
          runtime: 'ucr',
          tty: true,
          cmd: ['sleep', '3600'],
          ports: [{ containerPort: 8080, protocol: 'tcp' }],
        },
        'test',
      );
      // On a network of the tenant's: its CNI network, and its names published for discovery.
      await services.networks.create(tenant.id, { name: 'app' }, 'test');
      await services.containers.create(
        tenant.id,
        {
          name: 'api',
          image: 'nginx',
          runtime: 'ucr',
          labels: { 'com.docker.compose.service': 'api-svc' },
          networks: [{ network: 'app', aliases: ['backend'] }],
        },
        'test',
      );
      await services.containers.start(tenant.id, 'api', 'test');
      await runningOn(services, tenant.id, 'api');
      // Input without a terminal (docker run -i): the task holds the place of the command,
      // which runs as a nested session for the attached client.
      await services.containers.create(
        tenant.id,
        {
          name: 'piped',
          image: 'alpine',
          runtime: 'ucr',
          openStdin: true,
          stdinOnce: true,
          cmd: ['cat'],
        },
        'test',
      );
      await services.containers.start(tenant.id, 'web', 'test');
      await services.containers.start(tenant.id, 'job', 'test');
      await services.containers.start(tenant.id, 'ucr', 'test');
      await runningOn(services, tenant.id, 'job');
      await runningOn(services, tenant.id, 'ucr');
      await services.containers.remove(tenant.id, 'ucr', { force: true }, 'test');
      await services.containers.start(tenant.id, 'piped', 'test');
      await runningOn(services, tenant.id, 'piped');
      await services.containers.remove(tenant.id, 'piped', { force: true }, 'test');
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
      // A start in the suppressed role revives it. Earlier starts revive only when the offers
      // the role holds do not fit, which on a busy machine they may all have.
      await services.containers.start(tenant.id, 'job', 'test');
      await runningOn(services, tenant.id, 'job');
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

      const launched = calls.scheduler.flatMap((c) =>
        (c.call.accept?.operations ?? []).flatMap((o) => o.launch?.task_infos ?? []),
      );
      expect(launched.find((t) => t.name === 'ucr')?.container).toMatchObject({
        type: 'MESOS',
        mesos: { image: { type: 'DOCKER', docker: { name: 'alpine' } } },
        network_infos: [{ name: 'mesos-bridge', port_mappings: [{ container_port: 8080 }] }],
        tty_info: {},
      });
      const piped = launched.find((t) => t.name === 'piped');
      expect(piped?.command).toMatchObject({
        shell: false,
        value: 'sleep',
        arguments: ['sleep', 'infinity'],
      });
      expect(piped?.container).toMatchObject({ type: 'MESOS' });
      expect(piped?.container?.tty_info).toBeUndefined();

      const api = launched.find((t) => t.name === 'api');
      expect(api?.container?.network_infos).toEqual([{ name: 'tenant-acme' }]);
      expect(api?.discovery).toEqual({
        visibility: 'FRAMEWORK',
        name: 'api',
        labels: {
          labels: [
            { key: 'network', value: 'app' },
            { key: 'alias', value: 'api' },
            { key: 'alias', value: 'api-svc' },
            { key: 'alias', value: 'backend' },
          ],
        },
      });
      // The same, read off the bytes by Mesos's field numbers alone (mesos.proto:
      // Call.accept 4, Accept.operations 2, Operation.launch 2, Launch.task_infos 1,
      // TaskInfo.name 1, container 9, discovery 11; ContainerInfo.network_infos 7;
      // NetworkInfo.name 6; DiscoveryInfo.visibility 1, name 2, labels 7; Labels.labels 1;
      // Label.key 1, value 2), or by its field names in JSON.
      const acceptOfApi = calls.scheduler.find((c) =>
        c.call.accept?.operations?.some((o) => o.launch?.task_infos?.some((t) => t.name === 'api')),
      )!.wire.body;
      if (format === 'protobuf') {
        const task = messagesAt(acceptOfApi, [4, 2, 2, 1]).find(
          (t) => stringsAt(t, 1)[0] === 'api',
        )!;
        const [network] = messagesAt(task, [9, 7]);
        expect(stringsAt(network!, 6)).toEqual(['tenant-acme']);
        const [discovery] = messagesAt(task, [11]);
        // FRAMEWORK is 0, and visibility is required: it is on the wire all the same.
        expect(varintsAt(discovery!, 1)).toEqual([0n]);
        expect(stringsAt(discovery!, 2)).toEqual(['api']);
        const labels = messagesAt(discovery!, [7, 1]).map((l) => [
          stringsAt(l, 1)[0],
          stringsAt(l, 2)[0],
        ]);
        expect(labels).toContainEqual(['alias', 'backend']);
      } else {
        const body = JSON.parse(acceptOfApi.toString('utf8')) as {
          accept: { operations: { launch?: { task_infos: Record<string, unknown>[] } }[] };
        };
        const task = body.accept.operations
          .flatMap((o) => o.launch?.task_infos ?? [])
          .find((t) => t.name === 'api');
        expect(task).toMatchObject({
          container: { network_infos: [{ name: 'tenant-acme' }] },
          discovery: {
            visibility: 'FRAMEWORK',
            name: 'api',
            labels: { labels: expect.arrayContaining([{ key: 'alias', value: 'backend' }]) },
          },
        });
      }

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
