import { describe, expect, it } from 'vitest';
import type { ServerResponse } from 'node:http';
import type { WireFormat } from './codec';
import {
  MesosConnectError,
  MesosHttpStatusError,
  MesosNoLeaderError,
  MesosNotSubscribedError,
  MesosRedirectLoopError,
  MesosSubscriptionError,
  MesosTimeoutError,
} from './errors';
import type { FrameworkInfo, scheduler } from './generated/types';
import {
  SchedulerClient,
  type SchedulerClientOptions,
  type SchedulerStreamItem,
  type SchedulerSubscription,
} from './scheduler-client';
import { closeAfterEach } from './test-support/cleanup';
import {
  decodeRequest,
  frame,
  openStream,
  refusingUrl,
  reply,
  startFakeMaster,
  type FakeMaster,
  type Handler,
  type ReceivedRequest,
} from './test-support/fake-master';
import { BIG_NANOS, OFFERS_EVENT } from './test-support/messages';

const EVENT = 'mesos.v1.scheduler.Event';
const FAST_BACKOFF = { initialMs: 1, maxMs: 5 };
const FRAMEWORK: FrameworkInfo = {
  user: 'root',
  name: 'shoal',
  roles: ['shoal/a', 'shoal/b'],
  capabilities: [{ type: 'MULTI_ROLE' }],
  failover_timeout: 604800,
};
const UUID = new Uint8Array(16).map((_, i) => i * 17);

const track = closeAfterEach();
const fakeMaster = async (handler: Handler): Promise<FakeMaster> =>
  track(await startFakeMaster(handler));
const client = (options: SchedulerClientOptions): SchedulerClient =>
  track(new SchedulerClient({ backoff: FAST_BACKOFF, ...options }));

function subscribed(frameworkId: string, heartbeat = 15): scheduler.Event {
  return {
    type: 'SUBSCRIBED',
    subscribed: { framework_id: { value: frameworkId }, heartbeat_interval_seconds: heartbeat },
  };
}

const callOf = (request: ReceivedRequest) => decodeRequest('mesos.v1.scheduler.Call', request);
const subscribes = (master: FakeMaster) =>
  master.requests.filter((r) => callOf(r).type === 'SUBSCRIBE');

/** Answers SUBSCRIBE with a stream that sends SUBSCRIBED and stays open, and every other call with 202. */
function streamingMaster(format: WireFormat, frameworkId = 'fw-1') {
  return (request: ReceivedRequest, response: ServerResponse) => {
    if (callOf(request).type !== 'SUBSCRIBE') return reply(response, 202, format);
    openStream(response, format, { 'mesos-stream-id': 'stream-1' });
    response.write(frame(EVENT, subscribed(frameworkId), format));
  };
}

async function take(
  iterator: AsyncIterator<SchedulerStreamItem>,
  count: number,
): Promise<SchedulerStreamItem[]> {
  const items: SchedulerStreamItem[] = [];
  for (let i = 0; i < count; i++) {
    const next = await iterator.next();
    if (next.done) throw new Error(`stream ended after ${i} items`);
    items.push(next.value);
  }
  return items;
}

function iterate(subscription: SchedulerSubscription): AsyncIterator<SchedulerStreamItem> {
  return subscription[Symbol.asyncIterator]();
}

