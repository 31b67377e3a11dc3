import { describe, expect, it } from 'vitest';
import type { ServerResponse } from 'node:http';
import type { WireFormat } from './codec';
import { MesosHttpStatusError } from './errors';
import type { master } from './generated/types';
import { OperatorClient, type OperatorStreamItem } from './operator-client';
import { closeAfterEach } from './test-support/cleanup';
import {
  decodeRequest,
  frame,
  openStream,
  reply,
  startFakeMaster,
  type FakeMaster,
  type Handler,
  type ReceivedRequest,
} from './test-support/fake-master';
import { BIG_NANOS } from './test-support/messages';

const RESPONSE = 'mesos.v1.master.Response';
const EVENT = 'mesos.v1.master.Event';
const FAST_BACKOFF = { initialMs: 1, maxMs: 5 };

const track = closeAfterEach();
const fakeMaster = async (handler: Handler): Promise<FakeMaster> =>
  track(await startFakeMaster(handler));
const operator = (masters: string[], format: WireFormat = 'protobuf'): OperatorClient =>
  track(new OperatorClient({ masters, format, backoff: FAST_BACKOFF }));

const callOf = (request: ReceivedRequest) => decodeRequest('mesos.v1.master.Call', request);

const AGENTS: master.Response = {
  type: 'GET_AGENTS',
  get_agents: {
    agents: [
      {
        agent_info: {
          hostname: 'agent-1',
          id: { value: 'a1' },
          resources: [{ name: 'cpus', type: 'SCALAR', scalar: { value: 8 } }],
        },
        active: true,
        version: '1.11.0',
        registered_time: { nanoseconds: BIG_NANOS },
        drain_info: { state: 'DRAINING', config: { mark_gone: false } },
      },
    ],
  },
};

const ANSWERS: Partial<Record<master.Call.Type, master.Response>> = {
  GET_AGENTS: AGENTS,
  GET_FRAMEWORKS: {
    type: 'GET_FRAMEWORKS',
    get_frameworks: {
      frameworks: [
        {
          framework_info: { user: 'root', name: 'shoal' },
          active: true,
          connected: true,
          recovered: false,
        },
      ],
    },
  },
  GET_TASKS: { type: 'GET_TASKS', get_tasks: {} },
  GET_ROLES: {
    type: 'GET_ROLES',
    get_roles: {
      roles: [
        { name: 'shoal', weight: 1 },
        { name: 'shoal/a', weight: 2, frameworks: [{ value: 'fw-1' }] },
      ],
    },
  },
  GET_WEIGHTS: {
    type: 'GET_WEIGHTS',
    get_weights: { weight_infos: [{ role: 'shoal/a', weight: 2 }] },
  },
  GET_QUOTA: {
    type: 'GET_QUOTA',
    get_quota: {
      status: {
        configs: [
          { role: 'shoal/a', guarantees: { cpus: { value: 1 } }, limits: { cpus: { value: 4 } } },
        ],
      },
    },
  },
  GET_MAINTENANCE_SCHEDULE: {
    type: 'GET_MAINTENANCE_SCHEDULE',
    get_maintenance_schedule: {
      schedule: {
        windows: [
          {
            machine_ids: [{ hostname: 'agent-1' }],
            unavailability: { start: { nanoseconds: BIG_NANOS } },
          },
        ],
      },
    },
  },
  GET_MAINTENANCE_STATUS: {
    type: 'GET_MAINTENANCE_STATUS',
    get_maintenance_status: {
      status: {
        draining_machines: [
          {
            id: { hostname: 'agent-1' },
            statuses: [
              {
                status: 'ACCEPT',
                framework_id: { value: 'fw-1' },
                timestamp: { nanoseconds: BIG_NANOS },
              },
            ],
          },
        ],
      },
    },
  },
};

function answering(format: WireFormat) {
  return (request: ReceivedRequest, response: ServerResponse) => {
    const answer = ANSWERS[callOf(request).type ?? 'UNKNOWN'];
    if (answer) reply(response, 200, format, RESPONSE, answer);
    else reply(response, 200, format);
  };
}

