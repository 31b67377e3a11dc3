import { describe, expect, it } from 'vitest';
import { decodeMessage, encodeMessage, MesosCodecError } from '../index';
import type { master, MessageName, MessageOf, scheduler } from '../index';
import { ACCEPT_DOCKER_LAUNCH, BIG_NANOS, OFFERS_EVENT } from '../test-support/messages';

// Expected bytes are written out by hand from the Mesos field numbers and
// wire types (tag byte = field << 3 | wire type; 0 varint, 1 fixed64,
// 2 length-delimited), never produced by the encoder under test. Helpers
// only add one-byte length prefixes and ASCII.

const hex = (...parts: string[]): string => parts.join('').replace(/\s+/g, '');
const text = (s: string): string => Buffer.from(s, 'utf8').toString('hex');
/** A length-delimited field: tag, one-byte length, content. */
function ld(tag: string, ...content: string[]): string {
  const body = hex(...content);
  const length = body.length / 2;
  if (length > 127) throw new Error('fixture helper only writes one-byte lengths');
  return hex(tag, length.toString(16).padStart(2, '0'), body);
}
const bytes = (h: string): Uint8Array => new Uint8Array(Buffer.from(h, 'hex'));
const toHex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

const DOUBLE_0_5 = '000000000000e03f';
const DOUBLE_5 = '0000000000001440';
const DOUBLE_3600 = '000000000020ac40';
const DOUBLE_4 = '0000000000001040';
const DOUBLE_8 = '0000000000002040';
const DOUBLE_1700000000_25 = '00001040fc54d941';
const VARINT_31000 = '98f201';
const VARINT_32000 = '80fa01';
// BIG_NANOS (1_700_000_000_123_456_789) as a varint.
const VARINT_BIG_NANOS = '959a97ece39fe7cb17';
const UUID = '0123456789abcdeffedcba9876543210';

const frameworkId = ld('0a', text('fw-1')); // FrameworkID.value = 1

function expectBothWays<N extends MessageName>(
  type: N,
  message: MessageOf<N>,
  expectedHex: string,
): void {
  expect(toHex(encodeMessage(type, message, 'protobuf'))).toBe(expectedHex);
  expect(decodeMessage(type, bytes(expectedHex), 'protobuf')).toEqual(message);
}

