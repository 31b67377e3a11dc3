import {
  type agent,
  AgentClient,
  type AgentAddress,
  type ContainerID,
  encodeMessage,
  encodeRecord,
  type Offer,
  RecordIODecoder,
  decodeMessage,
  type TaskInfo,
} from '@shoal/mesos';
import { afterEach, describe, expect, it } from 'vitest';
import { frameworkInfo, scalar } from '../testing/framework';
import { InputFeed, OutputTranscript } from '../testing/process-io';
import { rawRequest } from '../testing/raw-http';
import { useSim } from '../testing/sim-fixture';

// The agent's v1 API for tasks under the Mesos containerizer, driven over real HTTP:
// through @shoal/mesos's AgentClient (protobuf) and, where the exact headers and framing
// matter, plain node:http in JSON. Field and enum numbers are Mesos's agent.proto ones
// (see packages/mesos/src/codec/agent.test.ts).

describe('the agent API: nested container sessions and terminals', () => {
  const t = useSim({ agents: 1, ioHeartbeatSeconds: 0.2 });
  const clients: AgentClient[] = [];
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.close()));
  });

  function client(format: 'protobuf' | 'json' = 'protobuf'): AgentClient {
    const c = new AgentClient({ format });
    clients.push(c);
    return c;
  }

  function ucrTask(offer: Offer, taskId: string, extra: Partial<TaskInfo> = {}): TaskInfo {
    return {
      name: taskId,
      task_id: { value: taskId },
      agent_id: offer.agent_id,
      resources: [scalar('cpus', 0.1), scalar('mem', 32)],
      command: {
        value: 'sleep infinity',
        environment: { variables: [{ name: 'GREETING', value: 'hello' }] },
      },
      container: {
        type: 'MESOS',
        mesos: { image: { type: 'DOCKER', docker: { name: 'alpine' } } },
      },
      ...extra,
    };
  }

  /** Launches tasks and returns, per task, the container id its RUNNING update reports. */
  async function launch(tasks: (offer: Offer) => TaskInfo[]) {
    const fw = await t.framework(frameworkInfo('ucr', ['dev']));
    const [offer] = await fw.offers();
    if (!offer) throw new Error('no offer');
    const infos = tasks(offer);
    await fw.launch(offer, infos);
    const containers = new Map<string, ContainerID>();
    for (const info of infos) {
      const running = await fw.update(info.task_id.value, 'TASK_RUNNING');
      const id = running.container_status?.container_id;
      if (!id) throw new Error(`no container id for ${info.task_id.value}`);
      containers.set(info.task_id.value, id);
    }
    const at: AgentAddress = {
      endpoint: new URL(t.sim.agentGatewayUrl).host,
      hostname: offer.hostname,
    };
    return { fw, offer, containers, at };
  }

  const child = (parent: ContainerID, value: string): ContainerID => ({ value, parent });

  it('lists the task containers whose ids the status updates carry', async () => {
    const { containers, at, fw } = await launch((o) => [ucrTask(o, 'web')]);
    const listed = await client().getContainers(at);
    expect(listed).toEqual([
      expect.objectContaining({
        framework_id: fw.id,
        executor_id: { value: 'web' },
        container_id: containers.get('web'),
      }),
    ]);
  });

  it('runs a session: stdout and stderr apart, its exit status from WAIT_CONTAINER', async () => {
    const { containers, at } = await launch((o) => [ucrTask(o, 'web')]);
    const agentApi = client();
    const id = child(containers.get('web')!, 'exec-1');
    const output = new OutputTranscript(
      await agentApi.launchNestedContainerSession(
        at,
        {
          container_id: id,
          command: {
            shell: false,
            value: 'sh',
            arguments: [
              'sh',
              '-c',
              'echo hi; echo "$GREETING from $HOSTNAME"; echo oops >&2; ls; exit 7',
            ],
          },
        },
        AbortSignal.timeout(20_000),
      ),
    );
    await output.done;
    // The session inherits its parent's environment and runs in the task's sandbox.
    expect(output.stdout).toMatch(/^hi\nhello from \S+\nstderr\nstdout\n$/);
    expect(output.stderr).toBe('oops\n');
    // wait(2) status: exit code 7 in the second byte.
    expect(await agentApi.waitContainer(at, id)).toEqual({ exit_status: 7 << 8 });
  });

  it('answers in the exact media types and RecordIO framing an agent uses', async () => {
    const { containers, at } = await launch((o) => [ucrTask(o, 'web')]);
    const url = `${t.sim.agentGatewayUrl}/api/v1`;
    const call = {
      type: 'LAUNCH_NESTED_CONTAINER_SESSION',
      launch_nested_container_session: {
        container_id: { value: 'exec-json', parent: containers.get('web') },
        command: { value: 'echo hi' },
      },
    };
    const session = await rawRequest(url, {
      headers: {
        Host: `${at.hostname}:1`,
        'Content-Type': 'application/json',
        Accept: 'application/recordio',
        'Message-Accept': 'application/json',
      },
      body: JSON.stringify(call),
    });
    expect(session.status).toBe(200);
    expect(session.headers['content-type']).toBe('application/recordio');
    expect(session.headers['message-content-type']).toBe('application/json');
    const records = new RecordIODecoder()
      .push(session.body)
      .map((r) => JSON.parse(Buffer.from(r).toString('utf8')));
    expect(records).toEqual([{ type: 'DATA', data: { type: 'STDOUT', data: 'aGkK' } }]);

    const wait = await rawRequest(url, {
      headers: {
        Host: `${at.hostname}:1`,
        'Content-Type': 'application/json',
        Accept: 'application/json',
      },
      body: JSON.stringify({
        type: 'WAIT_CONTAINER',
        wait_container: { container_id: { value: 'exec-json', parent: containers.get('web') } },
      }),
    });
    expect({
      status: wait.status,
      type: wait.headers['content-type'],
      body: JSON.parse(wait.text),
    }).toEqual({
      status: 200,
      type: 'application/json',
      body: { type: 'WAIT_CONTAINER', wait_container: { exit_status: 0 } },
    });
  });

  it('feeds a session stdin sent as a RecordIO stream of calls, an empty record ending it', async () => {
    const { containers, at } = await launch((o) => [ucrTask(o, 'web')]);
    const agentApi = client();
    const id = child(containers.get('web')!, 'exec-cat');
    const output = new OutputTranscript(
      await agentApi.launchNestedContainerSession(
        at,
        { container_id: id, command: { shell: false, value: 'cat', arguments: ['cat'] } },
        AbortSignal.timeout(20_000),
      ),
    );
    // The input stream as bytes on the wire, in JSON: CONTAINER_ID first, then PROCESS_IO.
    const record = (c: agent.Call) =>
      Buffer.from(encodeRecord(encodeMessage('mesos.v1.agent.Call', c, 'json')));
    const stdin = (text: string): agent.Call => ({
      type: 'ATTACH_CONTAINER_INPUT',
      attach_container_input: {
        type: 'PROCESS_IO',
        process_io: { type: 'DATA', data: { type: 'STDIN', data: new TextEncoder().encode(text) } },
      },
    });
    const body = Buffer.concat([
      record({
        type: 'ATTACH_CONTAINER_INPUT',
        attach_container_input: { type: 'CONTAINER_ID', container_id: id },
      }),
      record(stdin('a\n')),
      record(stdin('b\n')),
      record(stdin('')),
    ]);
    const input = await rawRequest(`${t.sim.agentGatewayUrl}/api/v1`, {
      headers: {
        Host: `${at.hostname}:1`,
        'Content-Type': 'application/recordio',
        'Message-Content-Type': 'application/json',
        Accept: 'application/json',
      },
      body,
    });
    expect(input.status).toBe(200);
    await output.done;
    expect(output.stdout).toBe('a\nb\n');
    expect(await agentApi.waitContainer(at, id)).toEqual({ exit_status: 0 });
  });

  it('gives a session a terminal: echo, CR LF, prompt, window size, ^C and exit', async () => {
    const { containers, at } = await launch((o) => [ucrTask(o, 'web')]);
    const agentApi = client();
    const id = child(containers.get('web')!, 'exec-tty');
    const output = new OutputTranscript(
      await agentApi.launchNestedContainerSession(
        at,
        {
          container_id: id,
          command: { shell: false, value: '/bin/sh', arguments: ['sh'] },
          container: { type: 'MESOS', tty_info: { window_size: { rows: 24, columns: 80 } } },
        },
        AbortSignal.timeout(20_000),
      ),
    );
    const feed = new InputFeed();
    const input = agentApi.attachContainerInput(at, id, feed);
    await output.until('/mnt/mesos/sandbox # ');
    feed.type('echo hi\r');
    await output.until('hi\r\n/mnt/mesos/sandbox # ');
    // What was typed is echoed, with CR LF line ends; everything arrives as STDOUT.
    expect(output.stdout).toContain('echo hi\r\nhi\r\n');
    expect(output.stderr).toBe('');
    feed.resize(40, 120);
    feed.type('stty size\r');
    await output.until('40 120\r\n');
    // ^C stops the command in the foreground; the shell carries on.
    feed.type('cat\r');
    await output.until('cat\r\n');
    feed.type('\x03');
    await output.until('^C\r\n/mnt/mesos/sandbox # ');
    feed.type('exit 3\r');
    await output.done;
    await input;
    expect(await agentApi.waitContainer(at, id)).toEqual({ exit_status: 3 << 8 });
  });

  it('ends a session whose connection breaks, and reports the kill', async () => {
    const { containers, at } = await launch((o) => [ucrTask(o, 'web')]);
    const agentApi = client();
    const id = child(containers.get('web')!, 'exec-hang');
    const aborted = new AbortController();
    const output = new OutputTranscript(
      await agentApi.launchNestedContainerSession(
        at,
        { container_id: id, command: { value: 'echo started; sleep infinity' } },
        aborted.signal,
      ),
    );
    await output.until('started\n');
    aborted.abort();
    await output.done;
    expect(await agentApi.waitContainer(at, id)).toEqual({ exit_status: 9 }); // SIGKILL
  });

  it('sends heartbeats on open output streams', async () => {
    const { containers, at } = await launch((o) => [ucrTask(o, 'web')]);
    const aborted = new AbortController();
    const output = new OutputTranscript(
      await client().launchNestedContainerSession(
        at,
        {
          container_id: child(containers.get('web')!, 'exec-quiet'),
          command: { value: 'sleep infinity' },
        },
        aborted.signal,
      ),
    );
    await expect
      .poll(() => output.records.find((r) => r.type === 'CONTROL'), { timeout: 60_000 })
      .toEqual({
        type: 'CONTROL',
        control: { type: 'HEARTBEAT', heartbeat: { interval: { nanoseconds: 200_000_000n } } },
      });
    aborted.abort();
  });

  it('attaches to a task launched with a terminal: its output is also its sandbox log', async () => {
    const { fw, containers, at } = await launch((o) => [
      ucrTask(o, 'tty', {
        command: { shell: false, value: 'cat', arguments: ['cat'] },
        container: {
          type: 'MESOS',
          mesos: { image: { type: 'DOCKER', docker: { name: 'alpine' } } },
          tty_info: {},
        },
      }),
    ]);
    const agentApi = client('json');
    const id = containers.get('tty')!;
    const output = new OutputTranscript(
      await agentApi.attachContainerOutput(at, id, AbortSignal.timeout(20_000)),
    );
    const feed = new InputFeed();
    const input = agentApi.attachContainerInput(at, id, feed);
    feed.type('a\r');
    await output.until('a\r\na\r\n');
    // EOT ends a terminal's input: cat exits and so does the task.
    feed.type('\x04');
    const finished = await fw.update('tty', 'TASK_FINISHED');
    expect(finished.message).toBe('Command exited with status 0');
    await output.done;
    await input;
    expect(t.sim.state.output('tty')?.stdout).toBe('a\r\na\r\n');
  });

  it('refuses what an agent refuses, with its status codes and words', async () => {
    const { containers, at } = await launch((o) => [
      ucrTask(o, 'web'),
      {
        ...ucrTask(o, 'docker'),
        container: { type: 'DOCKER', docker: { image: 'nginx' } },
        command: { shell: false },
      },
    ]);
    const url = `${t.sim.agentGatewayUrl}/api/v1`;
    const json = (body: object, headers: Record<string, string> = {}) =>
      rawRequest(url, {
        headers: {
          Host: `${at.hostname}:1`,
          'Content-Type': 'application/json',
          Accept: 'application/json',
          ...headers,
        },
        body: JSON.stringify(body),
      });
    const session = (parent: ContainerID, value = 'x') => ({
      type: 'LAUNCH_NESTED_CONTAINER_SESSION',
      launch_nested_container_session: {
        container_id: { value, parent },
        command: { value: 'true' },
      },
    });
    const answer = (r: { status: number; text: string }) => ({ status: r.status, text: r.text });

    expect(answer(await json(session(containers.get('docker')!)))).toEqual({
      status: 400,
      text: 'Nested containers are not supported',
    });
    expect(answer(await json(session({ value: 'nope' })))).toEqual({
      status: 400,
      text: 'Root container nope not found',
    });
    expect(
      answer(
        await json({
          type: 'ATTACH_CONTAINER_OUTPUT',
          attach_container_output: { container_id: containers.get('web') },
        }),
      ),
    ).toEqual({ status: 500, text: 'I/O switchboard server was disabled for this container' });
    expect(
      answer(
        await json({
          type: 'ATTACH_CONTAINER_INPUT',
          attach_container_input: { type: 'CONTAINER_ID', container_id: containers.get('web') },
        }),
      ),
    ).toEqual({
      status: 415,
      text: "Expecting 'Content-Type' to be application/recordio for ATTACH_CONTAINER_INPUT call",
    });
    expect(
      answer(
        await json(
          { type: 'WAIT_CONTAINER', wait_container: { container_id: { value: 'gone' } } },
          { Accept: 'application/recordio' },
        ),
      ),
    ).toEqual({ status: 406, text: 'Streaming response is not supported for WAIT_CONTAINER call' });
    expect(
      answer(
        await json({ type: 'WAIT_CONTAINER', wait_container: { container_id: { value: 'gone' } } }),
      ),
    ).toEqual({ status: 404, text: 'Container gone cannot be found' });
    expect(answer(await json({ type: 'LAUNCH_NESTED_CONTAINER_SESSION' }))).toEqual({
      status: 400,
      text: "Failed to validate agent::Call: Expecting 'launch_nested_container_session' to be present",
    });

    // One input connection at a time.
    const agentApi = client();
    const id = child(containers.get('web')!, 'exec-one-input');
    const aborted = new AbortController();
    await agentApi.launchNestedContainerSession(
      at,
      { container_id: id, command: { value: 'cat' } },
      aborted.signal,
    );
    const first = new InputFeed();
    const attached = agentApi.attachContainerInput(at, id, first);
    await expect
      .poll(async () => {
        const second = new InputFeed();
        second.end();
        return agentApi
          .attachContainerInput(at, id, second)
          .catch((e: { status?: number; body?: string }) => `${e.status} ${e.body}`);
      })
      .toBe('409 Multiple input connections are not allowed');
    first.end();
    await attached;
    aborted.abort();
  });

  it('decodes protobuf session output records', async () => {
    const { containers, at } = await launch((o) => [ucrTask(o, 'web')]);
    const session = await rawRequest(`${t.sim.agentGatewayUrl}/api/v1`, {
      headers: {
        Host: `${at.hostname}:1`,
        'Content-Type': 'application/x-protobuf',
        Accept: 'application/recordio',
        'Message-Accept': 'application/x-protobuf',
      },
      body: encodeMessage(
        'mesos.v1.agent.Call',
        {
          type: 'LAUNCH_NESTED_CONTAINER_SESSION',
          launch_nested_container_session: {
            container_id: child(containers.get('web')!, 'exec-pb'),
            command: { value: 'printf "%s-%s" a b >&2' },
          },
        },
        'protobuf',
      ),
    });
    expect(session.headers['message-content-type']).toBe('application/x-protobuf');
    const [record] = new RecordIODecoder().push(session.body);
    expect(decodeMessage('mesos.v1.agent.ProcessIO', record!, 'protobuf')).toEqual({
      type: 'DATA',
      data: { type: 'STDERR', data: new TextEncoder().encode('a-b') },
    });
  });
});
