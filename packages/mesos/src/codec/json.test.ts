import { describe, expect, it } from 'vitest';
import { decodeMessage, encodeMessage, formatFromContentType, MesosCodecError } from '../index';
import type { master, MessageName, MessageOf, scheduler } from '../index';
import { ACCEPT_DOCKER_LAUNCH, OFFERS_EVENT } from '../test-support/messages';

// Expected JSON is written by hand in Mesos's mapping: proto field names,
// enum names, base64 bytes, maps as objects, 64-bit integers as bare numbers.
// Keys follow the field order of our .proto files.

const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);
const fromUtf8 = (b: Uint8Array): string => new TextDecoder().decode(b);

function expectBothWays<N extends MessageName>(type: N, message: MessageOf<N>, json: string): void {
  expect(fromUtf8(encodeMessage(type, message, 'json'))).toBe(json);
  expect(decodeMessage(type, utf8(json), 'json')).toEqual(message);
}

function decodeError(type: MessageName, json: string): MesosCodecError {
  try {
    decodeMessage(type, utf8(json), 'json');
  } catch (error) {
    return error as MesosCodecError;
  }
  throw new Error('expected decoding to fail');
}

describe('Mesos JSON mapping', () => {
  it('SUBSCRIBE call, with a map of messages', () => {
    const call: scheduler.Call = {
      type: 'SUBSCRIBE',
      subscribe: {
        framework_info: {
          user: 'root',
          name: 'shoal',
          roles: ['shoal/a'],
          capabilities: [{ type: 'MULTI_ROLE' }],
          offer_filters: {
            'shoal/a': {
              min_allocatable_resources: {
                quantities: [{ quantities: { cpus: { value: 0.001 }, mem: { value: 1 } } }],
              },
            },
          },
        },
      },
    };
    expectBothWays(
      'mesos.v1.scheduler.Call',
      call,
      '{"type":"SUBSCRIBE","subscribe":{"framework_info":{"user":"root","name":"shoal","roles":["shoal/a"],"capabilities":[{"type":"MULTI_ROLE"}],"offer_filters":{"shoal/a":{"min_allocatable_resources":{"quantities":[{"quantities":{"cpus":{"value":0.001},"mem":{"value":1}}}]}}}}}}',
    );
  });

  it('ACCEPT with a DOCKER launch', () => {
    expectBothWays(
      'mesos.v1.scheduler.Call',
      ACCEPT_DOCKER_LAUNCH,
      '{"framework_id":{"value":"fw-1"},"type":"ACCEPT","accept":{"offer_ids":[{"value":"o1"}],"operations":[{"type":"LAUNCH","launch":{"task_infos":[{"name":"web","task_id":{"value":"t1"},"agent_id":{"value":"a1"},"resources":[{"name":"cpus","type":"SCALAR","scalar":{"value":0.5}}],"command":{"shell":false},"container":{"type":"DOCKER","docker":{"image":"nginx","network":"BRIDGE","port_mappings":[{"host_port":31000,"container_port":80,"protocol":"tcp"}]}}}]}}],"filters":{"refuse_seconds":5}}}',
    );
  });

  it('REVIVE, SUPPRESS, DECLINE, ACKNOWLEDGE, RECONCILE and UPDATE_FRAMEWORK calls', () => {
    const fw = '"framework_id":{"value":"fw-1"}';
    expectBothWays(
      'mesos.v1.scheduler.Call',
      { framework_id: { value: 'fw-1' }, type: 'REVIVE', revive: { roles: ['shoal/a'] } },
      `{${fw},"type":"REVIVE","revive":{"roles":["shoal/a"]}}`,
    );
    expectBothWays(
      'mesos.v1.scheduler.Call',
      { framework_id: { value: 'fw-1' }, type: 'SUPPRESS', suppress: { roles: ['shoal/a'] } },
      `{${fw},"type":"SUPPRESS","suppress":{"roles":["shoal/a"]}}`,
    );
    expectBothWays(
      'mesos.v1.scheduler.Call',
      {
        framework_id: { value: 'fw-1' },
        type: 'DECLINE',
        decline: { offer_ids: [{ value: 'o1' }], filters: { refuse_seconds: 3600 } },
      },
      `{${fw},"type":"DECLINE","decline":{"offer_ids":[{"value":"o1"}],"filters":{"refuse_seconds":3600}}}`,
    );
    expectBothWays(
      'mesos.v1.scheduler.Call',
      {
        framework_id: { value: 'fw-1' },
        type: 'ACKNOWLEDGE',
        acknowledge: {
          agent_id: { value: 'a1' },
          task_id: { value: 't1' },
          uuid: new Uint8Array([0xfb, 0xff, 0x00, 0x01]),
        },
      },
      `{${fw},"type":"ACKNOWLEDGE","acknowledge":{"agent_id":{"value":"a1"},"task_id":{"value":"t1"},"uuid":"+/8AAQ=="}}`,
    );
    expectBothWays(
      'mesos.v1.scheduler.Call',
      {
        framework_id: { value: 'fw-1' },
        type: 'RECONCILE',
        reconcile: { tasks: [{ task_id: { value: 't1' } }] },
      },
      `{${fw},"type":"RECONCILE","reconcile":{"tasks":[{"task_id":{"value":"t1"}}]}}`,
    );
    expectBothWays(
      'mesos.v1.scheduler.Call',
      {
        framework_id: { value: 'fw-1' },
        type: 'UPDATE_FRAMEWORK',
        update_framework: {
          framework_info: { user: 'root', name: 'shoal', roles: ['shoal/a'] },
          suppressed_roles: ['shoal/a'],
        },
      },
      `{${fw},"type":"UPDATE_FRAMEWORK","update_framework":{"framework_info":{"user":"root","name":"shoal","roles":["shoal/a"]},"suppressed_roles":["shoal/a"]}}`,
    );
  });

  it('OFFERS event with allocation_info, ranges and nanoseconds beyond 2^53', () => {
    expectBothWays(
      'mesos.v1.scheduler.Event',
      OFFERS_EVENT,
      '{"type":"OFFERS","offers":{"offers":[{"id":{"value":"o1"},"framework_id":{"value":"fw-1"},"agent_id":{"value":"a1"},"hostname":"h1","resources":[{"name":"ports","type":"RANGES","ranges":{"range":[{"begin":31000,"end":32000}]},"allocation_info":{"role":"shoal/a"}}],"unavailability":{"start":{"nanoseconds":1700000000123456789}},"allocation_info":{"role":"shoal/a"}}]}}',
    );
    expectBothWays(
      'mesos.v1.Value.Range',
      { begin: 0n, end: 18446744073709551615n },
      '{"begin":0,"end":18446744073709551615}',
    );
  });

  it('UPDATE event with base64 uuid', () => {
    const uuid = new Uint8Array([
      0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef, 0xfe, 0xdc, 0xba, 0x98, 0x76, 0x54, 0x32,
      0x10,
    ]);
    expectBothWays(
      'mesos.v1.scheduler.Event',
      {
        type: 'UPDATE',
        update: {
          status: {
            task_id: { value: 't1' },
            state: 'TASK_FAILED',
            reason: 'REASON_CONTAINER_LAUNCH_FAILED',
            uuid,
          },
        },
      },
      '{"type":"UPDATE","update":{"status":{"task_id":{"value":"t1"},"state":"TASK_FAILED","reason":"REASON_CONTAINER_LAUNCH_FAILED","uuid":"ASNFZ4mrze/+3LqYdlQyEA=="}}}',
    );
  });

  it('operator UPDATE_QUOTA with maps as objects and DRAIN_AGENT with {"seconds":N}', () => {
    const quota: master.Call = {
      type: 'UPDATE_QUOTA',
      update_quota: {
        quota_configs: [
          {
            role: 'shoal/a',
            guarantees: { cpus: { value: 4 } },
            limits: { cpus: { value: 8 }, mem: { value: 1024 } },
          },
        ],
      },
    };
    expectBothWays(
      'mesos.v1.master.Call',
      quota,
      '{"type":"UPDATE_QUOTA","update_quota":{"quota_configs":[{"role":"shoal/a","guarantees":{"cpus":{"value":4}},"limits":{"cpus":{"value":8},"mem":{"value":1024}}}]}}',
    );
    expectBothWays(
      'mesos.v1.master.Call',
      {
        type: 'DRAIN_AGENT',
        drain_agent: { agent_id: { value: 'a1' }, max_grace_period: { seconds: 600n } },
      },
      '{"type":"DRAIN_AGENT","drain_agent":{"agent_id":{"value":"a1"},"max_grace_period":{"seconds":600}}}',
    );
  });

  it('Response GET_AGENTS', () => {
    expectBothWays(
      'mesos.v1.master.Response',
      {
        type: 'GET_AGENTS',
        get_agents: {
          agents: [
            {
              agent_info: { hostname: 'agent1' },
              active: true,
              version: '1.11.0',
              registered_time: { nanoseconds: 1470000000000000001n },
            },
          ],
        },
      },
      '{"type":"GET_AGENTS","get_agents":{"agents":[{"agent_info":{"hostname":"agent1"},"active":true,"version":"1.11.0","registered_time":{"nanoseconds":1470000000000000001}}]}}',
    );
  });
});