describe('protobuf wire format: scheduler calls', () => {
  it('SUBSCRIBE with a multi-role FrameworkInfo', () => {
    const call: scheduler.Call = {
      type: 'SUBSCRIBE',
      subscribe: {
        framework_info: {
          user: 'root',
          name: 'shoal',
          failover_timeout: 3600,
          roles: ['shoal/a'],
          capabilities: [{ type: 'MULTI_ROLE' }],
          offer_filters: {
            'shoal/a': {
              min_allocatable_resources: {
                quantities: [{ quantities: { cpus: { value: 4 } } }],
              },
            },
          },
        },
        suppressed_roles: ['shoal/a'],
      },
    };
    // A map entry is a message of its own: key = 1, value = 2.
    const cpusAtLeast4 = ld('0a', ld('0a', text('cpus')), ld('12', `09${DOUBLE_4}`)); // ResourceQuantities.quantities = 1 { "cpus": Scalar { value = 1 } }
    const offerFilters = ld('0a', ld('0a', cpusAtLeast4)); // min_allocatable_resources = 1 { quantities = 1 }
    const frameworkInfo = hex(
      ld('0a', text('root')), // user = 1
      ld('12', text('shoal')), // name = 2
      `21${DOUBLE_3600}`, // failover_timeout = 4, fixed64
      ld('52', '08 06'), // capabilities = 10 { type = 1: MULTI_ROLE (6) }
      ld('62', text('shoal/a')), // roles = 12
      ld('6a', ld('0a', text('shoal/a')), ld('12', offerFilters)), // offer_filters = 13 { "shoal/a": OfferFilters }
    );
    expectBothWays(
      'mesos.v1.scheduler.Call',
      call,
      hex(
        '10 01', // type = 2: SUBSCRIBE (1)
        ld('1a', ld('0a', frameworkInfo), ld('12', text('shoal/a'))), // subscribe = 3 { framework_info = 1, suppressed_roles = 2 }
      ),
    );
  });

  it('ACCEPT with a LAUNCH of a DOCKER task', () => {
    const resource = hex(
      ld('0a', text('cpus')), // name = 1
      '10 00', // type = 2: SCALAR (0), written because it is set
      ld('1a', '09', DOUBLE_0_5), // scalar = 3 { value = 1, fixed64 }
    );
    const docker = hex(
      ld('0a', text('nginx')), // image = 1
      '10 02', // network = 2: BRIDGE (2)
      ld('1a', '08', VARINT_31000, '10 50', ld('1a', text('tcp'))), // port_mappings = 3 { host_port = 1, container_port = 2, protocol = 3 }
    );
    const taskInfo = hex(
      ld('0a', text('web')), // name = 1
      ld('12', ld('0a', text('t1'))), // task_id = 2
      ld('1a', ld('0a', text('a1'))), // agent_id = 3
      ld('22', resource), // resources = 4
      ld('3a', '30 00'), // command = 7 { shell = 6: false }
      ld('4a', '08 01', ld('1a', docker)), // container = 9 { type = 1: DOCKER (1), docker = 3 }
    );
    const operation = hex('08 01', ld('12', ld('0a', taskInfo))); // type = 1: LAUNCH, launch = 2 { task_infos = 1 }
    expectBothWays(
      'mesos.v1.scheduler.Call',
      ACCEPT_DOCKER_LAUNCH,
      hex(
        ld('0a', frameworkId), // framework_id = 1
        '10 03', // type = 2: ACCEPT (3)
        ld('22', ld('0a', ld('0a', text('o1'))), ld('12', operation), ld('1a', '09', DOUBLE_5)), // accept = 4
      ),
    );
  });

  it('DECLINE with refuse_seconds', () => {
    const call: scheduler.Call = {
      framework_id: { value: 'fw-1' },
      type: 'DECLINE',
      decline: { offer_ids: [{ value: 'o1' }, { value: 'o2' }], filters: { refuse_seconds: 3600 } },
    };
    expectBothWays(
      'mesos.v1.scheduler.Call',
      call,
      hex(
        ld('0a', frameworkId),
        '10 04', // type: DECLINE (4)
        ld(
          '2a',
          ld('0a', ld('0a', text('o1'))),
          ld('0a', ld('0a', text('o2'))),
          ld('12', '09', DOUBLE_3600),
        ), // decline = 5
      ),
    );
  });

  it('REVIVE travels in field 15 although its type number is 5', () => {
    const call: scheduler.Call = {
      framework_id: { value: 'fw-1' },
      type: 'REVIVE',
      revive: { roles: ['shoal/a'] },
    };
    expectBothWays(
      'mesos.v1.scheduler.Call',
      call,
      hex(
        ld('0a', frameworkId),
        '10 05', // type: REVIVE (5)
        ld('7a', ld('0a', text('shoal/a'))), // revive = 15 -> tag 15 << 3 | 2 = 0x7a
      ),
    );
  });

  it('SUPPRESS travels in field 16 (a two-byte tag) although its type number is 12', () => {
    const call: scheduler.Call = {
      framework_id: { value: 'fw-1' },
      type: 'SUPPRESS',
      suppress: { roles: ['shoal/a'] },
    };
    expectBothWays(
      'mesos.v1.scheduler.Call',
      call,
      hex(
        ld('0a', frameworkId),
        '10 0c', // type: SUPPRESS (12)
        ld('8201', ld('0a', text('shoal/a'))), // suppress = 16 -> tag 130 as varint 0x82 0x01
      ),
    );
  });

  it('ACKNOWLEDGE with a 16-byte uuid', () => {
    const call: scheduler.Call = {
      framework_id: { value: 'fw-1' },
      type: 'ACKNOWLEDGE',
      acknowledge: { agent_id: { value: 'a1' }, task_id: { value: 't1' }, uuid: bytes(UUID) },
    };
    expectBothWays(
      'mesos.v1.scheduler.Call',
      call,
      hex(
        ld('0a', frameworkId),
        '10 08', // type: ACKNOWLEDGE (8)
        ld('42', ld('0a', ld('0a', text('a1'))), ld('12', ld('0a', text('t1'))), ld('1a', UUID)), // acknowledge = 8
      ),
    );
  });

  it('RECONCILE with explicit tasks', () => {
    const call: scheduler.Call = {
      framework_id: { value: 'fw-1' },
      type: 'RECONCILE',
      reconcile: { tasks: [{ task_id: { value: 't1' }, agent_id: { value: 'a1' } }] },
    };
    expectBothWays(
      'mesos.v1.scheduler.Call',
      call,
      hex(
        ld('0a', frameworkId),
        '10 09', // type: RECONCILE (9)
        ld('4a', ld('0a', ld('0a', ld('0a', text('t1'))), ld('12', ld('0a', text('a1'))))), // reconcile = 9 { tasks = 1 }
      ),
    );
  });

  it('UPDATE_FRAMEWORK travels in field 19', () => {
    const call: scheduler.Call = {
      framework_id: { value: 'fw-1' },
      type: 'UPDATE_FRAMEWORK',
      update_framework: {
        framework_info: {
          user: 'root',
          name: 'shoal',
          id: { value: 'fw-1' },
          roles: ['shoal/a', 'shoal/b'],
        },
        suppressed_roles: ['shoal/b'],
      },
    };
    const frameworkInfo = hex(
      ld('0a', text('root')),
      ld('12', text('shoal')),
      ld('1a', frameworkId), // id = 3
      ld('62', text('shoal/a')),
      ld('62', text('shoal/b')),
    );
    expectBothWays(
      'mesos.v1.scheduler.Call',
      call,
      hex(
        ld('0a', frameworkId),
        '10 11', // type: UPDATE_FRAMEWORK (17)
        ld('9a01', ld('0a', frameworkInfo), ld('12', text('shoal/b'))), // update_framework = 19 -> tag 154
      ),
    );
  });
});

