import { connect } from 'node:net';
import { describe, expect, it } from 'vitest';
import { startSimCluster } from './index';
import { frameworkInfo } from './testing/framework';
import { RawStream } from './testing/raw-http';

function refused(url: string): Promise<string> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = connect(Number(port), hostname);
    socket.on('connect', () => {
      socket.destroy();
      resolve('connected');
    });
    socket.on('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? 'error'));
  });
}

describe('startSimCluster', () => {
  it('ends streams and frees every port on close, and may be closed twice', async () => {
    const sim = await startSimCluster({ masters: 2, agents: 1, heartbeatIntervalSeconds: 0.05 });
    const stream = await RawStream.open(
      `${sim.leaderUrl}/api/v1/scheduler`,
      'mesos.v1.scheduler.Call',
      { type: 'SUBSCRIBE', subscribe: { framework_info: frameworkInfo('closing', ['dev']) } },
      'mesos.v1.scheduler.Event',
    );
    await stream.next((e) => e.type === 'SUBSCRIBED');
    await Promise.all([sim.close(), sim.close()]);
    await stream.whenEnded();
    for (const url of [...sim.masterUrls, sim.agentGatewayUrl]) {
      expect(await refused(url)).toBe('ECONNREFUSED');
    }
  });

  it('mints the same ids from the same seed', async () => {
    const ids = async () => {
      const sim = await startSimCluster({ agents: 2, seed: 42 });
      const agents = sim.state.agents().map((a) => a.id);
      await sim.close();
      return agents;
    };
    expect(await ids()).toEqual(await ids());
  });

  it('rejects impossible options', async () => {
    await expect(startSimCluster({ masters: 0 })).rejects.toThrow(/masters/);
  });
});
