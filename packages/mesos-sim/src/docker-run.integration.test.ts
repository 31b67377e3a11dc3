import type { ContainerInfo, Offer, TaskInfo } from '@shoal/mesos';
import { describe, expect, it } from 'vitest';
import { frameworkInfo, scalar } from './testing/framework';
import { rawRequest } from './testing/raw-http';
import { useSim } from './testing/sim-fixture';

let nextPort = 31000;

/** A Docker task on `offer` with `container` and `command` as given, and two ports of its own. */
function dockerTask(
  offer: Offer,
  taskId: string,
  container: Omit<ContainerInfo, 'type'>,
  command: TaskInfo['command'] = { shell: false },
): TaskInfo {
  const begin = BigInt(nextPort);
  nextPort += 2;
  return {
    name: taskId,
    task_id: { value: taskId },
    agent_id: offer.agent_id,
    resources: [
      scalar('cpus', 0.1),
      scalar('mem', 32),
      { name: 'ports', type: 'RANGES', ranges: { range: [{ begin, end: begin + 1n }] } },
    ],
    command,
    container: { type: 'DOCKER', ...container },
  };
}

describe('Docker tasks as the Docker containerizer runs them', () => {
  const t = useSim({ agents: 1 });

  it('fails the tasks the containerizer or Docker refuses, saying why', async () => {
    nextPort = 31000;
    const fw = await t.framework(frameworkInfo('strict', ['dev']));
    const [offer] = await fw.offers();
    if (!offer) throw new Error('no offer');
    const image = 'busybox';
    await fw.launch(offer, [
      dockerTask(offer, 'host-hostname', {
        hostname: 'web',
        docker: { image, network: 'HOST' },
      }),
      dockerTask(offer, 'port-outside', {
        docker: {
          image,
          network: 'BRIDGE',
          port_mappings: [{ host_port: 31500, container_port: 80 }],
        },
      }),
      dockerTask(offer, 'port-on-host', {
        docker: {
          image,
          network: 'HOST',
          port_mappings: [{ host_port: 31004, container_port: 80 }],
        },
      }),
      dockerTask(offer, 'unknown-network', {
        docker: { image, network: 'USER' },
        network_infos: [{ name: 'backend' }],
      }),
      dockerTask(
        offer,
        'joined-entrypoint',
        {
          docker: { image, network: 'BRIDGE', parameters: [{ key: 'entrypoint', value: 'sh -c' }] },
        },
        { shell: false, value: 'echo hi' },
      ),
    ]);
    const failed = async (taskId: string) => {
      const status = await fw.update(taskId, 'TASK_FAILED');
      expect(status).toMatchObject({
        source: 'SOURCE_AGENT',
        reason: 'REASON_CONTAINER_LAUNCH_FAILED',
      });
      return status.message;
    };
    expect(await failed('host-hostname')).toBe(
      'Failed to launch container: Unable to set hostname with host network mode',
    );
    expect(await failed('port-outside')).toBe(
      'Failed to launch container: Port [31500] not included in resources',
    );
    expect(await failed('port-on-host')).toBe(
      'Failed to launch container: Port mappings are only supported for bridge and user-defined networks',
    );
    expect(await failed('unknown-network')).toContain('network backend not found');
    expect(await failed('joined-entrypoint')).toContain(
      'exec: "sh -c": executable file not found in $PATH',
    );
    // None of them ever ran.
    expect(
      fw.queue.events.some(
        (e) =>
          e.update?.status.state === 'TASK_RUNNING' || e.update?.status.state === 'TASK_STARTING',
      ),
    ).toBe(false);
  });

  it('runs an entrypoint with the command as its arguments', async () => {
    nextPort = 31000;
    const fw = await t.framework(frameworkInfo('entry', ['dev']));
    const [offer] = await fw.offers();
    if (!offer) throw new Error('no offer');
    await fw.launch(offer, [
      dockerTask(
        offer,
        'split',
        {
          docker: {
            image: 'busybox',
            network: 'BRIDGE',
            port_mappings: [{ host_port: 31001, container_port: 80 }],
            parameters: [{ key: 'entrypoint', value: 'sh' }],
          },
        },
        { shell: false, value: '-c', arguments: ['echo from entrypoint; exit 4'] },
      ),
    ]);
    expect((await fw.update('split', 'TASK_FAILED')).message).toBe('Command exited with status 4');
    const path = `/frameworks/${fw.id.value}/executors/split/runs/latest/stdout`;
    const read = await rawRequest(
      `${t.sim.agentGatewayUrl}/files/read?path=${encodeURIComponent(path)}&offset=0`,
      { method: 'GET' },
    );
    expect(JSON.parse(read.text)).toMatchObject({ data: 'from entrypoint\n' });
  });
});
