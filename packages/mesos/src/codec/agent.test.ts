import { describe, expect, it } from 'vitest';
import { decodeMessage, encodeMessage } from '../index';
import type { agent, ContainerInfo, MessageName, MessageOf } from '../index';

// The agent API messages Shoal sends and reads, in both wire formats. Expected
// protobuf bytes are written by hand from Mesos's field numbers (agent.proto:
// Call.type = 1, launch_nested_container_session = 9, attach_container_input = 10,
// attach_container_output = 11, wait_container = 14, kill_container = 15;
// Call.Type LAUNCH_NESTED_CONTAINER_SESSION = 17, ATTACH_CONTAINER_INPUT = 18,
// ATTACH_CONTAINER_OUTPUT = 19, WAIT_CONTAINER = 23, KILL_CONTAINER = 24;
// Response.Type WAIT_CONTAINER = 15 in field wait_container = 16; ProcessIO
// type = 1, data = 2 {type = 1, data = 2}, control = 3 {type = 1, tty_info = 2,
// heartbeat = 3}; mesos.proto: ContainerID value = 1, parent = 2; ContainerInfo
// type = 1 (MESOS = 2), mesos = 5 {image = 1 {type = 1 (DOCKER = 2), docker = 3
// {name = 1}}}, tty_info = 10; TTYInfo window_size = 1 {rows = 1, columns = 2}).

const hex = (...parts: string[]): string => parts.join('').replace(/\s+/g, '');
const text = (s: string): string => Buffer.from(s, 'utf8').toString('hex');
function ld(tag: string, ...content: string[]): string {
  const body = hex(...content);
  const length = body.length / 2;
  if (length > 127) throw new Error('fixture helper only writes one-byte lengths');
  return hex(tag, length.toString(16).padStart(2, '0'), body);
}
const bytes = (h: string): Uint8Array => new Uint8Array(Buffer.from(h, 'hex'));
const toHex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);
const fromUtf8 = (b: Uint8Array): string => new TextDecoder().decode(b);

function expectProtobuf<N extends MessageName>(type: N, message: MessageOf<N>, h: string): void {
  expect(toHex(encodeMessage(type, message, 'protobuf'))).toBe(h);
  expect(decodeMessage(type, bytes(h), 'protobuf')).toEqual(message);
}

function expectJson<N extends MessageName>(type: N, message: MessageOf<N>, json: string): void {
  expect(fromUtf8(encodeMessage(type, message, 'json'))).toBe(json);
  expect(decodeMessage(type, utf8(json), 'json')).toEqual(message);
}

const NESTED = { value: 'exec-1', parent: { value: 'task-c' } };
// ContainerID { value = 1, parent = 2 { value = 1 } }
const NESTED_HEX = hex(ld('0a', text('exec-1')), ld('12', ld('0a', text('task-c'))));

