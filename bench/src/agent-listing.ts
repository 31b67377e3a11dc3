// Agent-listing benchmark: how long Shoal takes to decode a master's GET_AGENTS answer
// (protobuf), which it does on its event loop every few seconds, against the ceiling of
// protobufjs reading the same bytes with none of Shoal's checks and conversions. The
// leader decodes the agents a slice at a time; the benchmark also times that whole, and
// the longest the event loop waited while it ran (a probe that asks for every turn).
//
//   npm run -s agent-listing -w @shoal/bench -- [--agents 1000] [--rounds 200]
//
// Prints one JSON object.
import { setImmediate as nextTurn } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { request } from 'undici';
import {
  CONTENT_TYPES,
  decodeMessage,
  decodeMessageInSlices,
  encodeMessage,
  wireType,
} from '@shoal/mesos';
import { percentile, round, runBenchmark, startSim } from './support';

const { values } = parseArgs({
  options: {
    agents: { type: 'string', default: '1000' },
    rounds: { type: 'string', default: '200' },
  },
});
const agents = Number(values.agents);
const rounds = Number(values.rounds);
/** Rounds left out of the figures while the code warms up. */
const WARM_UP = 20;
const ratio = (a: number, b: number) => Math.round((a / b) * 100) / 100;

/** Decodes the listing as the leader does, a slice at a time; times it, and the longest wait of a probe on the event loop meanwhile. */
async function sliced(bytes: Uint8Array): Promise<{ totalMs: number; longestWaitMs: number }> {
  let longest = 0;
  let running = true;
  let last = performance.now();
  const probe = (async () => {
    while (running) {
      await nextTurn();
      const now = performance.now();
      longest = Math.max(longest, now - last);
      last = now;
    }
  })();
  const began = performance.now();
  const decoded = await decodeMessageInSlices('mesos.v1.master.Response', bytes, [
    'get_agents',
    'agents',
  ]);
  const totalMs = performance.now() - began;
  running = false;
  await probe;
  if (decoded.get_agents?.agents?.length !== agents)
    throw new Error('the sliced decode lost agents');
  return { totalMs, longestWaitMs: longest };
}

async function main(): Promise<void> {
  const sim = await startSim(['--agents', String(agents)]);
  try {
    const answer = await request(`${sim.masters[0]}/api/v1`, {
      method: 'POST',
      body: encodeMessage('mesos.v1.master.Call', { type: 'GET_AGENTS' }, 'protobuf'),
      headers: { 'content-type': CONTENT_TYPES.protobuf, accept: CONTENT_TYPES.protobuf },
    });
    const bytes = new Uint8Array(await answer.body.arrayBuffer());
    const wire = wireType('mesos.v1.master.Response');
    const shoal: number[] = [];
    const ceiling: number[] = [];
    const slicedTotal: number[] = [];
    const slicedWait: number[] = [];
    // Taken in turns, so that both see the machine as it is at the time.
    for (let i = 0; i < rounds + WARM_UP; i++) {
      let began = performance.now();
      const decoded = decodeMessage('mesos.v1.master.Response', bytes, 'protobuf');
      const ours = performance.now() - began;
      began = performance.now();
      wire.decode(bytes);
      const theirs = performance.now() - began;
      if (decoded.get_agents?.agents?.length !== agents)
        throw new Error(`the answer lists ${decoded.get_agents?.agents?.length} agents`);
      const inSlices = await sliced(bytes);
      if (i < WARM_UP) continue;
      shoal.push(ours);
      ceiling.push(theirs);
      slicedTotal.push(inSlices.totalMs);
      slicedWait.push(inSlices.longestWaitMs);
    }
    const figures = (ms: number[]) => {
      const sorted = [...ms].sort((a, b) => a - b);
      return {
        min: round(sorted[0]!),
        p50: round(percentile(sorted, 50)),
        p90: round(percentile(sorted, 90)),
      };
    };
    const ours = figures(shoal);
    const theirs = figures(ceiling);
    console.log(
      JSON.stringify(
        {
          benchmark: 'agent-listing',
          agents,
          answerBytes: bytes.length,
          rounds,
          decodeMs: ours,
          ceiling: { what: 'protobufjs decoding the same bytes alone', decodeMs: theirs },
          ratioToCeiling: { min: ratio(ours.min, theirs.min), p50: ratio(ours.p50, theirs.p50) },
          // As the leader decodes it: the whole, and the event loop's longest wait meanwhile.
          inSlices: { decodeMs: figures(slicedTotal), longestWaitMs: figures(slicedWait) },
        },
        null,
        2,
      ),
    );
  } finally {
    sim.stop();
  }
}

runBenchmark(main);
