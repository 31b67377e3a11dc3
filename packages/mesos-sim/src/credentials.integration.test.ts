import { OperatorClient } from '@shoal/mesos';
import https from 'node:https';
import { afterEach, describe, expect, it } from 'vitest';
import { type SimCluster, startSimCluster } from './index';
import { FrameworkDriver, frameworkInfo } from './testing/framework';
import { FAST } from './testing/sim-fixture';
import { localCertificate } from './testing/tls';

const credentials = { principal: 'shoal', secret: 's3cret' };
const basic = (principal: string, secret: string) =>
  `Basic ${Buffer.from(`${principal}:${secret}`).toString('base64')}`;

let sim: SimCluster | undefined;
const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(closers.splice(0).map((close) => close().catch(() => undefined)));
  await sim?.close();
});

describe('a secured cluster', () => {
  it('requires its credentials on the scheduler and operator APIs and on agents', async () => {
    sim = await startSimCluster({ ...FAST, agents: 1, credentials });
    const master = sim.masterUrls[0];
    const post = (path: string, authorization?: string) =>
      fetch(`${master}${path}`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          ...(authorization ? { authorization } : {}),
        },
        body: JSON.stringify({ type: 'GET_HEALTH' }),
      });
    for (const path of ['/api/v1', '/api/v1/scheduler']) {
      const refused = await post(path);
      expect(refused.status).toBe(401);
      expect(refused.headers.get('www-authenticate')).toBe('Basic realm="mesos"');
      expect((await post(path, basic('shoal', 'wrong'))).status).toBe(401);
    }
    expect((await post('/api/v1', basic('shoal', 's3cret'))).status).toBe(200);

    const operator = new OperatorClient({ masters: sim.masterUrls, ...credentials });
    closers.push(() => operator.close());
    expect(await operator.call({ type: 'GET_HEALTH' })).toMatchObject({
      get_health: { healthy: true },
    });

    const gateway = sim.agentGatewayUrl;
    expect((await fetch(`${gateway}/monitor/statistics`)).status).toBe(401);
    const allowed = await fetch(`${gateway}/monitor/statistics`, {
      headers: { authorization: basic('shoal', 's3cret') },
    });
    expect(allowed.status).toBe(200);
    expect((await fetch(`${gateway}/health`)).status).toBe(200);
    // The fault API stays open, for tests.
    expect((await fetch(`${master}/sim/v1/state`)).status).toBe(200);
  });

  it('serves the agents over https when given a certificate, and offers say so', async () => {
    const tls = localCertificate();
    sim = await startSimCluster({ ...FAST, agents: 1, agentTls: tls });
    expect(sim.agentGatewayUrl).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    const status = await new Promise<number | undefined>((resolve, reject) =>
      https
        .get(`${sim?.agentGatewayUrl}/health`, { ca: tls.cert }, (res) => {
          res.resume();
          resolve(res.statusCode);
        })
        .on('error', reject),
    );
    expect(status).toBe(200);
    await expect(
      fetch(`${sim.agentGatewayUrl.replace('https:', 'http:')}/health`),
    ).rejects.toThrow();

    const fw = await FrameworkDriver.subscribe(sim.masterUrls, frameworkInfo('tls', ['tls']));
    closers.push(() => fw.close());
    const [offer] = await fw.offers();
    expect(offer?.url).toMatchObject({
      scheme: 'https',
      address: { port: Number(new URL(sim.agentGatewayUrl).port) },
    });
  });
});