describe.each(['protobuf', 'json'] as const)('SchedulerClient over %s', (format) => {
  const allEvents: scheduler.Event[] = [
    OFFERS_EVENT,
    { type: 'RESCIND', rescind: { offer_id: { value: 'o1' } } },
    {
      type: 'UPDATE',
      update: {
        status: {
          task_id: { value: 't1' },
          state: 'TASK_RUNNING',
          agent_id: { value: 'a1' },
          uuid: UUID,
        },
      },
    },
    {
      type: 'MESSAGE',
      message: {
        agent_id: { value: 'a1' },
        executor_id: { value: 'e1' },
        data: new Uint8Array([1, 2]),
      },
    },
    { type: 'FAILURE', failure: { agent_id: { value: 'a1' }, status: 9 } },
    { type: 'HEARTBEAT' },
    {
      type: 'INVERSE_OFFERS',
      inverse_offers: {
        inverse_offers: [
          {
            id: { value: 'io1' },
            framework_id: { value: 'fw-1' },
            agent_id: { value: 'a1' },
            unavailability: {
              start: { nanoseconds: BIG_NANOS },
              duration: { nanoseconds: 3_600_000_000_000n },
            },
          },
        ],
      },
    },
    {
      type: 'RESCIND_INVERSE_OFFER',
      rescind_inverse_offer: { inverse_offer_id: { value: 'io1' } },
    },
    {
      type: 'UPDATE_OPERATION_STATUS',
      update_operation_status: {
        status: { operation_id: { value: 'op1' }, state: 'OPERATION_FINISHED' },
      },
    },
  ];

  it('subscribes and yields every event type, split and merged across chunks', async () => {
    const master = await fakeMaster((request, response) => {
      openStream(response, format, { 'mesos-stream-id': 'stream-1' });
      const stream = Buffer.concat(
        [subscribed('fw-1'), ...allEvents].map((event) => frame(EVENT, event, format)),
      );
      // Uneven chunks: records are both merged into one write and split across writes.
      for (let at = 0; at < stream.length; at += 37) response.write(stream.subarray(at, at + 37));
    });
    const scheduler = client({ masters: [master.url], format });
    const subscription = await scheduler.subscribe(FRAMEWORK, { suppressedRoles: ['shoal/b'] });

    expect(subscription.frameworkId).toEqual({ value: 'fw-1' });
    expect(subscription.streamId).toBe('stream-1');
    expect(await take(iterate(subscription), allEvents.length + 1)).toEqual([
      subscribed('fw-1'),
      ...allEvents,
    ]);

    const [request] = master.requests;
    expect(request!.headers['content-type']).toBe(
      format === 'json' ? 'application/json' : 'application/x-protobuf',
    );
    expect(request!.headers['mesos-stream-id']).toBeUndefined();
    expect(callOf(request!)).toEqual({
      type: 'SUBSCRIBE',
      subscribe: { framework_info: FRAMEWORK, suppressed_roles: ['shoal/b'] },
    });
  });

  it('sends every call with framework_id and Mesos-Stream-Id', async () => {
    const master = await fakeMaster((request, response) => {
      const call = callOf(request);
      if (call.type === 'UPDATE_FRAMEWORK') return reply(response, 200, format);
      if (call.type === 'RECONCILE_OPERATIONS') {
        return reply(response, 200, format, 'mesos.v1.scheduler.Response', {
          type: 'RECONCILE_OPERATIONS',
          reconcile_operations: {
            operation_statuses: [{ operation_id: { value: 'op1' }, state: 'OPERATION_PENDING' }],
          },
        });
      }
      return streamingMaster(format)(request, response);
    });
    const scheduler = client({
      masters: [master.url],
      format,
      principal: 'shoal',
      secret: 's3cret',
    });
    await scheduler.subscribe(FRAMEWORK);

    const launch = {
      type: 'LAUNCH' as const,
      launch: {
        task_infos: [
          {
            name: 'web',
            task_id: { value: 't1' },
            agent_id: { value: 'a1' },
            container: { type: 'DOCKER' as const, docker: { image: 'nginx' } },
          },
        ],
      },
    };
    await scheduler.accept([{ value: 'o1' }], [launch], { refuse_seconds: 10 });
    await scheduler.decline([{ value: 'o2' }], { refuse_seconds: 60 });
    await scheduler.suppress(['shoal/b']);
    await scheduler.revive(['shoal/a']);
    await scheduler.kill({ value: 't1' }, { agentId: { value: 'a1' } });
    await scheduler.shutdown({ value: 'e1' }, { value: 'a1' });
    await scheduler.acknowledge({ value: 'a1' }, { value: 't1' }, UUID);
    await scheduler.reconcile([{ task_id: { value: 't1' } }]);
    await scheduler.message({ value: 'a1' }, { value: 'e1' }, new Uint8Array([7]));
    await scheduler.request([{ agent_id: { value: 'a1' } }]);
    await scheduler.acceptInverseOffers([{ value: 'io1' }]);
    await scheduler.declineInverseOffers([{ value: 'io2' }], { refuse_seconds: 1 });
    await scheduler.acknowledgeOperationStatus({
      agent_id: { value: 'a1' },
      uuid: UUID,
      operation_id: { value: 'op1' },
    });
    const reconciled = await scheduler.reconcileOperations([{ operation_id: { value: 'op1' } }]);
    await scheduler.updateFramework({ ...FRAMEWORK, roles: ['shoal/a'] }, ['shoal/a']);
    await scheduler.teardown();

    expect(reconciled?.reconcile_operations?.operation_statuses?.[0]?.state).toBe(
      'OPERATION_PENDING',
    );
    const calls = master.requests.slice(1);
    for (const request of calls) {
      expect(request.headers['mesos-stream-id']).toBe('stream-1');
      expect(request.headers.authorization).toBe(
        `Basic ${Buffer.from('shoal:s3cret').toString('base64')}`,
      );
      expect(callOf(request).framework_id).toEqual({ value: 'fw-1' });
    }
    expect(calls.map((r) => callOf(r).type)).toEqual([
      'ACCEPT',
      'DECLINE',
      'SUPPRESS',
      'REVIVE',
      'KILL',
      'SHUTDOWN',
      'ACKNOWLEDGE',
      'RECONCILE',
      'MESSAGE',
      'REQUEST',
      'ACCEPT_INVERSE_OFFERS',
      'DECLINE_INVERSE_OFFERS',
      'ACKNOWLEDGE_OPERATION_STATUS',
      'RECONCILE_OPERATIONS',
      'UPDATE_FRAMEWORK',
      'TEARDOWN',
    ]);
    const [accept, , , revive, , , acknowledge, , , , , , , , update] = calls.map(callOf);
    expect(accept!.accept).toEqual({
      offer_ids: [{ value: 'o1' }],
      operations: [launch],
      filters: { refuse_seconds: 10 },
    });
    expect(revive!.revive).toEqual({ roles: ['shoal/a'] });
    expect(acknowledge!.acknowledge!.uuid).toEqual(UUID);
    expect(update!.update_framework).toEqual({
      framework_info: { ...FRAMEWORK, roles: ['shoal/a'], id: { value: 'fw-1' } },
      suppressed_roles: ['shoal/a'],
    });
  });
});

