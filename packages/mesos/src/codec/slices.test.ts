import { setImmediate as nextTurn } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { MesosCodecError } from '../errors';
import { decodeMessage, encodeMessage } from '../index';
import type { master } from '../index';
import { decodeNestedInSlices } from './slices';

const RESPONSE = 'mesos.v1.master.Response';

function agent(n: number): master.Response.GetAgents.Agent {
  return {
    agent_info: {
      hostname: `agent-${n}`,
      id: { value: `a${n}` },
      port: 5051,
      resources: [
        { name: 'cpus', type: 'SCALAR', scalar: { value: 4 } },
        { name: 'ports', type: 'RANGES', ranges: { range: [{ begin: 31000n, end: 32000n }] } },
      ],
      attributes: [{ name: 'rack', type: 'TEXT', text: { value: `r${n % 3}` } }],
    },
    active: n % 2 === 0,
    version: '1.11.0',
    registered_time: { nanoseconds: 1_700_000_000_000_000_000n + BigInt(n) },
    total_resources: [{ name: 'mem', type: 'SCALAR', scalar: { value: 8192 } }],
  };
}

function listing(count: number, recovered = 0): Uint8Array {
  return encodeMessage(
    RESPONSE,
    {
      type: 'GET_AGENTS',
      get_agents: {
        agents: Array.from({ length: count }, (_, i) => agent(i)),
        recovered_agents: Array.from({ length: recovered }, (_, i) => ({
          hostname: `old-${i}`,
          id: { value: `o${i}` },
        })),
      },
    },
    'protobuf',
  );
}

const whole = (bytes: Uint8Array) => decodeMessage(RESPONSE, bytes, 'protobuf').get_agents;
const sliced = (bytes: Uint8Array, sliceMs = 0) =>
  decodeNestedInSlices(RESPONSE, bytes, ['get_agents'], 'agents', sliceMs);

describe('decoding an agent listing in slices', () => {
  it('gives what decoding it whole gives', async () => {
    for (const bytes of [listing(5, 2), listing(1), listing(0, 1), listing(0)])
      expect(await sliced(bytes)).toEqual(whole(bytes));
  });

  it('merges an embedded message sent twice, as protobuf does', async () => {
    const twice = Buffer.concat([listing(2, 1), listing(3)]);
    const decoded = await sliced(twice);
    expect(decoded).toEqual(whole(twice));
    expect((decoded?.agents as unknown[]).length).toBe(5);
  });

  it('answers undefined when the answer holds no listing', async () => {
    const bytes = encodeMessage(RESPONSE, { type: 'GET_HEALTH' }, 'protobuf');
    expect(await sliced(bytes)).toBeUndefined();
  });

  it('lets the event loop run between slices', async () => {
    let turns = 0;
    let decoding = true;
    const counting = (async () => {
      while (decoding) {
        await nextTurn();
        turns++;
      }
    })();
    const bytes = listing(200);
    const started = turns;
    await sliced(bytes, 0);
    const during = turns - started;
    decoding = false;
    await counting;
    expect(during).toBeGreaterThanOrEqual(100);
  });

  it('refuses a cut-off answer with a codec error', async () => {
    const bytes = listing(3);
    await expect(sliced(bytes.subarray(0, bytes.length - 7))).rejects.toThrow(MesosCodecError);
  });
});
