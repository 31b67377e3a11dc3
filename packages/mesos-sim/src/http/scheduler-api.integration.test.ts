import type { scheduler } from '@shoal/mesos';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type SimCluster, startSimCluster } from '../index';
import { frameworkInfo } from '../testing/framework';
import { postCall, RawStream, rawRequest } from '../testing/raw-http';

// Exact transport behaviour of POST /api/v1/scheduler, driven with plain node:http.

type Stream = RawStream<scheduler.Event>;

let sim: SimCluster;
let url: string;
const open: Stream[] = [];

beforeAll(async () => {
  sim = await startSimCluster({
    masters: 2,
    agents: 2,
    heartbeatIntervalSeconds: 0.05,
    allocationIntervalMs: 20,
  });
  url = `${sim.masterUrls[0]}/api/v1/scheduler`;
});

afterEach(() => {
  for (const stream of open.splice(0)) stream.close();
  sim.faults.setLeader(0);
  sim.faults.setRecovering(false);
});

afterAll(() => sim.close());

async function subscribe(
  info = frameworkInfo('raw', ['dev']),
  format: 'json' | 'protobuf' = 'protobuf',
  headers: Record<string, string> = {},
): Promise<Stream> {
  const call: scheduler.Call = { type: 'SUBSCRIBE', subscribe: { framework_info: info } };
  if (info.id) call.framework_id = info.id;
  const stream = await RawStream.open(
    url,
    'mesos.v1.scheduler.Call',
    call,
    'mesos.v1.scheduler.Event',
    { format, headers },
  );
  open.push(stream);
  return stream;
}

async function subscribed(stream: Stream): Promise<string> {
  const event = await stream.next((e) => e.type === 'SUBSCRIBED');
  return event.subscribed?.framework_id.value ?? '';
}

function call(
  frameworkId: string,
  streamId: string | undefined,
  body: Omit<scheduler.Call, 'framework_id'>,
) {
  return postCall(
    url,
    'mesos.v1.scheduler.Call',
    { framework_id: { value: frameworkId }, ...body },
    {
      headers: streamId === undefined ? {} : { 'Mesos-Stream-Id': streamId },
    },
  );
}

describe('SUBSCRIBE', () => {
  it('streams SUBSCRIBED then an immediate HEARTBEAT, then heartbeats every interval', async () => {
    const stream = await subscribe();
    expect(stream.status).toBe(200);
    expect(stream.headers['content-type']).toBe('application/x-protobuf');
    expect(stream.headers['transfer-encoding']).toBe('chunked');
    const first = await stream.next();
    expect(first.type).toBe('SUBSCRIBED');
    expect(first.subscribed?.heartbeat_interval_seconds).toBe(0.05);
    expect(first.subscribed?.master_info?.port).toBe(Number(new URL(sim.masterUrls[0] ?? '').port));
    expect((await stream.next()).type).toBe('HEARTBEAT');
    await stream.next((e) => e.type === 'HEARTBEAT');
    await stream.next((e) => e.type === 'HEARTBEAT');
  });

  it('answers in JSON when Accept allows it, and gives each subscription a fresh stream id', async () => {
    const json = await subscribe(frameworkInfo('json', ['dev']), 'json');
    expect(json.headers['content-type']).toBe('application/json');
    const fid = await subscribed(json);
    const again = await subscribe(
      { ...frameworkInfo('json', ['dev']), id: { value: fid } },
      'json',
    );
    await subscribed(again);
    expect(json.streamId).toMatch(/^[0-9a-f-]{36}$/);
    expect(again.streamId).not.toBe(json.streamId);
  });

  it('prefers JSON with no Accept header, as Mesos does', async () => {
    const stream = await subscribe(frameworkInfo('noaccept', ['dev']), 'protobuf', { Accept: '' });
    expect(stream.headers['content-type']).toBe('application/json');
  });

  it('fails over: the old stream gets ERROR "Framework failed over" and is closed', async () => {
    const first = await subscribe(frameworkInfo('failover', ['dev'], [], { failover_timeout: 60 }));
    const fid = await subscribed(first);
    const second = await subscribe({
      ...frameworkInfo('failover', ['dev'], [], { failover_timeout: 60 }),
      id: { value: fid },
    });
    expect(await subscribed(second)).toBe(fid);
    const error = await first.next((e) => e.type === 'ERROR');
    expect(error.error?.message).toBe('Framework failed over');
    await first.whenEnded();
    // The old stream id is no longer accepted; the new one is.
    expect((await call(fid, first.streamId, { type: 'REVIVE' })).status).toBe(400);
    expect((await call(fid, second.streamId, { type: 'REVIVE' })).status).toBe(202);
  });

  it('sends ERROR for invalid FrameworkInfo on the stream', async () => {
    const stream = await subscribe({
      user: 'u',
      name: 'bad',
      role: 'dev',
      capabilities: [{ type: 'MULTI_ROLE' }],
    });
    const error = await stream.next((e) => e.type === 'ERROR');
    expect(error.error?.message).toContain("'FrameworkInfo.role' must not be set");
    await stream.whenEnded();
  });

  it('tears the framework down when its stream stays away past failover_timeout', async () => {
    const stream = await subscribe(
      frameworkInfo('short-failover', ['dev'], [], { failover_timeout: 0.05 }),
    );
    const fid = await subscribed(stream);
    stream.close();
    await expect
      .poll(() => sim.state.frameworks().find((f) => f.id === fid)?.removed, { timeout: 30_000 })
      .toBe(true);
    const resubscribe = await subscribe({
      ...frameworkInfo('short-failover', ['dev']),
      id: { value: fid },
    });
    expect((await resubscribe.next((e) => e.type === 'ERROR')).error?.message).toBe(
      'Framework has been removed',
    );
  });
});