describe('Mesos JSON parsing rules', () => {
  it('rejects an enum given as a number', () => {
    const error = decodeError('mesos.v1.scheduler.Call', '{"type":1}');
    expect(error).toBeInstanceOf(MesosCodecError);
    expect(error.message).toContain('type: enum Type must be given by name, got number 1');
  });

  it('reports every missing required field with its path', () => {
    const error = decodeError(
      'mesos.v1.scheduler.Call',
      '{"type":"SUBSCRIBE","subscribe":{"framework_info":{"roles":[]}}}',
    );
    expect(error.message).toContain(
      'Missing required fields: subscribe.framework_info.user, subscribe.framework_info.name',
    );
  });

  it('ignores unknown keys, camelCase ones included, and treats null as unset', () => {
    const decoded = decodeMessage(
      'mesos.v1.scheduler.Call',
      utf8(
        '{"frameworkId":{"value":"x"},"type":"TEARDOWN","accept":null,"future_field":[1,2,{"a":true}]}',
      ),
      'json',
    );
    expect(decoded).toEqual({ type: 'TEARDOWN' });
  });

  it('leaves an unknown name in an optional enum unset but rejects it in a required one', () => {
    expect(
      decodeMessage('mesos.v1.scheduler.Event', utf8('{"type":"SOMETHING_NEW"}'), 'json'),
    ).toEqual({});
    expect(
      decodeError('mesos.v1.TaskStatus', '{"task_id":{"value":"t"},"state":"TASK_FLYING"}').message,
    ).toContain("'TASK_FLYING' is not a value of enum mesos.v1.TaskState");
  });

  it('accepts 64-bit integers written as strings or with an exponent, and rejects fractions', () => {
    expect(
      decodeMessage('mesos.v1.TimeInfo', utf8('{"nanoseconds":"1700000000123456789"}'), 'json'),
    ).toEqual({
      nanoseconds: 1700000000123456789n,
    });
    expect(decodeMessage('mesos.v1.TimeInfo', utf8('{"nanoseconds":1e3}'), 'json')).toEqual({
      nanoseconds: 1000n,
    });
    expect(decodeError('mesos.v1.TimeInfo', '{"nanoseconds":1.5}').message).toContain(
      'not an integer',
    );
    expect(decodeError('mesos.v1.Value.Range', '{"begin":-1,"end":1}').message).toContain(
      'out of range for uint64',
    );
  });

  it('keeps multi-byte UTF-8 text intact', () => {
    expectBothWays(
      'mesos.v1.Label',
      { key: 'équipe', value: '团队 🚀' },
      '{"key":"équipe","value":"团队 🚀"}',
    );
  });

  it('rejects malformed JSON, invalid UTF-8, bad base64 and wrong value types', () => {
    expect(decodeError('mesos.v1.TaskID', '{"value":"a"').code).toBe('MESOS_CODEC');
    expect(decodeError('mesos.v1.TaskID', '{"value":"a"} x').message).toContain('trailing');
    const invalidUtf8 = (() => {
      try {
        decodeMessage('mesos.v1.TaskID', new Uint8Array([0x7b, 0xff, 0x7d]), 'json');
      } catch (error) {
        return error as MesosCodecError;
      }
      throw new Error('expected decoding to fail');
    })();
    expect(invalidUtf8.message).toContain('not valid UTF-8');
    expect(invalidUtf8.cause).toBeDefined();
    expect(decodeError('mesos.v1.UUID', '{"value":"not base64!"}').message).toContain(
      'invalid base64',
    );
    expect(decodeError('mesos.v1.TaskID', '{"value":5}').message).toContain(
      'value: expected a string',
    );
    expect(decodeError('mesos.v1.Labels', '{"labels":{"key":"a"}}').message).toContain(
      'expected an array',
    );
    expect(decodeError('mesos.v1.Filters', '[]').message).toContain('expected an object');
  });
});

describe('formatFromContentType', () => {
  it('recognises both Mesos media types, ignoring parameters and case', () => {
    expect(formatFromContentType('application/x-protobuf')).toBe('protobuf');
    expect(formatFromContentType('Application/JSON; charset=utf-8')).toBe('json');
    expect(formatFromContentType('text/plain')).toBeUndefined();
    expect(formatFromContentType(undefined)).toBeUndefined();
  });
});