describe('SchedulerClient leader handling', () => {
  it('follows a protocol-relative 307 to the leader and remembers it', async () => {
    const leader = await fakeMaster(streamingMaster('protobuf'));
    const follower = await fakeMaster((_request, response) => {
      response.writeHead(307, { location: `//127.0.0.1:${leader.port}/api/v1/scheduler` }).end();
    });
    const scheduler = client({ masters: [follower.url, leader.url] });
    await scheduler.subscribe(FRAMEWORK);
    await scheduler.revive();

    expect(scheduler.leader).toBe(leader.url);
    expect(follower.requests).toHaveLength(1);
    expect(leader.requests.map((r) => callOf(r).type)).toEqual(['SUBSCRIBE', 'REVIVE']);
  });

  it('retries 503 (no leader elected) with backoff until a leader answers', async () => {
    let answered = 0;
    const master = await fakeMaster((request, response) => {
      if (answered++ < 2) return void response.writeHead(503).end('No leader elected');
      streamingMaster('json')(request, response);
    });
    const scheduler = client({ masters: [master.url], format: 'json' });
    const subscription = await scheduler.subscribe(FRAMEWORK);

    expect(subscription.frameworkId).toEqual({ value: 'fw-1' });
    expect(master.requests).toHaveLength(3);
  });

  it('moves on to the next master when one refuses connections', async () => {
    const live = await fakeMaster(streamingMaster('protobuf'));
    const scheduler = client({ masters: [await refusingUrl(), live.url] });
    await scheduler.subscribe(FRAMEWORK);

    expect(scheduler.leader).toBe(live.url);
  });
});

