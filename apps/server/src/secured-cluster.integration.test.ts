import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimCluster, type SimCluster } from '@shoal/mesos-sim';
import { localCertificate } from '@shoal/mesos-sim/testing/tls';
import type { RunningShoal } from './app';
import { containerIn, eventually, FAST_SIM, startShoalForTest } from './testing/shoal-under-test';

// A cluster as secured ones run: every master API and agent endpoint wants the framework's
// credentials, and the agents speak https with a certificate from a private CA.
const credentials = { principal: 'shoal', secret: 'agent-and-master-secret' };
let sim: SimCluster;
let shoal: RunningShoal;
let dir: string;

beforeAll(async () => {
  const tls = localCertificate();
  dir = mkdtempSync(path.join(tmpdir(), 'shoal-secured-'));
  writeFileSync(path.join(dir, 'agents-ca.pem'), tls.cert);
  sim = await startSimCluster({ agents: 2, ...FAST_SIM, credentials, agentTls: tls });
  shoal = await startShoalForTest({
    masters: sim.masterUrls,
    env: {
      MESOS_PRINCIPAL: credentials.principal,
      MESOS_SECRET: credentials.secret,
      SHOAL_AGENT_SCHEME: 'https',
      SHOAL_AGENT_CA: path.join(dir, 'agents-ca.pem'),
    },
  });
});
afterAll(async () => {
  await shoal?.close();
  await sim?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('a secured Mesos cluster', () => {
  it('reads docker logs and docker stats from agents over https with the framework’s credentials', async () => {
    const { services } = shoal;
    await eventually(
      'the framework to subscribe',
      async () => services.cluster.framework().subscribed,
    );
    const tenantId = (await services.tenants.create({ slug: 'acme', name: 'Acme' }, 'test')).id;
    await services.containers.create(
      tenantId,
      {
        name: 'talker',
        image: 'busybox',
        cmd: ['sh', '-c', 'echo hello over https; sleep infinity'],
      },
      'test',
    );
    await services.containers.start(tenantId, 'talker', 'test');
    await containerIn(services, tenantId, 'talker', ['running']);
    await eventually('the log line', async () => {
      const lines: string[] = [];
      for await (const line of services.containers.logs(tenantId, 'talker', {
        stdout: true,
        stderr: true,
        follow: false,
      }))
        lines.push(line.text);
      return lines.join('').includes('hello over https');
    });
    const usage = await services.containers.measure(tenantId, 'talker');
    expect(usage?.memLimitBytes).toBeGreaterThan(0);
  });
});