describe('protobuf wire format: scheduler events', () => {
  it('OFFERS with allocation_info, port ranges and a 64-bit unavailability start', () => {
    const resource = hex(
      ld('0a', text('ports')),
      '10 01', // type: RANGES (1)
      ld('22', ld('0a', '08', VARINT_31000, '10', VARINT_32000)), // ranges = 4 { range = 1 { begin = 1, end = 2 } }
      ld('5a', ld('0a', text('shoal/a'))), // allocation_info = 11
    );
    const offer = hex(
      ld('0a', ld('0a', text('o1'))), // id = 1
      ld('12', frameworkId), // framework_id = 2
      ld('1a', ld('0a', text('a1'))), // agent_id = 3
      ld('22', text('h1')), // hostname = 4
      ld('2a', resource), // resources = 5
      ld('4a', ld('0a', '08', VARINT_BIG_NANOS)), // unavailability = 9 { start = 1 { nanoseconds = 1 } }
      ld('52', ld('0a', text('shoal/a'))), // allocation_info = 10
    );
    expectBothWays(
      'mesos.v1.scheduler.Event',
      OFFERS_EVENT,
      hex('08 02', ld('1a', ld('0a', offer))),
    );
  });

  it('UPDATE with uuid bytes', () => {
    const event: scheduler.Event = {
      type: 'UPDATE',
      update: {
        status: {
          task_id: { value: 't1' },
          state: 'TASK_RUNNING',
          agent_id: { value: 'a1' },
          timestamp: 1_700_000_000.25,
          source: 'SOURCE_EXECUTOR',
          uuid: bytes(UUID),
        },
      },
    };
    const status = hex(
      ld('0a', ld('0a', text('t1'))), // task_id = 1
      '10 01', // state = 2: TASK_RUNNING (1)
      ld('2a', ld('0a', text('a1'))), // agent_id = 5
      `31${DOUBLE_1700000000_25}`, // timestamp = 6, fixed64
      '48 02', // source = 9: SOURCE_EXECUTOR (2)
      ld('5a', UUID), // uuid = 11
    );
    expectBothWays('mesos.v1.scheduler.Event', event, hex('08 04', ld('2a', ld('0a', status))));
  });

  it('SUBSCRIBED and HEARTBEAT', () => {
    expectBothWays(
      'mesos.v1.scheduler.Event',
      {
        type: 'SUBSCRIBED',
        subscribed: { framework_id: { value: 'fw-1' }, heartbeat_interval_seconds: 5 },
      },
      hex('08 01', ld('12', ld('0a', frameworkId), '11', DOUBLE_5)),
    );
    expectBothWays('mesos.v1.scheduler.Event', { type: 'HEARTBEAT' }, '0808');
  });
});

