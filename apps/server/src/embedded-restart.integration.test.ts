import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Services } from '@shoal/core';
import type { Db } from '@shoal/db';
import { createTestDatabase } from '@shoal/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dockerCli } from '../../../packages/docker-api/src/test-support/docker-cli';
import {
  containerIn,
  eventually,
  liveTasksByContainer,
  startShoalForTest,
} from './testing/shoal-under-test';

// The embedded cluster restarted with Shoal (npm start stopped and started again): the
// output of containers that ran before stays readable, as on agents that keep sandboxes,
// and containers that were running go on running, as across a Mesos master failover.

let db: Db;
let dir: string;

beforeAll(async () => {
  db = await createTestDatabase();
  dir = mkdtempSync(path.join(tmpdir(), 'shoal-embedded-restart-'));
});
afterAll(async () => {
  await db?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** The tenant's `die` and `start` events for `name` from `since` until now. */
async function diesAndStarts(services: Services, tenantId: string, name: string, since: Date) {
  const events = await services.eventJournal.between(tenantId, since, new Date(Date.now() + 1));
  return events.filter((e) => e.name === name && ['die', 'start'].includes(e.action));
}

async function output(services: Services, tenantId: string, ref: string): Promise<string> {
  let text = '';
  const options = { stdout: true, stderr: true, follow: false };
  for await (const line of services.containers.logs(tenantId, ref, options)) text += line.text;
  return text;
}

describe('a restart of the embedded cluster', () => {
  it('keeps the logs of a container that finished before it', async () => {
    const stateFile = path.join(dir, 'mesos-sim', 'state.json');
    const first = await startShoalForTest({ db, sim: { stateFile } });
    let tenantId: string;
    let token: string;
    try {
      const { services } = first;
      tenantId = (await services.tenants.create({ slug: 'restart', name: 'Restart' }, 'test')).id;
      ({ secret: token } = await services.tokens.issue({ tenantId, name: 'cli' }, 'test'));
      await eventually(
        'the framework to subscribe',
        async () => services.cluster.framework().subscribed,
      );
      const spec = {
        image: 'busybox',
        name: 'before',
        cmd: ['sh', '-c', 'echo ran before the restart'],
      };
      await services.containers.create(tenantId, spec, 'test');
      await services.containers.start(tenantId, 'before', 'test');
      await containerIn(services, tenantId, 'before', ['exited']);
      expect(await output(services, tenantId, 'before')).toBe('ran before the restart\n');
    } finally {
      await first.close();
    }

    // What the tenants' containers wrote is kept private.
    expect(statSync(stateFile).mode & 0o077).toBe(0);
    expect(statSync(path.dirname(stateFile)).mode & 0o077).toBe(0);

    const second = await startShoalForTest({ db, sim: { stateFile } });
    try {
      const { services } = second;
      await eventually(
        'the framework to subscribe again',
        async () => services.cluster.framework().subscribed,
      );
      expect(await output(services, tenantId, 'before')).toBe('ran before the restart\n');
      // As the docker CLI reads it, where it used to fail with "unexpected EOF".
      const cli = dockerCli(second.dockerApi.url, token);
      try {
        expect(await cli.run('logs', 'before')).toEqual({
          code: 0,
          stdout: 'ran before the restart\n',
          stderr: '',
        });
      } finally {
        cli.close();
      }
    } finally {
      await second.close();
    }
  });

  it('keeps a running container running, with the same task and its output', async () => {
    const stateFile = path.join(dir, 'running', 'state.json');
    const first = await startShoalForTest({ db, sim: { stateFile } });
    let tenantId: string;
    let token: string;
    let taskId: string | undefined;
    try {
      const { services } = first;
      tenantId = (await services.tenants.create({ slug: 'keep', name: 'Keep' }, 'test')).id;
      ({ secret: token } = await services.tokens.issue({ tenantId, name: 'cli' }, 'test'));
      await eventually(
        'the framework to subscribe',
        async () => services.cluster.framework().subscribed,
      );
      const spec = {
        image: 'busybox',
        name: 'long',
        cmd: ['sh', '-c', 'echo up before the restart; sleep 3600'],
      };
      await services.containers.create(tenantId, spec, 'test');
      await services.containers.start(tenantId, 'long', 'test');
      taskId = (await containerIn(services, tenantId, 'long', ['running'])).task?.mesosTaskId;
      expect(taskId).toBeDefined();
      await eventually('its output', async () =>
        (await output(services, tenantId, 'long')).includes('up before'),
      );
    } finally {
      await first.close();
    }

    const restartedAt = new Date();
    const second = await startShoalForTest({ db, sim: { stateFile } });
    try {
      const { services } = second;
      await eventually(
        'the framework to subscribe again',
        async () => services.cluster.framework().subscribed,
      );
      // A container started after the restart runs once offers flow again, by which time
      // the reconciliation of the one from before has been answered and acted on.
      await services.containers.create(tenantId, { image: 'nginx', name: 'after' }, 'test');
      await services.containers.start(tenantId, 'after', 'test');
      await containerIn(services, tenantId, 'after', ['running']);

      const view = await services.containers.get(tenantId, 'long');
      expect(view.state).toBe('running');
      expect(view.task?.mesosTaskId).toBe(taskId);
      expect(liveTasksByContainer(second.sim!).get(view.id.slice(0, 12))).toEqual([taskId]);
      expect(await diesAndStarts(services, tenantId, 'long', restartedAt)).toEqual([]);
      const cli = dockerCli(second.dockerApi.url, token);
      try {
        expect(await cli.run('logs', 'long')).toEqual({
          code: 0,
          stdout: 'up before the restart\n',
          stderr: '',
        });
      } finally {
        cli.close();
      }
    } finally {
      await second.close();
    }
  });
});
