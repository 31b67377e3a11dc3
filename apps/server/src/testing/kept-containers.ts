import type { Services } from '@shoal/core';
import { expect } from 'vitest';
import { dockerCli } from '../../../../packages/docker-api/src/test-support/docker-cli';
import {
  containerIn,
  eventually,
  liveTasksByContainer,
  type startShoalForTest,
} from './shoal-under-test';

type Shoal = Awaited<ReturnType<typeof startShoalForTest>>;

/** A tenant with a Docker API token, once Shoal's framework has subscribed. */
export async function tenantWithToken(
  services: Services,
  slug: string,
): Promise<{ tenantId: string; token: string }> {
  const tenantId = (await services.tenants.create({ slug, name: slug }, 'test')).id;
  const { secret: token } = await services.tokens.issue({ tenantId, name: 'cli' }, 'test');
  await eventually(
    'the framework to subscribe',
    async () => services.cluster.framework().subscribed,
  );
  return { tenantId, token };
}

/** What `docker logs` prints for `name`, as the docker CLI reads it. */
export async function dockerLogs(shoal: Shoal, token: string, name: string) {
  const cli = dockerCli(shoal.dockerApi.url, token);
  try {
    return await cli.run('logs', name);
  } finally {
    cli.close();
  }
}

/**
 * After a restart at `since`: `name` is still running on the Mesos task `taskId`, it had
 * no `die` or `start` event since, and `docker logs` still prints `output`.
 */
export async function expectStillRunning(
  shoal: Shoal,
  tenant: { tenantId: string; token: string },
  name: string,
  expected: { taskId: string | undefined; since: Date; output: string },
): Promise<void> {
  const { services } = shoal;
  const { tenantId } = tenant;
  await eventually(
    'the framework to subscribe again',
    async () => services.cluster.framework().subscribed,
  );
  // A container started after the restart runs once offers flow again, by which time the
  // reconciliation of the ones from before has been answered and acted on.
  await services.containers.create(tenantId, { image: 'nginx', name: `${name}-after` }, 'test');
  await services.containers.start(tenantId, `${name}-after`, 'test');
  await containerIn(services, tenantId, `${name}-after`, ['running']);

  const view = await services.containers.get(tenantId, name);
  expect(view.state).toBe('running');
  expect(view.task?.mesosTaskId).toBe(expected.taskId);
  expect(liveTasksByContainer(shoal.sim!).get(view.id.slice(0, 12))).toEqual([expected.taskId]);
  const events = await services.eventJournal.between(
    tenantId,
    expected.since,
    new Date(Date.now() + 1),
  );
  expect(events.filter((e) => e.name === name && ['die', 'start'].includes(e.action))).toEqual([]);
  expect(await dockerLogs(shoal, tenant.token, name)).toEqual({
    code: 0,
    stdout: expected.output,
    stderr: '',
  });
}