describe('SchedulerClient reconnection', () => {
  it('resubscribes with its framework id after the stream is cut mid-record', async () => {
    const master = await fakeMaster((request, response) => {
      if (callOf(request).type !== 'SUBSCRIBE') return reply(response, 202, 'protobuf');
      openStream(response, 'protobuf', { 'mesos-stream-id': `stream-${master.requests.length}` });
      response.write(frame(EVENT, subscribed('fw-1'), 'protobuf'));
      if (master.requests.length === 1) {
        const offers = frame(EVENT, { type: 'OFFERS', offers: {} }, 'protobuf');
        response.write(offers.subarray(0, 2), () => response.socket?.destroy());
      }
    });
    const scheduler = client({ masters: [master.url] });
    const subscription = await scheduler.subscribe(FRAMEWORK);
    const [first, disconnected, second] = await take(iterate(subscription), 3);

    expect(first).toEqual(subscribed('fw-1'));
    expect(disconnected).toMatchObject({
      type: 'DISCONNECTED',
      error: { code: 'MESOS_STREAM_CLOSED' },
    });
    expect(second).toEqual(subscribed('fw-1'));
    const resubscribe = callOf(subscribes(master)[1]!);
    expect(resubscribe.framework_id).toEqual({ value: 'fw-1' });
    expect(resubscribe.subscribe?.framework_info.id).toEqual({ value: 'fw-1' });
    expect(subscription.streamId).toBe('stream-2');
    await scheduler.revive();
    expect(master.requests.at(-1)!.headers['mesos-stream-id']).toBe('stream-2');
  });

  it('resubscribes when heartbeats stop, keeping roles suppressed since', async () => {
    const master = await fakeMaster((request, response) => {
      if (callOf(request).type !== 'SUBSCRIBE') return reply(response, 202, 'json');
      openStream(response, 'json', { 'mesos-stream-id': 'stream' });
      // A 50 ms interval, then silence: the client gives up after 5 missed beats.
      response.write(frame(EVENT, subscribed('fw-1', 0.05), 'json'));
    });
    const scheduler = client({ masters: [master.url], format: 'json' });
    const subscription = await scheduler.subscribe(FRAMEWORK);
    await scheduler.suppress(['shoal/b']);
    const [, disconnected, again] = await take(iterate(subscription), 3);

    expect(disconnected).toMatchObject({
      type: 'DISCONNECTED',
      error: { code: 'MESOS_HEARTBEAT_TIMEOUT' },
    });
    expect(again).toEqual(subscribed('fw-1', 0.05));
    expect(callOf(subscribes(master)[1]!).subscribe?.suppressed_roles).toEqual(['shoal/b']);
  });

  it('stops with MesosSubscriptionError on an ERROR event instead of resubscribing', async () => {
    const master = await fakeMaster((_request, response) => {
      openStream(response, 'protobuf');
      response.write(frame(EVENT, subscribed('fw-1'), 'protobuf'));
      response.write(
        frame(EVENT, { type: 'ERROR', error: { message: 'Framework failed over' } }, 'protobuf'),
      );
    });
    const scheduler = client({ masters: [master.url] });
    const events = iterate(await scheduler.subscribe(FRAMEWORK));

    expect((await events.next()).value).toEqual(subscribed('fw-1'));
    const error = await events.next().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MesosSubscriptionError);
    expect((error as MesosSubscriptionError).mesosMessage).toBe('Framework failed over');
    expect(master.requests).toHaveLength(1);
    await expect(scheduler.revive()).rejects.toBeInstanceOf(MesosNotSubscribedError);
  });

  it('gives up when resubscribing is refused (403), surfacing the status error', async () => {
    const master = await fakeMaster((_request, response) => {
      if (master.requests.length > 1)
        return void response.writeHead(403).end('Framework has been removed');
      openStream(response, 'protobuf');
      response.write(frame(EVENT, subscribed('fw-1'), 'protobuf'), () =>
        response.socket?.destroy(),
      );
    });
    const scheduler = client({ masters: [master.url] });
    const events = iterate(await scheduler.subscribe(FRAMEWORK));
    await take(events, 2);

    const error = await events.next().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MesosHttpStatusError);
    expect(error).toMatchObject({ status: 403, body: 'Framework has been removed' });
  });

  it('leaving the loop early ends the subscription', async () => {
    const master = await fakeMaster(streamingMaster('protobuf'));
    const scheduler = client({ masters: [master.url] });
    for await (const item of await scheduler.subscribe(FRAMEWORK)) {
      expect(item).toEqual(subscribed('fw-1'));
      break;
    }

    await expect(scheduler.revive()).rejects.toBeInstanceOf(MesosNotSubscribedError);
    await scheduler.subscribe(FRAMEWORK);
    expect(subscribes(master)).toHaveLength(2);
  });

  it('close() ends a pending iteration and the connection', async () => {
    const master = await fakeMaster(streamingMaster('protobuf'));
    const scheduler = new SchedulerClient({ masters: [master.url] });
    const events = iterate(await scheduler.subscribe(FRAMEWORK));
    await events.next();
    const pending = events.next();
    await scheduler.close();

    expect(await pending).toEqual({ value: undefined, done: true });
  });
});