describe('status codes', () => {
  let fid: string;
  let streamId: string;

  beforeAll(async () => {
    const stream = await RawStream.open(
      url,
      'mesos.v1.scheduler.Call',
      {
        type: 'SUBSCRIBE',
        subscribe: {
          framework_info: frameworkInfo('codes', ['dev'], [], { failover_timeout: 3600 }),
        },
      },
      'mesos.v1.scheduler.Event',
    );
    fid = await subscribed(stream);
    streamId = stream.streamId;
  });

  it('202 for accepted calls, 200 for UPDATE_FRAMEWORK, 501 for UNKNOWN', async () => {
    expect((await call(fid, streamId, { type: 'SUPPRESS', suppress: { roles: [] } })).status).toBe(
      202,
    );
    expect((await call(fid, streamId, { type: 'REVIVE', revive: { roles: ['dev'] } })).status).toBe(
      202,
    );
    expect(
      (await call(fid, streamId, { type: 'RECONCILE', reconcile: { tasks: [] } })).status,
    ).toBe(202);
    const update = await call(fid, streamId, {
      type: 'UPDATE_FRAMEWORK',
      update_framework: {
        framework_info: {
          ...frameworkInfo('codes', ['dev', 'ops'], [], { failover_timeout: 3600 }),
          id: { value: fid },
        },
      },
    });
    expect(update.status).toBe(200);
    expect((await call(fid, streamId, { type: 'UNKNOWN' })).status).toBe(501);
  });

  it('RECONCILE_OPERATIONS answers 202', async () => {
    const response = await call(fid, streamId, {
      type: 'RECONCILE_OPERATIONS',
      reconcile_operations: { operations: [] },
    });
    expect(response.status).toBe(202);
  });

  it('400 for bad requests', async () => {
    const noType = await rawRequest(url, { body: 'x' });
    expect(noType.status).toBe(400);
    expect(noType.text).toBe("Expecting 'Content-Type' to be present");
    const badBody = await rawRequest(url, {
      headers: { 'Content-Type': 'application/json' },
      body: '{"type":',
    });
    expect(badBody.status).toBe(400);
    const badProto = await rawRequest(url, {
      headers: { 'Content-Type': 'application/x-protobuf' },
      body: new Uint8Array([0xff, 0xff]),
    });
    expect(badProto.status).toBe(400);
    const streamOnSubscribe = await postCall(
      url,
      'mesos.v1.scheduler.Call',
      { type: 'SUBSCRIBE', subscribe: { framework_info: frameworkInfo('x', ['dev']) } },
      {
        headers: { 'Mesos-Stream-Id': streamId },
      },
    );
    expect(streamOnSubscribe.status).toBe(400);
    expect(streamOnSubscribe.text).toContain('Mesos-Stream-Id');
    const unknown = await call('no-such-framework', streamId, { type: 'REVIVE' });
    expect([unknown.status, unknown.text]).toEqual([400, 'Framework cannot be found']);
    expect((await call(fid, undefined, { type: 'REVIVE' })).status).toBe(400);
    expect((await call(fid, 'not-the-stream', { type: 'REVIVE' })).status).toBe(400);
    const shortUuid = await call(fid, streamId, {
      type: 'ACKNOWLEDGE',
      acknowledge: { agent_id: { value: 'a' }, task_id: { value: 't' }, uuid: new Uint8Array(4) },
    });
    expect(shortUuid.status).toBe(400);
    const noFrameworkId = await postCall(
      url,
      'mesos.v1.scheduler.Call',
      { type: 'REVIVE' },
      { headers: { 'Mesos-Stream-Id': streamId } },
    );
    expect(noFrameworkId.status).toBe(400);
    const invalidUpdate = await call(fid, streamId, {
      type: 'UPDATE_FRAMEWORK',
      update_framework: {
        framework_info: {
          ...frameworkInfo('codes', ['dev']),
          id: { value: fid },
          user: 'someone-else',
        },
      },
    });
    expect(invalidUpdate.status).toBe(400);
  });

  it('405, 415 and 406', async () => {
    expect((await rawRequest(url, { method: 'GET' })).status).toBe(405);
    expect(
      (await rawRequest(url, { headers: { 'Content-Type': 'text/plain' }, body: 'x' })).status,
    ).toBe(415);
    // The master compares the whole Content-Type: a charset makes it another type.
    const charset = await rawRequest(url, {
      headers: { 'Content-Type': 'application/json; charset=utf-8' },
      body: '{"type":"SUBSCRIBE"}',
    });
    expect([charset.status, charset.text]).toEqual([
      415,
      "Expecting 'Content-Type' of application/json or application/x-protobuf",
    ]);
    const notAcceptable = await postCall(
      url,
      'mesos.v1.scheduler.Call',
      { type: 'SUBSCRIBE', subscribe: { framework_info: frameworkInfo('x', ['dev']) } },
      {
        headers: { Accept: 'text/html' },
      },
    );
    expect(notAcceptable.status).toBe(406);
  });

  it('403 once the framework is disconnected', async () => {
    const stream = await subscribe(
      frameworkInfo('gone-away', ['dev'], [], { failover_timeout: 3600 }),
    );
    const id = await subscribed(stream);
    const sid = stream.streamId;
    stream.close();
    await expect
      .poll(() => sim.state.frameworks().find((f) => f.id === id)?.connected, { timeout: 30_000 })
      .toBe(false);
    const response = await call(id, sid, { type: 'REVIVE' });
    expect([response.status, response.text]).toEqual([403, 'Framework is not subscribed']);
  });

  it('307 from a non-leading master, 503 with no leader or while recovering', async () => {
    const other = `${sim.masterUrls[1]}/api/v1/scheduler`;
    const redirect = await rawRequest(other, {
      headers: { 'Content-Type': 'application/json' },
      body: '{}',
    });
    expect(redirect.status).toBe(307);
    expect(redirect.headers.location).toBe(
      `//${new URL(sim.masterUrls[0] ?? '').host}/api/v1/scheduler`,
    );
    sim.faults.setLeader(null);
    const none = await rawRequest(url, {
      headers: { 'Content-Type': 'application/json' },
      body: '{}',
    });
    expect([none.status, none.text]).toEqual([503, 'No leader elected']);
    sim.faults.setLeader(0);
    sim.faults.setRecovering(true);
    expect(
      (await rawRequest(url, { headers: { 'Content-Type': 'application/json' }, body: '{}' }))
        .status,
    ).toBe(503);
  });

  it('TEARDOWN removes the framework and ends its stream', async () => {
    const stream = await subscribe(frameworkInfo('teardown', ['dev']));
    const id = await subscribed(stream);
    expect((await call(id, stream.streamId, { type: 'TEARDOWN' })).status).toBe(202);
    await stream.whenEnded();
    expect(sim.state.frameworks().find((f) => f.id === id)?.removed).toBe(true);
  });
});