describe.each(['protobuf', 'json'] as const)('OperatorClient over %s', (format) => {
  it('decodes the GET_* answers', async () => {
    const master = await fakeMaster(answering(format));
    const client = operator([master.url], format);

    expect(await client.getAgents()).toEqual(AGENTS.get_agents);
    expect(await client.getFrameworks()).toEqual(ANSWERS.GET_FRAMEWORKS!.get_frameworks);
    expect(await client.getTasks()).toEqual({});
    expect(await client.getRoles()).toEqual(ANSWERS.GET_ROLES!.get_roles);
    expect(await client.getWeights()).toEqual(ANSWERS.GET_WEIGHTS!.get_weights);
    expect(await client.getQuota()).toEqual(ANSWERS.GET_QUOTA!.get_quota!.status);
    expect(await client.getMaintenanceSchedule()).toEqual(
      ANSWERS.GET_MAINTENANCE_SCHEDULE!.get_maintenance_schedule!.schedule,
    );
    expect(await client.getMaintenanceStatus()).toEqual(
      ANSWERS.GET_MAINTENANCE_STATUS!.get_maintenance_status!.status,
    );
    expect(master.requests.map((r) => r.path)).toEqual(Array(8).fill('/api/v1'));
  });

  it('sends the update calls', async () => {
    const master = await fakeMaster(answering(format));
    const client = operator([master.url], format);
    const schedule = ANSWERS.GET_MAINTENANCE_SCHEDULE!.get_maintenance_schedule!.schedule;

    await client.updateQuota(
      [{ role: 'shoal/a', limits: { cpus: { value: 4 }, mem: { value: 4096 } } }],
      { force: true },
    );
    await client.updateWeights([{ role: 'shoal/a', weight: 2.5 }]);
    await client.updateMaintenanceSchedule(schedule);
    await client.startMaintenance([{ hostname: 'agent-1', ip: '10.0.0.1' }]);
    await client.stopMaintenance([{ hostname: 'agent-1', ip: '10.0.0.1' }]);
    await client.drainAgent({ value: 'a1' }, { maxGracePeriod: { seconds: 600n }, markGone: true });
    await client.deactivateAgent({ value: 'a1' });
    await client.reactivateAgent({ value: 'a1' });

    expect(master.requests.map(callOf)).toEqual([
      {
        type: 'UPDATE_QUOTA',
        update_quota: {
          force: true,
          quota_configs: [
            { role: 'shoal/a', limits: { cpus: { value: 4 }, mem: { value: 4096 } } },
          ],
        },
      },
      {
        type: 'UPDATE_WEIGHTS',
        update_weights: { weight_infos: [{ role: 'shoal/a', weight: 2.5 }] },
      },
      { type: 'UPDATE_MAINTENANCE_SCHEDULE', update_maintenance_schedule: { schedule } },
      {
        type: 'START_MAINTENANCE',
        start_maintenance: { machines: [{ hostname: 'agent-1', ip: '10.0.0.1' }] },
      },
      {
        type: 'STOP_MAINTENANCE',
        stop_maintenance: { machines: [{ hostname: 'agent-1', ip: '10.0.0.1' }] },
      },
      {
        type: 'DRAIN_AGENT',
        drain_agent: {
          agent_id: { value: 'a1' },
          max_grace_period: { seconds: 600n },
          mark_gone: true,
        },
      },
      { type: 'DEACTIVATE_AGENT', deactivate_agent: { agent_id: { value: 'a1' } } },
      { type: 'REACTIVATE_AGENT', reactivate_agent: { agent_id: { value: 'a1' } } },
    ]);
  });

  it('streams operator events and resubscribes when heartbeats stop', async () => {
    const events: master.Event[] = [
      {
        type: 'TASK_ADDED',
        task_added: {
          task: {
            name: 'web',
            task_id: { value: 't1' },
            framework_id: { value: 'fw-1' },
            agent_id: { value: 'a1' },
            state: 'TASK_STAGING',
          },
        },
      },
      {
        type: 'TASK_UPDATED',
        task_updated: {
          framework_id: { value: 'fw-1' },
          status: { task_id: { value: 't1' }, state: 'TASK_STAGING' },
          state: 'TASK_RUNNING',
        },
      },
      { type: 'AGENT_ADDED', agent_added: { agent: AGENTS.get_agents!.agents![0]! } },
      { type: 'AGENT_REMOVED', agent_removed: { agent_id: { value: 'a1' } } },
      {
        type: 'FRAMEWORK_ADDED',
        framework_added: {
          framework: {
            framework_info: { user: 'root', name: 'shoal' },
            active: true,
            connected: true,
            recovered: false,
          },
        },
      },
      {
        type: 'FRAMEWORK_UPDATED',
        framework_updated: {
          framework: {
            framework_info: { user: 'root', name: 'shoal' },
            active: false,
            connected: false,
            recovered: false,
          },
        },
      },
      {
        type: 'FRAMEWORK_REMOVED',
        framework_removed: { framework_info: { user: 'root', name: 'shoal' } },
      },
      { type: 'HEARTBEAT' },
    ];
    const subscribed: master.Event = {
      type: 'SUBSCRIBED',
      subscribed: {
        get_state: { get_agents: AGENTS.get_agents },
        heartbeat_interval_seconds: 0.05,
      },
    };
    const master = await fakeMaster((request, response) => {
      expect(callOf(request)).toEqual({ type: 'SUBSCRIBE' });
      openStream(response, format);
      response.write(frame(EVENT, subscribed, format));
      // Everything else only on the first connection; then silence.
      if (master.requests.length === 1)
        for (const event of events) response.write(frame(EVENT, event, format));
    });
    const client = operator([master.url], format);
    const stream = (await client.subscribe())[Symbol.asyncIterator]();
    const received: OperatorStreamItem[] = [];
    for (let i = 0; i < events.length + 3; i++)
      received.push((await stream.next()).value as OperatorStreamItem);

    expect(received.slice(0, events.length + 1)).toEqual([subscribed, ...events]);
    expect(received[events.length + 1]).toMatchObject({
      type: 'DISCONNECTED',
      error: { code: 'MESOS_HEARTBEAT_TIMEOUT' },
    });
    expect(received[events.length + 2]).toEqual(subscribed);
  });
});

describe('OperatorClient transport', () => {
  it('shares leader redirects and 503 retries with the scheduler client', async () => {
    let unavailable = 1;
    const leader = await fakeMaster((request, response) => {
      if (unavailable-- > 0) return void response.writeHead(503).end('Master is recovering');
      answering('protobuf')(request, response);
    });
    const follower = await fakeMaster((_request, response) => {
      response.writeHead(307, { location: `//127.0.0.1:${leader.port}/api/v1` }).end();
    });
    const client = operator([follower.url]);

    expect(await client.getAgents()).toEqual(AGENTS.get_agents);
    expect(client.leader).toBe(leader.url);
  });

  it('reports an unexpected status with its body', async () => {
    const master = await fakeMaster((_request, response) => {
      response.writeHead(400).end("Updating quota on nested role 'shoal/a' is not supported yet");
    });
    const error = await operator([master.url])
      .updateQuota([{ role: 'shoal/a' }])
      .catch((e: unknown) => e);

    expect(error).toBeInstanceOf(MesosHttpStatusError);
    expect(error).toMatchObject({
      status: 400,
      body: "Updating quota on nested role 'shoal/a' is not supported yet",
    });
  });
});