describe('protobuf wire format: operator API', () => {
  it('Call UPDATE_QUOTA with guarantee and limit maps', () => {
    const call: master.Call = {
      type: 'UPDATE_QUOTA',
      update_quota: {
        force: true,
        quota_configs: [
          { role: 'shoal/a', guarantees: { cpus: { value: 4 } }, limits: { cpus: { value: 8 } } },
        ],
      },
    };
    // A map entry is a nested message { key = 1, value = 2 }.
    const config = hex(
      ld('0a', text('shoal/a')),
      ld('12', ld('0a', text('cpus')), ld('12', '09', DOUBLE_4)), // guarantees = 2
      ld('1a', ld('0a', text('cpus')), ld('12', '09', DOUBLE_8)), // limits = 3
    );
    expectBothWays(
      'mesos.v1.master.Call',
      call,
      hex(
        '08 24', // type = 1: UPDATE_QUOTA (36)
        ld('a201', '08 01', ld('12', config)), // update_quota = 20 { force = 1, quota_configs = 2 }
      ),
    );
  });

  it('Call DRAIN_AGENT with a google.protobuf.Duration', () => {
    const call: master.Call = {
      type: 'DRAIN_AGENT',
      drain_agent: {
        agent_id: { value: 'a1' },
        max_grace_period: { seconds: 60n },
        mark_gone: true,
      },
    };
    expectBothWays(
      'mesos.v1.master.Call',
      call,
      hex(
        '08 25', // type: DRAIN_AGENT (37)
        ld('aa01', ld('0a', ld('0a', text('a1'))), ld('12', '08 3c'), '18 01'), // drain_agent = 21
      ),
    );
  });

  it('Response GET_AGENTS', () => {
    const response: master.Response = {
      type: 'GET_AGENTS',
      get_agents: {
        agents: [
          {
            agent_info: { hostname: 'agent1', id: { value: 'a1' } },
            active: true,
            version: '1.11.0',
            registered_time: { nanoseconds: BIG_NANOS },
          },
        ],
      },
    };
    const agent = hex(
      ld('0a', ld('0a', text('agent1')), ld('32', ld('0a', text('a1')))), // agent_info = 1 { hostname = 1, id = 6 }
      '10 01', // active = 2
      ld('1a', text('1.11.0')), // version = 3
      ld('2a', '08', VARINT_BIG_NANOS), // registered_time = 5
    );
    expectBothWays(
      'mesos.v1.master.Response',
      response,
      hex(
        '08 09', // type: GET_AGENTS (9)
        ld('52', ld('0a', agent)), // get_agents = 10 { agents = 1 }
      ),
    );
  });
});

