import type { Offer, TaskInfo, TaskStatus } from '@shoal/mesos';
import { describe, expect, it } from 'vitest';
import { frameworkInfo, scalar, taskOn } from './testing/framework';
import { rawRequest } from './testing/raw-http';
import { useSim } from './testing/sim-fixture';

describe('task lifecycle', () => {
  const t = useSim({ agents: 2, stagingUpdates: true });

  async function firstOffer(fw: { offers(): Promise<Offer[]> }): Promise<Offer> {
    const [offer] = await fw.offers();
    if (!offer) throw new Error('no offer');
    return offer;
  }

  it('delivers STAGING, STARTING, RUNNING one at a time, each re-sent until acknowledged', async () => {
    const fw = await t.framework(frameworkInfo('manual', ['dev']), { autoAck: false });
    const offer = await firstOffer(fw);
    await fw.launch(offer, [taskOn(offer, 'web', { image: 'nginx:1.27', cpus: 0.5, mem: 128 })]);
    const staging = await fw.update('web');
    expect(staging).toMatchObject({
      state: 'TASK_STAGING',
      source: 'SOURCE_AGENT',
      agent_id: offer.agent_id,
    });
    expect(staging.uuid).toHaveLength(16);
    // Not acknowledged: the same update comes again, and nothing newer overtakes it.
    const retried = await fw.update('web');
    expect(retried.state).toBe('TASK_STAGING');
    expect(Buffer.from(retried.uuid ?? []).equals(Buffer.from(staging.uuid ?? []))).toBe(true);
    expect(
      fw.queue.events
        .filter((e) => e.type === 'UPDATE')
        .every((e) => e.update?.status.state === 'TASK_STAGING'),
    ).toBe(true);
    const seen: TaskStatus[] = [staging];
    for (const state of ['TASK_STARTING', 'TASK_RUNNING'] as const) {
      const previous = seen[seen.length - 1] as TaskStatus;
      await fw.client.acknowledge(
        offer.agent_id,
        previous.task_id,
        previous.uuid ?? new Uint8Array(),
      );
      const next = await fw.update('web', state);
      expect(next.source).toBe('SOURCE_EXECUTOR');
      seen.push(next);
    }
    const running = seen[2] as TaskStatus;
    await fw.client.acknowledge(offer.agent_id, running.task_id, running.uuid ?? new Uint8Array());
    expect(t.sim.state.tasks()).toEqual([
      expect.objectContaining({ id: 'web', state: 'TASK_RUNNING', unacknowledged: 0 }),
    ]);
  });

  it('speaks JSON end to end: base64 uuids, 64-bit ranges and times', async () => {
    const fw = await t.framework(frameworkInfo('json', ['dev']), { format: 'json' });
    const offer = await firstOffer(fw);
    expect(offer.resources?.find((r) => r.name === 'ports')?.ranges?.range).toEqual([
      { begin: 31000n, end: 32000n },
    ]);
    await fw.launch(offer, [taskOn(offer, 'j', { command: 'echo json' })]);
    const finished = await fw.update('j', 'TASK_FINISHED');
    expect(finished.uuid).toHaveLength(16);
    // The acknowledgement (JSON too) removes the finished task from the master.
    await expect.poll(() => t.sim.state.tasks()).toEqual([]);
  });

  it('finishes or fails command tasks by exit status and serves their sandbox output', async () => {
    const fw = await t.framework(frameworkInfo('commands', ['dev']));
    const offer = await firstOffer(fw);
    await fw.launch(offer, [
      taskOn(offer, 'ok', { command: 'echo hello && printf "%s\\n" world' }),
      taskOn(offer, 'bad', { command: 'echo oops >&2; exit 3' }),
      taskOn(offer, 'slow', { command: 'sleep 0.05; cat /etc/hostname' }),
    ]);
    expect((await fw.update('ok', 'TASK_FINISHED')).source).toBe('SOURCE_EXECUTOR');
    expect((await fw.update('bad', 'TASK_FAILED')).message).toBe('Command exited with status 3');
    await fw.update('slow', 'TASK_FINISHED');

    const sandbox = (task: string, file: string) =>
      `/frameworks/${fw.id.value}/executors/${task}/runs/latest/${file}`;
    const read = async (path: string, query: string) => {
      const response = await rawRequest(
        `${t.sim.agentGatewayUrl}/files/read?path=${encodeURIComponent(path)}&${query}`,
        { method: 'GET' },
      );
      return {
        status: response.status,
        body: response.status === 200 ? JSON.parse(response.text) : response.text,
      };
    };
    expect(await read(sandbox('ok', 'stdout'), 'offset=0')).toEqual({
      status: 200,
      body: { data: 'hello\nworld\n', offset: 0 },
    });
    expect(await read(sandbox('ok', 'stdout'), 'offset=-1')).toEqual({
      status: 200,
      body: { data: '', offset: 12 },
    });
    expect(await read(sandbox('ok', 'stdout'), 'offset=6&length=3')).toEqual({
      status: 200,
      body: { data: 'wor', offset: 6 },
    });
    expect((await read(sandbox('bad', 'stderr'), 'offset=0')).body.data).toBe('oops\n');
    const agent = t.sim.state.agents().find((a) => a.id === offer.agent_id.value);
    expect((await read(sandbox('slow', 'stdout'), 'offset=0')).body.data).toBe(
      `${agent?.hostname}\n`,
    );
    expect((await read(sandbox('nope', 'stdout'), 'offset=0')).status).toBe(404);
    expect((await read(sandbox('ok', 'stdout'), '')).status).toBe(400);

    // One listing of the run's directory gives both files' sizes.
    const browse = async (path: string) => {
      const response = await rawRequest(
        `${t.sim.agentGatewayUrl}/files/browse?path=${encodeURIComponent(path)}`,
        { method: 'GET' },
      );
      return response.status === 200
        ? (JSON.parse(response.text) as { path: string; size: number; mode: string }[])
        : response.status;
    };
    const run = (task: string) => sandbox(task, '').replace(/\/$/, '');
    expect(await browse(run('bad'))).toEqual([
      expect.objectContaining({ path: `${run('bad')}/stderr`, size: 5, mode: '-rw-r--r--' }),
      expect.objectContaining({ path: `${run('bad')}/stdout`, size: 0 }),
    ]);
    expect(await browse(`${run('ok')}/`)).toContainEqual(
      expect.objectContaining({ path: `${run('ok')}/stdout`, size: 12 }),
    );
    expect(await browse(run('nope'))).toBe(404);
  });

  it('ends tasks whose command ends at once in both runtimes, and serves on', async () => {
    const fw = await t.framework(frameworkInfo('quick', ['dev']));
    const offer = await firstOffer(fw);
    const ucr = (taskId: string, command: string, tty = false): TaskInfo => ({
      ...taskOn(offer, taskId, { command }),
      container: {
        type: 'MESOS',
        mesos: { image: { type: 'DOCKER', docker: { name: 'alpine' } } },
        ...(tty ? { tty_info: {} } : {}),
      },
    });
    await fw.launch(offer, [
      ucr('ucr-ok', 'echo x'),
      ucr('ucr-bad', 'echo oops >&2; exit 3'),
      ucr('ucr-tty', 'echo x', true),
      taskOn(offer, 'docker-ok', { image: 'alpine', command: 'echo x' }),
    ]);
    const finished = await fw.update('ucr-ok', 'TASK_FINISHED');
    expect(finished.message).toBe('Command exited with status 0');
    expect((await fw.update('ucr-bad', 'TASK_FAILED')).message).toBe(
      'Command exited with status 3',
    );
    await fw.update('ucr-tty', 'TASK_FINISHED');
    await fw.update('docker-ok', 'TASK_FINISHED');
    expect(t.sim.state.output('ucr-ok')).toEqual({ stdout: 'x\n', stderr: '' });
    expect(t.sim.state.output('ucr-bad')).toEqual({ stdout: '', stderr: 'oops\n' });
    expect(t.sim.state.output('ucr-tty')?.stdout).toBe('x\r\n');
    expect(t.sim.state.output('docker-ok')?.stdout).toBe('x\n');
    // Each update once (retried copies share their uuid), and no end after the end.
    const updates = new Map<string, string | undefined>();
    for (const e of fw.queue.events) {
      const status = e.update?.status;
      if (status?.task_id.value === 'ucr-ok')
        updates.set(Buffer.from(status.uuid ?? []).toString('hex'), status.state);
    }
    expect([...updates.values()]).toEqual([
      'TASK_STAGING',
      'TASK_STARTING',
      'TASK_RUNNING',
      'TASK_FINISHED',
    ]);

    // The cluster carries on: the resources came back, and the next task runs.
    const [next] = await fw.offers();
    if (!next) throw new Error('no offer');
    await fw.launch(next, [taskOn(next, 'after', { command: 'echo after' })]);
    await fw.update('after', 'TASK_FINISHED');
    expect(t.sim.state.output('after')?.stdout).toBe('after\n');
  });

  it('kills with TASK_KILLING for frameworks that ask for it', async () => {
    const polite = await t.framework(frameworkInfo('polite', ['dev'], ['TASK_KILLING_STATE']));
    const offer = await firstOffer(polite);
    await polite.launch(offer, [taskOn(offer, 'redis', { image: 'redis' })]);
    await polite.update('redis', 'TASK_RUNNING');
    await polite.client.kill({ value: 'redis' });
    await polite.update('redis', 'TASK_KILLING');
    await polite.update('redis', 'TASK_KILLED');
    // The kill freed resources, which lifts polite's filter; leave the agents to blunt.
    await polite.client.suppress();
    await polite.client.decline(t.sim.state.offers().map((o) => ({ value: o.id })));

    const blunt = await t.framework(frameworkInfo('blunt', ['ops']));
    const other = await firstOffer(blunt);
    await blunt.launch(other, [taskOn(other, 'httpd', { image: 'httpd:2.4' })]);
    await blunt.update('httpd', 'TASK_RUNNING');
    await blunt.client.kill({ value: 'httpd' });
    await blunt.update('httpd', 'TASK_KILLED');
    expect(blunt.queue.events.some((e) => e.update?.status.state === 'TASK_KILLING')).toBe(false);
    expect(t.sim.state.output('httpd')?.stderr).toContain('resuming normal operations');
  });

  it('refuses invalid tasks with TASK_ERROR and launches the valid ones', async () => {
    const fw = await t.framework(frameworkInfo('validation', ['dev']));
    const offer = await firstOffer(fw);
    const huge = taskOn(offer, 'huge');
    huge.resources = [scalar('cpus', 64), scalar('mem', 32)];
    const noCommand = taskOn(offer, 'empty');
    delete noCommand.command;
    await fw.launch(offer, [taskOn(offer, 'fine'), taskOn(offer, 'fine'), huge, noCommand]);
    await fw.update('fine', 'TASK_FINISHED');
    const errors = await Promise.all(
      ['fine', 'huge', 'empty'].map((id) => fw.update(id, 'TASK_ERROR')),
    );
    expect(errors.map((s) => s.reason)).toEqual([
      'REASON_TASK_INVALID',
      'REASON_TASK_INVALID',
      'REASON_TASK_INVALID',
    ]);
    expect(errors[0]?.message).toBe('Task has duplicate ID: fine');
    expect(errors[1]?.message).toMatch(/^Task uses more resources/);
  });

  it('lets the fault API make tasks exit or fail, over HTTP', async () => {
    const fw = await t.framework(frameworkInfo('faults', ['dev']));
    const offer = await firstOffer(fw);
    await fw.launch(offer, [
      taskOn(offer, 'a', { image: 'postgres' }),
      taskOn(offer, 'b', { image: 'postgres' }),
    ]);
    await fw.update('a', 'TASK_RUNNING');
    await fw.update('b', 'TASK_RUNNING');
    const post = (path: string, body: unknown) =>
      rawRequest(`${t.sim.masterUrls[0]}/sim/v1${path}`, {
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify(body),
      });
    expect((await post('/tasks/a/exit', { code: 2 })).status).toBe(200);
    expect((await fw.update('a', 'TASK_FAILED')).message).toBe('Command exited with status 2');
    expect((await post('/tasks/b/fail', { message: 'Container OOM-killed' })).status).toBe(200);
    expect((await fw.update('b', 'TASK_FAILED')).message).toBe('Container OOM-killed');
    expect((await post('/tasks/nope/exit', { code: 0 })).status).toBe(404);
    expect((await post('/tasks/a/exit', { code: 'x' })).status).toBe(400);
  });

  it('reports per-task usage on /monitor/statistics, per agent through the gateway', async () => {
    const fw = await t.framework(frameworkInfo('stats', ['dev']));
    const offer = await firstOffer(fw);
    await fw.launch(offer, [taskOn(offer, 'srv', { image: 'nginx', cpus: 0.5, mem: 256 })]);
    await fw.update('srv', 'TASK_RUNNING');
    const hostname = offer.hostname;
    const byHost = await rawRequest(`${t.sim.agentGatewayUrl}/monitor/statistics`, {
      method: 'GET',
      headers: { Host: `${hostname}:5051` },
    });
    expect(JSON.parse(byHost.text)).toEqual([
      expect.objectContaining({
        executor_id: 'srv',
        framework_id: fw.id.value,
        statistics: expect.objectContaining({
          cpus_limit: 0.5,
          mem_limit_bytes: 256 * 1024 * 1024,
          net_rx_bytes: expect.any(Number),
          net_tx_packets: expect.any(Number),
          blkio: {
            throttling: [
              expect.objectContaining({
                device: { major_number: 8, minor_number: 0 },
                io_service_bytes: expect.arrayContaining([
                  { op: 'READ', value: expect.any(Number) },
                  { op: 'WRITE', value: expect.any(Number) },
                ]),
              }),
            ],
          },
        }),
      }),
    ]);
    const otherAgent = t.sim.state.agents().find((a) => a.id !== offer.agent_id.value);
    const byPath = await rawRequest(
      `${t.sim.agentGatewayUrl}/agents/${otherAgent?.id}/monitor/statistics`,
      { method: 'GET' },
    );
    expect(JSON.parse(byPath.text)).toEqual([]);
  });
});
