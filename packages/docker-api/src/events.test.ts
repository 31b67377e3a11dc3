import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, type TestApi } from './test-support/harness';

let t: TestApi;
beforeAll(async () => {
  t = await startTestApi();
});
afterAll(() => t.api.close());

/** Reads newline-delimited JSON from a streamed body until `count` messages arrived. */
async function readEvents(res: Response, count: number): Promise<Record<string, unknown>[]> {
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  let text = '';
  while (text.split('\n').filter(Boolean).length < count) {
    const { value, done } = await reader.read();
    if (done) break;
    text += decoder.decode(value);
  }
  await reader.cancel();
  return text
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

const filters = (f: object) => `filters=${encodeURIComponent(JSON.stringify(f))}`;

describe('GET /events', () => {
  it("streams the tenant's container events in Docker's shape, filtered", async () => {
    const res = await t.request(
      'GET',
      `/v1.50/events?${filters({ type: ['container'], event: ['start', 'die'] })}`,
    );
    expect(res.status).toBe(200);
    const other = await t.request('POST', '/containers/create?name=theirs', {
      token: 'globex-rw',
      body: { Image: 'nginx' },
    });
    expect(other.status).toBe(201);
    await t.request('POST', '/containers/create?name=ev', {
      body: { Image: 'busybox', Labels: { app: 'x' }, Cmd: ['sh', '-c', 'exit 4'] },
    });
    await t.request('POST', '/containers/ev/start');
    const [start, die] = await readEvents(res, 2);
    expect(start).toMatchObject({
      Type: 'container',
      Action: 'start',
      status: 'start',
      scope: 'local',
      Actor: {
        ID: expect.stringMatching(/^[0-9a-f]{64}$/),
        Attributes: { name: 'ev', image: 'busybox', app: 'x' },
      },
    });
    expect(die).toMatchObject({ Action: 'die', Actor: { Attributes: { exitCode: '4' } } });
    expect(Math.floor((die!.timeNano as number) / 1e9)).toBe(die!.time);
  });

  it('replays past events with since and ends at until', async () => {
    // Until a moment from now: an event of this millisecond is before it (until excludes
    // its own instant), and the answer ends as soon as that moment has passed.
    const now = Date.now() / 1000;
    const res = await t.request(
      'GET',
      `/events?since=${now - 60}&until=${now + 0.05}&${filters({ container: ['ev'] })}`,
    );
    const events = await readEvents(res, 10);
    expect(events.map((e) => e.Action)).toEqual(['create', 'start', 'die']);
  });

  it("takes a label filter on the events' own attributes only", async () => {
    const now = Date.now() / 1000;
    const replay = async (label: string) =>
      (
        await readEvents(
          await t.request(
            'GET',
            `/events?since=${now - 60}&until=${now}&${filters({ container: ['ev'], label: [label] })}`,
          ),
          10,
        )
      ).map((e) => e.Action);
    expect(await replay('app')).toEqual(['create', 'start', 'die']);
    expect(await replay('app=x')).toEqual(['create', 'start', 'die']);
    for (const label of ['constructor', 'toString', 'hasOwnProperty'])
      expect(await replay(label), label).toEqual([]);
  });

  it('refuses unknown filters', async () => {
    const res = await t.request('GET', `/events?${filters({ colour: ['red'] })}`);
    expect(res.status).toBe(400);
  });
});
