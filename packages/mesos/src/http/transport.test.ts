import { describe, expect, it } from 'vitest';
import { closeAfterEach } from '../test-support/cleanup';
import { startFakeMaster } from '../test-support/fake-master';
import { MasterTransport } from './transport';

const track = closeAfterEach();

/**
 * Sends `calls` posts at once to a master that answers none until all have arrived,
 * then answers them last to first; returns the answers and the connections used.
 */
async function sendHeld(calls: number, repeatable: boolean) {
  const held: (() => void)[] = [];
  const connections = new Set<number>();
  let release: () => void = () => undefined;
  const allArrived = new Promise<void>((resolve) => (release = resolve));
  const master = track(
    await startFakeMaster(async (request, response) => {
      connections.add(request.remotePort);
      held.push(() => response.writeHead(202).end(Buffer.from(request.body).reverse()));
      if (held.length === calls) release();
      await allArrived;
    }),
  );
  const transport = track(new MasterTransport({ masters: [master.url] }));
  const bodies = Array.from({ length: calls }, (_, i) => `call-${i}`);
  const answers = Promise.all(
    bodies.map(async (body) => {
      const response = await transport.post({
        path: '/api/v1/scheduler',
        body: Buffer.from(body),
        repeatable,
      });
      return Buffer.from(await transport.expectStatus(response, [202])).toString();
    }),
  );
  await allArrived;
  for (const answer of held.reverse()) answer();
  return {
    answers: await answers,
    expected: bodies.map((b) => [...b].reverse().join('')),
    connections: connections.size,
  };
}

describe('MasterTransport', () => {
  it('pipelines repeatable calls made at once on a few connections, each answered with its own reply', async () => {
    // They can only all arrive before any is answered if connections carry several each.
    const sent = await sendHeld(40, true);
    expect(sent.answers).toEqual(sent.expected);
    expect(sent.connections).toBeLessThanOrEqual(4);
  });

  it('gives each call that must not be sent twice a connection of its own', async () => {
    // Pipelined behind another, a call is sent again when the connection is lost first.
    const sent = await sendHeld(10, false);
    expect(sent.answers).toEqual(sent.expected);
    expect(sent.connections).toBe(10);
  });
});
