import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { messageOf, startTestApi, type TestApi } from '../test-support/harness';
import { rawRequest } from '../test-support/raw-http';
import { unframe } from '../test-support/wire';

let t: TestApi;
beforeAll(async () => {
  t = await startTestApi();
});
afterAll(() => t.api.close());

async function running(name: string, body: Record<string, unknown> = {}): Promise<string> {
  const res = await t.request('POST', `/containers/create?name=${name}`, {
    body: { Image: 'nginx', ...body },
  });
  const { Id } = (await res.json()) as { Id: string };
  await t.request('POST', `/containers/${name}/start`);
  return Id;
}

/** Containers created before `-t` was refused keep their terminal framing. */
async function runningWithTty(name: string): Promise<string> {
  const { id } = await t.containers.create('tenant-acme', { image: 'nginx', name, tty: true });
  await t.request('POST', `/containers/${name}/start`);
  return id;
}

const attachHeaders = { Authorization: 'Bearer acme-rw', Connection: 'Upgrade', Upgrade: 'tcp' };

describe('logs', () => {
  it('multiplexes stdout and stderr into 8-byte-header frames when there is no TTY', async () => {
    const id = await running('talker');
    t.containers.write(id, 'stdout', 'one\n');
    t.containers.write(id, 'stderr', 'two\n');
    t.containers.write(id, 'stdout', 'three\n');
    const res = await t.request('GET', '/v1.50/containers/talker/logs?stdout=1&stderr=1');
    expect(res.headers.get('content-type')).toBe('application/vnd.docker.multiplexed-stream');
    expect(unframe(Buffer.from(await res.arrayBuffer()))).toEqual([
      { stream: 1, text: 'one\n' },
      { stream: 2, text: 'two\n' },
      { stream: 1, text: 'three\n' },
    ]);
    const tail = await t.request('GET', '/containers/talker/logs?stdout=1&tail=1');
    expect(unframe(Buffer.from(await tail.arrayBuffer()))).toEqual([
      { stream: 1, text: 'three\n' },
    ]);
  });

  it('sends raw bytes for a TTY container, with timestamps on request', async () => {
    const id = await runningWithTty('terminal');
    t.containers.write(id, 'stdout', 'prompt$ \n');
    const res = await t.request('GET', '/containers/terminal/logs?stdout=1&stderr=1&timestamps=1');
    expect(res.headers.get('content-type')).toBe('application/vnd.docker.raw-stream');
    expect(await res.text()).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z prompt\$ \n$/);
  });

  it('follows until the container exits', async () => {
    const id = await running('follower');
    const res = await t.request('GET', '/containers/follower/logs?stdout=1&follow=1');
    t.containers.write(id, 'stdout', 'later\n');
    await t.request('POST', '/containers/follower/stop');
    expect(unframe(Buffer.from(await res.arrayBuffer()))).toEqual([{ stream: 1, text: 'later\n' }]);
  });

  it('reads a negative tail as all of the log, as Docker does', async () => {
    const all = await t.request('GET', '/v1.50/containers/talker/logs?stdout=1&stderr=1');
    const negative = await t.request(
      'GET',
      '/v1.50/containers/talker/logs?stdout=1&stderr=1&tail=-1',
    );
    expect(negative.status).toBe(200);
    expect(Buffer.from(await negative.arrayBuffer())).toEqual(Buffer.from(await all.arrayBuffer()));
  });

  it('needs at least one stream, and an until that is a time', async () => {
    expect((await t.request('GET', '/containers/talker/logs')).status).toBe(400);
    const until = await t.request('GET', '/containers/talker/logs?stdout=1&until=soon');
    expect(until.status).toBe(400);
    expect(await messageOf(until)).toMatch(/^invalid value for until: "soon"/);
  });
});

describe('attach', () => {
  it('upgrades to a raw tcp stream, keeps writing after the client half-closes, and ends when the task exits', async () => {
    await t.request('POST', '/containers/create?name=greeter', {
      body: { Image: 'busybox', Cmd: ['echo', 'hello'] },
    });
    const attached = await rawRequest(
      t.port,
      'POST',
      '/v1.50/containers/greeter/attach?stream=1&stdout=1&stderr=1',
      attachHeaders,
    );
    expect(attached.head).toMatch(/^HTTP\/1\.1 101 UPGRADED\r\n/);
    expect(attached.head).toMatch(/\r\nUpgrade: tcp/i);
    expect(attached.head).toMatch(
      /\r\nContent-Type: application\/vnd\.docker\.multiplexed-stream/i,
    );
    // The CLI closes its sending side at once when it has no stdin to send.
    attached.socket.end();
    const waited = await t.request('POST', '/containers/greeter/wait?condition=next-exit');
    expect((await t.request('POST', '/containers/greeter/start')).status).toBe(204);
    expect(unframe(await attached.body)).toEqual([{ stream: 1, text: 'hello\n' }]);
    expect(await waited.json()).toEqual({ StatusCode: 0 });
  });

  it('streams a plain 200 to clients that attach without Upgrade, as dockerode does', async () => {
    const id = await runningWithTty('plain');
    const res = await t.request(
      'POST',
      '/containers/plain/attach?stream=true&stdout=true&stderr=true',
    );
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/vnd.docker.raw-stream');
    t.containers.write(id, 'stdout', 'tty output\n');
    await t.request('POST', '/containers/plain/stop');
    expect(await res.text()).toBe('tty output\n');
  });

  it('replays earlier output only with logs=1', async () => {
    const id = await running('chatty');
    t.containers.write(id, 'stdout', 'before\n');
    const live = await t.request('POST', '/containers/chatty/attach?stream=1&stdout=1');
    const replay = await t.request('POST', '/containers/chatty/attach?stream=1&logs=1&stdout=1');
    t.containers.write(id, 'stdout', 'after\n');
    await t.request('POST', '/containers/chatty/stop');
    expect(unframe(Buffer.from(await live.arrayBuffer())).map((f) => f.text)).toEqual(['after\n']);
    expect(unframe(Buffer.from(await replay.arrayBuffer())).map((f) => f.text)).toEqual([
      'before\n',
      'after\n',
    ]);
  });

  it('answers 404 on a hijacked connection as a complete HTTP response', async () => {
    const res = await rawRequest(
      t.port,
      'POST',
      '/containers/ghost/attach?stream=1&stdout=1',
      attachHeaders,
    );
    expect(res.head).toMatch(/^HTTP\/1\.1 404 Not Found\r\n/);
    expect(JSON.parse((await res.body).toString())).toEqual({
      message: 'No such container: ghost',
    });
  });
});