describe('agent API calls on the wire', () => {
  it('LAUNCH_NESTED_CONTAINER_SESSION with a terminal', () => {
    const call: agent.Call = {
      type: 'LAUNCH_NESTED_CONTAINER_SESSION',
      launch_nested_container_session: {
        container_id: NESTED,
        command: { shell: false, value: 'sh', arguments: ['sh', '-c', 'exit 7'] },
        container: { type: 'MESOS', tty_info: { window_size: { rows: 24, columns: 80 } } },
      },
    };
    expectProtobuf(
      'mesos.v1.agent.Call',
      call,
      hex(
        '08 11', // type = 1: LAUNCH_NESTED_CONTAINER_SESSION (17)
        ld(
          '4a', // launch_nested_container_session = 9
          ld('0a', NESTED_HEX), // container_id = 1
          ld(
            '12', // command = 2
            ld('1a', text('sh')), // value = 3
            '30 00', // shell = 6: false
            ld('3a', text('sh')), // arguments = 7
            ld('3a', text('-c')),
            ld('3a', text('exit 7')),
          ),
          ld(
            '1a', // container = 3
            '08 02', // type = 1: MESOS (2)
            ld('52', ld('0a', '08 18', '10 50')), // tty_info = 10 { window_size = 1 { rows 24, columns 80 } }
          ),
        ),
      ),
    );
    expectJson(
      'mesos.v1.agent.Call',
      call,
      '{"type":"LAUNCH_NESTED_CONTAINER_SESSION","launch_nested_container_session":{"container_id":{"value":"exec-1","parent":{"value":"task-c"}},"command":{"shell":false,"value":"sh","arguments":["sh","-c","exit 7"]},"container":{"type":"MESOS","tty_info":{"window_size":{"rows":24,"columns":80}}}}}',
    );
  });

  it('ATTACH_CONTAINER_INPUT: the CONTAINER_ID record, then STDIN data and a window size', () => {
    const first: agent.Call = {
      type: 'ATTACH_CONTAINER_INPUT',
      attach_container_input: { type: 'CONTAINER_ID', container_id: NESTED },
    };
    expectProtobuf(
      'mesos.v1.agent.Call',
      first,
      hex('08 12', ld('52', '08 01', ld('12', NESTED_HEX))), // type 18; field 10 { type CONTAINER_ID, container_id = 2 }
    );
    const data: agent.Call = {
      type: 'ATTACH_CONTAINER_INPUT',
      attach_container_input: {
        type: 'PROCESS_IO',
        process_io: { type: 'DATA', data: { type: 'STDIN', data: utf8('a\n') } },
      },
    };
    expectProtobuf(
      'mesos.v1.agent.Call',
      data,
      hex(
        '08 12',
        ld('52', '08 02', ld('1a', '08 01', ld('12', '08 01', ld('12', text('a\n'))))), // process_io = 3 { DATA, data = 2 { STDIN, data } }
      ),
    );
    expectJson(
      'mesos.v1.agent.Call',
      data,
      '{"type":"ATTACH_CONTAINER_INPUT","attach_container_input":{"type":"PROCESS_IO","process_io":{"type":"DATA","data":{"type":"STDIN","data":"YQo="}}}}',
    );
    const resize: agent.Call = {
      type: 'ATTACH_CONTAINER_INPUT',
      attach_container_input: {
        type: 'PROCESS_IO',
        process_io: {
          type: 'CONTROL',
          control: { type: 'TTY_INFO', tty_info: { window_size: { rows: 40, columns: 120 } } },
        },
      },
    };
    expectProtobuf(
      'mesos.v1.agent.Call',
      resize,
      hex(
        '08 12',
        ld(
          '52',
          '08 02',
          ld('1a', '08 02', ld('1a', '08 01', ld('12', ld('0a', '08 28', '10 78')))),
        ), // CONTROL { TTY_INFO, tty_info = 2 { window_size } }
      ),
    );
  });

  it('ATTACH_CONTAINER_OUTPUT, WAIT_CONTAINER and KILL_CONTAINER', () => {
    expectProtobuf(
      'mesos.v1.agent.Call',
      { type: 'ATTACH_CONTAINER_OUTPUT', attach_container_output: { container_id: NESTED } },
      hex('08 13', ld('5a', ld('0a', NESTED_HEX))), // type 19; field 11
    );
    expectProtobuf(
      'mesos.v1.agent.Call',
      { type: 'WAIT_CONTAINER', wait_container: { container_id: NESTED } },
      hex('08 17', ld('72', ld('0a', NESTED_HEX))), // type 23; field 14
    );
    expectProtobuf(
      'mesos.v1.agent.Call',
      { type: 'KILL_CONTAINER', kill_container: { container_id: NESTED, signal: 15 } },
      hex('08 18', ld('7a', ld('0a', NESTED_HEX), '10 0f')), // type 24; field 15 { signal = 2 }
    );
  });
});

describe('agent API answers on the wire', () => {
  it('WAIT_CONTAINER carries the raw wait(2) status (exit 7 is 7 << 8)', () => {
    const response: agent.Response = {
      type: 'WAIT_CONTAINER',
      wait_container: { exit_status: 7 << 8 },
    };
    expectProtobuf('mesos.v1.agent.Response', response, hex('08 0f', ld('82 01', '08 80 0e')));
    expectJson(
      'mesos.v1.agent.Response',
      response,
      '{"type":"WAIT_CONTAINER","wait_container":{"exit_status":1792}}',
    );
  });

  it('ProcessIO: STDOUT data and a heartbeat', () => {
    expectProtobuf(
      'mesos.v1.agent.ProcessIO',
      { type: 'DATA', data: { type: 'STDOUT', data: utf8('hi\n') } },
      hex('08 01', ld('12', '08 02', ld('12', text('hi\n')))),
    );
    expectJson(
      'mesos.v1.agent.ProcessIO',
      {
        type: 'CONTROL',
        control: { type: 'HEARTBEAT', heartbeat: { interval: { nanoseconds: 30_000_000_000n } } },
      },
      '{"type":"CONTROL","control":{"type":"HEARTBEAT","heartbeat":{"interval":{"nanoseconds":30000000000}}}}',
    );
  });
});

describe('the ContainerInfo of a task under the Mesos containerizer', () => {
  it('type MESOS with a DOCKER image, a CNI network with port mappings, and a terminal', () => {
    const info: ContainerInfo = {
      type: 'MESOS',
      mesos: { image: { type: 'DOCKER', docker: { name: 'alpine' } } },
      network_infos: [
        { name: 'mesos-bridge', port_mappings: [{ host_port: 31000, container_port: 80 }] },
      ],
      tty_info: {},
    };
    expectProtobuf(
      'mesos.v1.ContainerInfo',
      info,
      hex(
        '08 02', // type = 1: MESOS
        ld('2a', ld('0a', '08 02', ld('1a', ld('0a', text('alpine'))))), // mesos = 5 { image = 1 { DOCKER, docker = 3 { name } } }
        ld('3a', ld('32', text('mesos-bridge')), ld('3a', '08 98f201', '10 50')), // network_infos = 7 { name = 6, port_mappings = 7 }
        '52 00', // tty_info = 10 {}
      ),
    );
    expectJson(
      'mesos.v1.ContainerInfo',
      info,
      '{"type":"MESOS","mesos":{"image":{"type":"DOCKER","docker":{"name":"alpine"}}},"network_infos":[{"name":"mesos-bridge","port_mappings":[{"host_port":31000,"container_port":80}]}],"tty_info":{}}',
    );
  });
});