describe('protobuf codec edge cases', () => {
  it('keeps the full uint64 range and negative int64 values', () => {
    expectBothWays(
      'mesos.v1.Value.Range',
      { begin: 0n, end: 2n ** 64n - 1n },
      hex('08 00', '10', 'ffffffffffffffffff01'),
    );
    expectBothWays('mesos.v1.TimeInfo', { nanoseconds: -5n }, hex('08', 'fbffffffffffffffff01'));
  });

  it('drops an enum number it does not know, as proto2 does', () => {
    // Event.type = 99 (unknown), then HEARTBEAT-less body.
    expect(decodeMessage('mesos.v1.scheduler.Event', bytes('0863'), 'protobuf')).toEqual({});
  });

  it('reports a missing required field on decode as a MesosCodecError with the cause kept', () => {
    // Call { subscribe = 3 { } }: framework_info is required.
    const error = captureError(() =>
      decodeMessage('mesos.v1.scheduler.Call', bytes(hex('10 01', ld('1a'))), 'protobuf'),
    );
    expect(error).toBeInstanceOf(MesosCodecError);
    expect(error.code).toBe('MESOS_CODEC');
    expect(error.cause).toBeInstanceOf(Error);
  });

  it('rejects truncated input', () => {
    const error = captureError(() =>
      decodeMessage('mesos.v1.scheduler.Event', bytes('1a05'), 'protobuf'),
    );
    expect(error).toBeInstanceOf(MesosCodecError);
    expect(error.cause).toBeDefined();
  });

  it('refuses to encode a message with required fields unset or wrongly typed values', () => {
    const missing = captureError(() =>
      encodeMessage(
        'mesos.v1.scheduler.Call',
        { type: 'ACKNOWLEDGE', acknowledge: { uuid: bytes(UUID) } } as never,
        'protobuf',
      ),
    );
    expect(missing.message).toContain(
      'Missing required fields: acknowledge.agent_id, acknowledge.task_id',
    );
    const wrongType = captureError(() =>
      encodeMessage('mesos.v1.TimeInfo', { nanoseconds: 5 } as never, 'protobuf'),
    );
    expect(wrongType.message).toContain('nanoseconds: expected a bigint');
    const badEnum = captureError(() =>
      encodeMessage('mesos.v1.scheduler.Call', { type: 'NOPE' } as never, 'protobuf'),
    );
    expect(badEnum.message).toContain("'NOPE' is not a value of enum mesos.v1.scheduler.Call.Type");
  });

  it('names the element of a repeated field where a value is wrong or missing', () => {
    const task = ACCEPT_DOCKER_LAUNCH.accept!.operations![0]!.launch!.task_infos![0]!;
    const withTasks = (...tasks: unknown[]) => ({
      ...ACCEPT_DOCKER_LAUNCH,
      accept: {
        ...ACCEPT_DOCKER_LAUNCH.accept,
        operations: [{ type: 'LAUNCH', launch: { task_infos: tasks } }],
      },
    });
    const wrong = captureError(() =>
      encodeMessage(
        'mesos.v1.scheduler.Call',
        withTasks(task, {
          ...task,
          resources: [
            { name: 'cpus', type: 'SCALAR', scalar: { value: 1 } },
            { name: 'mem', type: 'SCALAR', scalar: { value: '64' } },
          ],
        }) as never,
        'protobuf',
      ),
    );
    expect(wrong.message).toContain(
      'accept.operations[0].launch.task_infos[1].resources[1].scalar.value: expected a number, got string',
    );
    const missing = captureError(() =>
      encodeMessage(
        'mesos.v1.scheduler.Call',
        withTasks({ ...task, name: undefined }, task, { ...task, task_id: undefined }) as never,
        'json',
      ),
    );
    expect(missing.message).toContain(
      'Missing required fields: accept.operations[0].launch.task_infos[0].name, accept.operations[0].launch.task_infos[2].task_id',
    );
  });
});

function captureError(fn: () => unknown): MesosCodecError {
  try {
    fn();
  } catch (error) {
    return error as MesosCodecError;
  }
  throw new Error('expected an error');
}
