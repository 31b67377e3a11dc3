import { setImmediate as nextTurn } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { MesosCodecError } from '../errors';
import { decodeMessage, decodeMessageInSlices, encodeMessage } from '../index';
import type { master } from '../index';

const RESPONSE = 'mesos.v1.master.Response';
const EVENT = 'mesos.v1.scheduler.Event';

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

const whole = (bytes: Uint8Array) => decodeMessage(RESPONSE, bytes, 'protobuf');
const sliced = (bytes: Uint8Array, sliceMs = 0) =>
  decodeMessageInSlices(RESPONSE, bytes, ['get_agents', 'agents'], sliceMs);

describe('decoding an agent listing in slices', () => {
  it('gives what decoding it whole gives', async () => {
    for (const bytes of [listing(5, 2), listing(1), listing(0, 1), listing(0)])
      expect(await sliced(bytes)).toEqual(whole(bytes));
  });

  it('merges an embedded message sent twice, as protobuf does', async () => {
    const twice = Buffer.concat([listing(2, 1), listing(3)]);
    const decoded = await sliced(twice);
    expect(decoded).toEqual(whole(twice));
    expect(decoded.get_agents?.agents).toHaveLength(5);
  });

  it('decodes a message without the field whole', async () => {
    const bytes = encodeMessage(
      RESPONSE,
      { type: 'GET_HEALTH', get_health: { healthy: true } },
      'protobuf',
    );
    expect(await sliced(bytes)).toEqual(whole(bytes));
  });

  it('decodes the offers of a scheduler OFFERS event the same way', async () => {
    const offers = Array.from({ length: 4 }, (_, n) => ({
      id: { value: `o${n}` },
      framework_id: { value: 'fw' },
      agent_id: { value: `a${n}` },
      hostname: `agent-${n}`,
      resources: agent(n).agent_info.resources,
    }));
    const bytes = encodeMessage(EVENT, { type: 'OFFERS', offers: { offers } }, 'protobuf');
    expect(await decodeMessageInSlices(EVENT, bytes, ['offers', 'offers'], 0)).toEqual(
      decodeMessage(EVENT, bytes, 'protobuf'),
    );
  });

  it('refuses a path through a field that is not an optional message', async () => {
    const bytes = encodeMessage(EVENT, { type: 'HEARTBEAT' }, 'protobuf');
    await expect(decodeMessageInSlices(EVENT, bytes, ['update', 'status'])).rejects.toThrow(
      MesosCodecError,
    );
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