describe('SchedulerClient errors', () => {
  it('reports a refused call with its status and body', async () => {
    const master = await fakeMaster((request, response) => {
      if (callOf(request).type === 'SUBSCRIBE') return streamingMaster('json')(request, response);
      response.writeHead(400).end('Framework cannot be found');
    });
    const scheduler = client({ masters: [master.url], format: 'json' });
    await scheduler.subscribe(FRAMEWORK);
    const error = await scheduler.decline([{ value: 'o1' }]).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(MesosHttpStatusError);
    expect(error).toMatchObject({
      code: 'MESOS_HTTP_STATUS',
      status: 400,
      body: 'Framework cannot be found',
    });
  });

  it('rejects subscribe when the master refuses it, without retrying', async () => {
    const master = await fakeMaster(
      (_request, response) => void response.writeHead(400).end('Invalid FrameworkInfo'),
    );
    const error = await client({ masters: [master.url] })
      .subscribe(FRAMEWORK)
      .catch((e: unknown) => e);

    expect(error).toMatchObject({
      code: 'MESOS_HTTP_STATUS',
      status: 400,
      body: 'Invalid FrameworkInfo',
    });
    expect(master.requests).toHaveLength(1);
  });

  it('gives up on 503 after maxAttempts with MesosNoLeaderError', async () => {
    const master = await fakeMaster(
      (_request, response) => void response.writeHead(503).end('No leader elected'),
    );
    const error = await client({ masters: [master.url], maxAttempts: 3 })
      .subscribe(FRAMEWORK)
      .catch((e: unknown) => e);

    expect(error).toBeInstanceOf(MesosNoLeaderError);
    expect(error).toMatchObject({ code: 'MESOS_NO_LEADER', attempts: 3 });
    expect(master.requests).toHaveLength(3);
  });

  it('fails with MesosConnectError, keeping every cause, when no master accepts connections', async () => {
    const urls = [await refusingUrl(), await refusingUrl()];
    const error = await client({ masters: urls, maxAttempts: 2 })
      .subscribe(FRAMEWORK)
      .catch((e: unknown) => e);

    expect(error).toBeInstanceOf(MesosConnectError);
    const cause = (error as MesosConnectError).cause as AggregateError;
    expect(cause).toBeInstanceOf(AggregateError);
    expect(cause.errors.map((e: { code?: string }) => e.code)).toEqual([
      'ECONNREFUSED',
      'ECONNREFUSED',
    ]);
  });

  it('bounds leader redirects', async () => {
    const b = await fakeMaster((_request, response) => {
      response.writeHead(307, { location: `//127.0.0.1:${a.port}/api/v1/scheduler` }).end();
    });
    const a = await fakeMaster((_request, response) => {
      response.writeHead(307, { location: `//127.0.0.1:${b.port}/api/v1/scheduler` }).end();
    });
    const error = await client({ masters: [a.url], maxRedirects: 3 })
      .subscribe(FRAMEWORK)
      .catch((e: unknown) => e);

    expect(error).toBeInstanceOf(MesosRedirectLoopError);
    expect((error as MesosRedirectLoopError).hops).toHaveLength(4);
  });

  it('times out a master that never answers', async () => {
    const master = await fakeMaster(() => undefined);
    const error = await client({ masters: [master.url], requestTimeoutMs: 100 })
      .subscribe(FRAMEWORK)
      .catch((e: unknown) => e);

    expect(error).toBeInstanceOf(MesosTimeoutError);
    expect((error as MesosTimeoutError).cause).toMatchObject({ code: 'UND_ERR_HEADERS_TIMEOUT' });
  });

  it('refuses calls before a subscription exists', async () => {
    const error = await client({ masters: ['http://127.0.0.1:1'] })
      .revive()
      .catch((e: unknown) => e);

    expect(error).toBeInstanceOf(MesosNotSubscribedError);
    expect(error).toMatchObject({ code: 'MESOS_NOT_SUBSCRIBED' });
  });

  it('pipelines acknowledgements on a few connections, and gives each accept its own', async () => {
    const portsOf = new Map<string, Set<number>>();
    const master = await fakeMaster((request, response) => {
      const type = callOf(request).type ?? 'UNKNOWN';
      if (!portsOf.has(type)) portsOf.set(type, new Set());
      portsOf.get(type)!.add(request.remotePort);
      return streamingMaster('protobuf')(request, response);
    });
    const scheduler = client({ masters: [master.url] });
    await scheduler.subscribe(FRAMEWORK);

    const agent = { value: 'a1' };
    await Promise.all(
      Array.from({ length: 40 }, (_, i) => scheduler.acknowledge(agent, { value: `t${i}` }, UUID)),
    );
    await Promise.all(
      Array.from({ length: 8 }, (_, i) => scheduler.accept([{ value: `o${i}` }], [])),
    );

    expect(portsOf.get('ACKNOWLEDGE')!.size).toBeLessThanOrEqual(4);
    // An ACCEPT sent again after a lost connection would find its offers used.
    expect(portsOf.get('ACCEPT')!.size).toBe(8);
  });
});
