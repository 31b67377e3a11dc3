import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Services } from '@shoal/core';
import type { Db } from '@shoal/db';
import { createTestDatabase } from '@shoal/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dockerLogs, expectStillRunning, tenantWithToken } from './testing/kept-containers';
import { containerIn, eventually, startShoalForTest } from './testing/shoal-under-test';

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
    let tenant: { tenantId: string; token: string };
    try {
      const { services } = first;
      tenant = await tenantWithToken(services, 'restart');
      const spec = {
        image: 'busybox',
        name: 'before',
        cmd: ['sh', '-c', 'echo ran before the restart'],
      };
      await services.containers.create(tenant.tenantId, spec, 'test');
      await services.containers.start(tenant.tenantId, 'before', 'test');
      await containerIn(services, tenant.tenantId, 'before', ['exited']);
      expect(await output(services, tenant.tenantId, 'before')).toBe('ran before the restart\n');
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
      expect(await output(services, tenant.tenantId, 'before')).toBe('ran before the restart\n');
      // As the docker CLI reads it, where it used to fail with "unexpected EOF".
      expect(await dockerLogs(second, tenant.token, 'before')).toEqual({
        code: 0,
        stdout: 'ran before the restart\n',
        stderr: '',
      });
    } finally {
      await second.close();
    }
  });

  it('keeps a running container running, with the same task and its output', async () => {
    const stateFile = path.join(dir, 'running', 'state.json');
    const first = await startShoalForTest({ db, sim: { stateFile } });
    let tenant: { tenantId: string; token: string };
    let taskId: string | undefined;
    try {
      const { services } = first;
      tenant = await tenantWithToken(services, 'keep');
      const spec = {
        image: 'busybox',
        name: 'long',
        cmd: ['sh', '-c', 'echo up before the restart; sleep 3600'],
      };
      await services.containers.create(tenant.tenantId, spec, 'test');
      await services.containers.start(tenant.tenantId, 'long', 'test');
      const running = await containerIn(services, tenant.tenantId, 'long', ['running']);
      taskId = running.task?.mesosTaskId;
      expect(taskId).toBeDefined();
      await eventually('its output', async () =>
        (await output(services, tenant.tenantId, 'long')).includes('up before'),
      );
    } finally {
      await first.close();
    }

    const since = new Date();
    const second = await startShoalForTest({ db, sim: { stateFile } });
    try {
      await expectStillRunning(second, tenant, 'long', {
        taskId,
        since,
        output: 'up before the restart\n',
      });
    } finally {
      await second.close();
    }
  });
});
