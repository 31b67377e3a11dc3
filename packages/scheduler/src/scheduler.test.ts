import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Offer, Resource, SchedulerClient, SchedulerStreamItem } from '@shoal/mesos';
import { parseConstraints, satisfiesConstraints } from './constraints';
import { MesosFramework } from './framework';
import type { FrameworkListener } from './framework-contract';
import { OfferCapacity } from './offer-capacity';
import { place } from './placement';
import { buildTaskInfo } from './task-info';
import type { AgentFacts, TaskRequest } from './types';

const role = 'shoal-acme';
const scalar = (name: string, value: number, extra: Partial<Resource> = {}): Resource => ({
  name,
  type: 'SCALAR',
  scalar: { value },
  allocation_info: { role },
  ...extra,
});
const ports = (begin: number, end: number): Resource => ({
  name: 'ports',
  type: 'RANGES',
  ranges: { range: [{ begin: BigInt(begin), end: BigInt(end) }] },
  allocation_info: { role },
});

function offer(id: string, agent: string, resources: Resource[], offerRole = role): Offer {
  return {
    id: { value: id },
    framework_id: { value: 'fw' },
    agent_id: { value: agent },
    hostname: `${agent}.example`,
    resources,
    allocation_info: { role: offerRole },
  };
}

function request(overrides: Partial<TaskRequest> = {}): TaskRequest {
  return {
    taskId: 't1',
    name: 'web',
    role,
    cpus: 1,
    memMb: 128,
    diskMb: 0,
    gpus: 0,
    bestEffort: false,
    ports: [],
    constraints: [],
    groupKey: 'g',
    container: { image: 'nginx', networkMode: 'bridge', env: [], labels: {} },
    ...overrides,
  };
}

const agent = (id: string, attributes: Record<string, string> = {}): AgentFacts => ({
  agentId: id,
  hostname: `${id}.example`,
  attributes,
});

describe('constraints', () => {
  it('parses Marathon-style entries and rejects malformed ones with the reason', () => {
    expect(parseConstraints('hostname:UNIQUE, rack:CLUSTER:r1,zone:MAX_PER:2')).toEqual([
      { field: 'hostname', operator: 'UNIQUE' },
      { field: 'rack', operator: 'CLUSTER', value: 'r1' },
      { field: 'zone', operator: 'MAX_PER', value: '2' },
    ]);
    expect(() => parseConstraints('hostname:SOMETIMES')).toThrow(/OPERATOR one of UNIQUE/);
    expect(() => parseConstraints('hostname:LIKE')).toThrow(/needs a value/);
  });

  it('refuses patterns whose program would cost every tenant time: long, much repeated, or many', () => {
    expect(() => parseConstraints('hostname:UNLIKE:(.?){999}\\b\\B')).toThrow(
      /the pattern repeats its parts more than 100 times/,
    );
    expect(() => parseConstraints('hostname:LIKE:((a{11}){11})')).toThrow(/more than 100 times/);
    expect(() => parseConstraints(`hostname:LIKE:${'a'.repeat(257)}`)).toThrow(
      /longer than 256 characters/,
    );
    const many = Array.from({ length: 17 }, (_, i) => `hostname:UNLIKE:x${i}`).join(',');
    expect(() => parseConstraints(many)).toThrow(/17 LIKE\/UNLIKE patterns: at most 16/);
    // What operators write holds.
    expect(parseConstraints('hostname:LIKE:agent-\\d{4}\\.sim\\.local')).toHaveLength(1);
  });

  it('applies UNIQUE, CLUSTER, LIKE/UNLIKE and MAX_PER against the group’s peers', () => {
    const a = agent('a', { rack: 'r1' });
    const b = agent('b', { rack: 'r2' });
    expect(satisfiesConstraints([{ field: 'hostname', operator: 'UNIQUE' }], a, [a])).toBe(false);
    expect(satisfiesConstraints([{ field: 'hostname', operator: 'UNIQUE' }], b, [a])).toBe(true);
    expect(satisfiesConstraints([{ field: 'rack', operator: 'CLUSTER' }], b, [a])).toBe(false);
    expect(satisfiesConstraints([{ field: 'rack', operator: 'CLUSTER', value: 'r2' }], b, [])).toBe(
      true,
    );
    expect(
      satisfiesConstraints([{ field: 'hostname', operator: 'LIKE', value: 'a\\..*' }], a, []),
    ).toBe(true);
    expect(
      satisfiesConstraints([{ field: 'hostname', operator: 'UNLIKE', value: 'a\\..*' }], a, []),
    ).toBe(false);
    expect(
      satisfiesConstraints([{ field: 'rack', operator: 'MAX_PER', value: '2' }], a, [a, b]),
    ).toBe(true);
    expect(
      satisfiesConstraints([{ field: 'rack', operator: 'MAX_PER', value: '2' }], a, [a, a]),
    ).toBe(false);
    expect(satisfiesConstraints([{ field: 'zone', operator: 'CLUSTER', value: 'z' }], a, [])).toBe(
      false,
    );
  });

  it('matches LIKE/UNLIKE patterns against the whole value, as Marathon does', () => {
    const [like] = parseConstraints('hostname:LIKE:a|a\\.example');
    expect(satisfiesConstraints([like!], agent('a'), [])).toBe(true);
    expect(satisfiesConstraints([like!], agent('xa'), [])).toBe(false);
    const [unlike] = parseConstraints('rack:UNLIKE:r[0-9]');
    expect(satisfiesConstraints([unlike!], agent('a', { rack: 'r1' }), [])).toBe(false);
    expect(satisfiesConstraints([unlike!], agent('a', { rack: 'r10' }), [])).toBe(true);
  });

  it('answers a catastrophic-backtracking pattern at once, from parsed or stored constraints', () => {
    // (a+)+$ on "aaa…ab" takes a backtracking engine 2^40 steps: the leader would hang.
    const parsed = parseConstraints('rack:LIKE:(a+)+$,zone:UNLIKE:(a|a)+$');
    const stored = JSON.parse(JSON.stringify(parsed)) as typeof parsed;
    expect(stored).toEqual([
      { field: 'rack', operator: 'LIKE', value: '(a+)+$' },
      { field: 'zone', operator: 'UNLIKE', value: '(a|a)+$' },
    ]);
    const evil = `${'a'.repeat(40)}b`;
    for (const constraints of [parsed, stored]) {
      expect(satisfiesConstraints(constraints, agent('x', { rack: evil, zone: 'z' }), [])).toBe(
        false,
      );
      expect(satisfiesConstraints(constraints, agent('x', { rack: 'aaaa', zone: evil }), [])).toBe(
        true,
      );
      expect(
        satisfiesConstraints(constraints, agent('x', { rack: 'aaaa', zone: 'aaaa' }), []),
      ).toBe(false);
    }
  });

  it('refuses a LIKE/UNLIKE pattern that is invalid or needs backtracking, naming it and why', () => {
    expect(() => parseConstraints('rack:LIKE:r[0-9')).toThrow(
      /^Placement constraint "rack:LIKE:r\[0-9": the pattern "r\[0-9" is not a valid regular expression \(missing closing \]/,
    );
    expect(() => parseConstraints('rack:UNLIKE:(r)\\1')).toThrow(
      /the pattern "\(r\)\\1" is not a valid regular expression \(invalid escape sequence/,
    );
    expect(() => parseConstraints('rack:LIKE:r(?=1)')).toThrow(
      /the pattern "r\(\?=1\)" is not a valid regular expression \(invalid or unsupported Perl syntax/,
    );
    expect(() => parseConstraints('rack:LIKE:r(?=1)')).toThrow(/no backreferences or lookaround/);
  });
});

describe('taking resources from an offer', () => {
  it('takes only what the task needs, keeping allocation_info, and returns nothing when it does not fit', () => {
    const capacity = new OfferCapacity(
      offer('o1', 'a', [scalar('cpus', 4), scalar('mem', 1024), ports(31000, 31002)]),
    );
    const taken = capacity.take(
      { cpus: 1.5, memMb: 256, diskMb: 0, gpus: 0 },
      [{ containerPort: 80, protocol: 'tcp' }],
      false,
    );
    expect(taken?.resources).toEqual([
      scalar('cpus', 1.5),
      scalar('mem', 256),
      { ...ports(31000, 31000) },
    ]);
    expect(taken?.ports).toEqual([{ containerPort: 80, hostPort: 31000, protocol: 'tcp' }]);
    expect(capacity.scalar('cpus')).toBeCloseTo(2.5);
    expect(capacity.take({ cpus: 3, memMb: 1, diskMb: 0, gpus: 0 }, [], false)).toBeUndefined();
    expect(capacity.scalar('cpus')).toBeCloseTo(2.5);
  });

  it('honours fixed host ports and refuses one outside the offered ranges', () => {
    const capacity = new OfferCapacity(
      offer('o1', 'a', [scalar('cpus', 4), scalar('mem', 1024), ports(31000, 31010)]),
    );
    expect(
      capacity.take(
        { cpus: 1, memMb: 1, diskMb: 0, gpus: 0 },
        [{ containerPort: 80, protocol: 'tcp', hostPort: 31005 }],
        false,
      )?.ports[0]?.hostPort,
    ).toBe(31005);
    expect(
      capacity.take(
        { cpus: 1, memMb: 1, diskMb: 0, gpus: 0 },
        [{ containerPort: 80, protocol: 'tcp', hostPort: 31005 }],
        false,
      ),
    ).toBeUndefined();
    expect(
      capacity.take(
        { cpus: 1, memMb: 1, diskMb: 0, gpus: 0 },
        [{ containerPort: 80, protocol: 'tcp', hostPort: 8080 }],
        false,
      ),
    ).toBeUndefined();
  });

  it('gives best-effort tasks revocable cpus and memory only, and others never', () => {
    const capacity = new OfferCapacity(
      offer('o1', 'a', [
        scalar('cpus', 1),
        scalar('mem', 512),
        scalar('cpus', 4, { revocable: {} }),
        scalar('mem', 4096, { revocable: {} }),
      ]),
    );
    expect(capacity.take({ cpus: 2, memMb: 128, diskMb: 0, gpus: 0 }, [], false)).toBeUndefined();
    const bestEffort = capacity.take({ cpus: 2, memMb: 128, diskMb: 0, gpus: 0 }, [], true);
    expect(bestEffort?.resources.every((r) => r.revocable)).toBe(true);
  });
});

describe('placement', () => {
  const context = (tasks: Record<string, number> = {}) => ({
    agents: new Map([
      ['a', agent('a')],
      ['b', agent('b')],
    ]),
    peers: () => [],
    tasksOn: (id: string) => tasks[id] ?? 0,
    draining: (id: string) => id === 'drained',
  });
  const offers = () => [
    new OfferCapacity(offer('oa', 'a', [scalar('cpus', 2), scalar('mem', 1024)])),
    new OfferCapacity(offer('ob', 'b', [scalar('cpus', 8), scalar('mem', 1024)])),
  ];

  it('spreads onto the agent with the fewest of our tasks, bin-packs onto the fullest', () => {
    expect(
      place(request(), offers(), 'spread', context({ b: 3 }))?.capacity.offer.agent_id.value,
    ).toBe('a');
    expect(place(request(), offers(), 'spread', context())?.capacity.offer.agent_id.value).toBe(
      'b',
    );
    expect(place(request(), offers(), 'binpack', context())?.capacity.offer.agent_id.value).toBe(
      'a',
    );
  });

  it('never uses an offer of another role or of a draining agent', () => {
    const foreign = [
      new OfferCapacity(offer('o', 'a', [scalar('cpus', 8), scalar('mem', 1024)], 'shoal-other')),
    ];
    expect(place(request(), foreign, 'spread', context())).toBeUndefined();
    const draining = [
      new OfferCapacity(offer('o', 'drained', [scalar('cpus', 8), scalar('mem', 1024)])),
    ];
    expect(place(request(), draining, 'spread', context())).toBeUndefined();
  });
});

describe('TaskInfo for a Docker container', () => {
  it('maps Cmd to value+arguments without a shell, and the rest to Docker parameters', () => {
    const o = offer('o1', 'a', [scalar('cpus', 4), scalar('mem', 1024)]);
    const info = buildTaskInfo(
      request({
        container: {
          image: 'busybox',
          networkMode: 'bridge',
          cmd: ['sh', '-c', 'echo hi'],
          entrypoint: ['/init'],
          env: ['A=1', 'B=x=y'],
          labels: { team: 'blue' },
          workingDir: '/srv',
        },
      }),
      o,
      [scalar('cpus', 1)],
      [{ containerPort: 80, hostPort: 31000, protocol: 'tcp' }],
    );
    expect(info.command).toMatchObject({ shell: false, value: 'sh', arguments: ['-c', 'echo hi'] });
    expect(info.command?.environment?.variables).toEqual([
      { name: 'A', value: '1' },
      { name: 'B', value: 'x=y' },
    ]);
    expect(info.container?.type).toBe('DOCKER');
    expect(info.container?.docker).toMatchObject({
      image: 'busybox',
      network: 'BRIDGE',
      port_mappings: [{ host_port: 31000, container_port: 80, protocol: 'tcp' }],
      parameters: [
        { key: 'label', value: 'team=blue' },
        { key: 'entrypoint', value: '/init' },
        { key: 'workdir', value: '/srv' },
      ],
    });
  });
});

describe('TaskInfo for a multi-part entrypoint', () => {
  it('passes only the executable as --entrypoint and the rest, then Cmd, as arguments', () => {
    const o = offer('o1', 'a', [scalar('cpus', 4), scalar('mem', 1024)]);
    const info = buildTaskInfo(
      request({
        container: {
          image: 'busybox',
          networkMode: 'none',
          entrypoint: ['sh', '-c'],
          cmd: ['echo hi'],
          env: [],
          labels: {},
        },
      }),
      o,
      [scalar('cpus', 1)],
      [],
    );
    expect(info.container?.docker?.parameters).toEqual([{ key: 'entrypoint', value: 'sh' }]);
    expect(info.command).toMatchObject({ shell: false, value: '-c', arguments: ['echo hi'] });
  });
});

describe('TaskInfo for a container under the Mesos containerizer (ucr)', () => {
  const o = offer('o1', 'a', [scalar('cpus', 4), scalar('mem', 1024)]);

  it('names the Docker image, joins the CNI network with the port mappings, asks for a terminal', () => {
    const info = buildTaskInfo(
      request({
        container: {
          image: 'alpine:3.20',
          networkMode: 'bridge',
          cmd: ['sh', '-c', 'echo hi'],
          env: ['A=1'],
          labels: { team: 'blue' },
          user: 'nobody',
          hostname: 'web',
          runtime: 'ucr',
          tty: true,
          cniNetwork: 'mesos-bridge',
        },
      }),
      o,
      [scalar('cpus', 1)],
      [{ containerPort: 80, hostPort: 31000, protocol: 'tcp' }],
    );
    // Mesos's exec rules: value is the executable, arguments the whole argv.
    expect(info.command).toEqual({
      shell: false,
      value: 'sh',
      arguments: ['sh', '-c', 'echo hi'],
      environment: { variables: [{ name: 'A', value: '1' }] },
      user: 'nobody',
    });
    expect(info.container).toEqual({
      type: 'MESOS',
      hostname: 'web',
      mesos: { image: { type: 'DOCKER', docker: { name: 'alpine:3.20' } } },
      network_infos: [
        {
          name: 'mesos-bridge',
          port_mappings: [{ host_port: 31000, container_port: 80, protocol: 'tcp' }],
        },
      ],
      tty_info: {},
    });
    expect(info.labels?.labels).toEqual([
      { key: 'shoal.group', value: 'g' },
      { key: 'team', value: 'blue' },
    ]);
  });

  it("leaves the image's own command when Docker's Entrypoint and Cmd are unset, and the host network alone", () => {
    const info = buildTaskInfo(
      request({
        container: { image: 'nginx', networkMode: 'host', env: [], labels: {}, runtime: 'ucr' },
      }),
      o,
      [scalar('cpus', 1)],
      [],
    );
    expect(info.command).toEqual({ shell: false, environment: { variables: [] } });
    expect(info.container).toEqual({
      type: 'MESOS',
      mesos: { image: { type: 'DOCKER', docker: { name: 'nginx' } } },
    });
  });

  it('publishes its discovery names only when it has some', () => {
    const container = {
      image: 'nginx',
      networkMode: 'bridge' as const,
      env: [],
      labels: {},
      runtime: 'ucr' as const,
      cniNetwork: 'tenant-blue',
    };
    const named = buildTaskInfo(
      request({
        container: {
          ...container,
          discovery: { name: 'web', labels: [{ key: 'alias', value: 'www' }] },
        },
      }),
      o,
      [scalar('cpus', 1)],
      [],
    );
    expect(named.discovery).toEqual({
      visibility: 'FRAMEWORK',
      name: 'web',
      labels: { labels: [{ key: 'alias', value: 'www' }] },
    });
    expect(named.container?.network_infos).toEqual([{ name: 'tenant-blue', port_mappings: [] }]);
    const plain = buildTaskInfo(request({ container }), o, [scalar('cpus', 1)], []);
    expect(plain).not.toHaveProperty('discovery');
  });

  it('puts an Entrypoint before the Cmd in one argv', () => {
    const info = buildTaskInfo(
      request({
        container: {
          image: 'busybox',
          networkMode: 'host',
          entrypoint: ['/bin/sh', '-c'],
          cmd: ['echo hi'],
          env: [],
          labels: {},
          runtime: 'ucr',
        },
      }),
      o,
      [scalar('cpus', 1)],
      [],
    );
    expect(info.command).toMatchObject({
      value: '/bin/sh',
      arguments: ['/bin/sh', '-c', 'echo hi'],
    });
  });
});

describe('holding offers', () => {
  afterEach(() => vi.useRealTimers());

  /** A master that only streams what the test pushes and records declines. */
  function fakeMaster() {
    const items: SchedulerStreamItem[] = [];
    let wake: (() => void) | undefined;
    let closed = false;
    const declined: string[][] = [];
    const suppressed: string[][] = [];
    const revived: number[] = [];
    const idle = async () => undefined;
    const accepted: string[][] = [];
    const client = {
      frameworkId: { value: 'fw' },
      leader: 'http://master',
      subscribe: async () => ({
        frameworkId: { value: 'fw' },
        streamId: 's',
        close: async () => {
          closed = true;
          wake?.();
        },
        async *[Symbol.asyncIterator]() {
          while (!closed) {
            const item = items.shift();
            if (item) yield item;
            else await new Promise<void>((r) => (wake = r));
          }
        },
      }),
      decline: async (ids: { value: string }[]) => void declined.push(ids.map((i) => i.value)),
      revive: async () => void revived.push(Date.now()),
      suppress: async (roles: string[]) => void suppressed.push(roles),
      reconcile: idle,
      accept: async (ids: { value: string }[]) => void accepted.push(ids.map((i) => i.value)),
      acceptInverseOffers: idle,
      close: idle,
    } as unknown as SchedulerClient;
    const push = (item: unknown) => {
      items.push(item as SchedulerStreamItem);
      wake?.();
    };
    return { client, declined, accepted, suppressed, revived, push };
  }

  async function frameworkWaitingForOffers(
    client: SchedulerClient,
    listener: FrameworkListener = {},
    roles = [role],
  ) {
    const framework = new MesosFramework(
      client,
      {
        frameworkId: async () => undefined,
        saveFrameworkId: async () => undefined,
        recordLaunches: async (launches) => new Set(launches.map((l) => l.taskId)),
        recordStatuses: async () => undefined,
        liveTasks: async () => [],
      },
      {
        name: 'shoal',
        user: 'root',
        roles,
        failoverTimeoutSeconds: 60,
        offerHoldSeconds: 1.5,
        refuseSeconds: 5,
        strategy: 'spread',
        reconcileIntervalSeconds: 600,
      },
      listener,
    );
    await framework.start();
    return framework;
  }

  const offers = (...list: Offer[]) => ({ type: 'OFFERS', offers: { offers: list } });

  it('moves tasks off an agent in maintenance whether its offer or its inverse offer comes first', async () => {
    const { client, push } = fakeMaster();
    const draining: string[] = [];
    const framework = await frameworkWaitingForOffers(client, {
      onAgentDraining: (agentId) => draining.push(agentId),
    });
    push({ type: 'SUBSCRIBED', subscribed: { framework_id: { value: 'fw' } } });
    const unavailability = { start: { nanoseconds: 1n } };
    // The offer carrying the machine's unavailability arrives before the inverse offer.
    push(offers({ ...offer('o-a', 'a', [scalar('cpus', 1)]), unavailability }));
    push({
      type: 'INVERSE_OFFERS',
      inverse_offers: {
        inverse_offers: [
          {
            id: { value: 'i-a' },
            framework_id: { value: 'fw' },
            agent_id: { value: 'a' },
            unavailability,
          },
        ],
      },
    });
    await vi.waitFor(() => expect(framework.isDraining('a')).toBe(true));
    await vi.waitFor(() => expect(draining).toEqual(['a']));
    await framework.stop();
  });

  it('gives back all of a role’s offers together when one has been held too long', async () => {
    vi.useFakeTimers();
    const { client, declined, push } = fakeMaster();
    const framework = await frameworkWaitingForOffers(client);
    push({ type: 'SUBSCRIBED', subscribed: { framework_id: { value: 'fw' } } });
    framework.submit(request({ cpus: 0.5, memMb: 64 }));
    // Pieces of a quota limit's headroom that fit nothing, even together, received apart.
    push(offers(offer('cpus-only', 'a', [scalar('cpus', 1)])));
    await vi.advanceTimersByTimeAsync(1_200);
    push(offers(offer('some-mem', 'b', [scalar('cpus', 0.2), scalar('mem', 32)])));
    await vi.advanceTimersByTimeAsync(100);
    expect(framework.heldOffers()).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(700);
    // Declined one at a time, each piece would come back alone while the other is held.
    expect(declined).toEqual([['cpus-only', 'some-mem']]);
    expect(framework.heldOffers()).toEqual([]);
    await framework.stop();
  });

  it('suppresses a role only once it has had no work for a while, not between the tasks of a stream', async () => {
    vi.useFakeTimers();
    const { client, suppressed, push } = fakeMaster();
    const framework = await frameworkWaitingForOffers(client);
    push({ type: 'SUBSCRIBED', subscribed: { framework_id: { value: 'fw' } } });
    framework.submit(request({ taskId: 'first' }));
    push(offers(offer('o1', 'a', [scalar('cpus', 4), scalar('mem', 4096)])));
    await vi.advanceTimersByTimeAsync(100);
    // Its queue is empty, but the next task of the stream may come at any moment: a
    // suppressed role would have to REVIVE for it, and be offered every free agent again.
    expect(suppressed).toEqual([]);
    await vi.advanceTimersByTimeAsync(2_500);
    push(offers(offer('o2', 'b', [scalar('cpus', 4), scalar('mem', 4096)])));
    await vi.advanceTimersByTimeAsync(100);
    expect(suppressed).toEqual([[role]]);
    await framework.stop();
  });

  it('keeps a role’s offers between its bursts, but for its share once another role has none', async () => {
    vi.useFakeTimers();
    const other = 'shoal-globex';
    const { client, declined, push } = fakeMaster();
    const framework = await frameworkWaitingForOffers(client, {}, [role, other]);
    push({ type: 'SUBSCRIBED', subscribed: { framework_id: { value: 'fw' } } });
    framework.submit(request({ taskId: 'first' }));
    const whole = [scalar('cpus', 4), scalar('mem', 4096)];
    push(
      offers(...['a', 'b', 'c', 'd', 'e', 'f'].map((agent) => offer(`o-${agent}`, agent, whole))),
    );
    await vi.advanceTimersByTimeAsync(100);
    // One offer went to the launch; the queue is empty, and the next task may come at any
    // moment: the rest are kept, or the master would offer them again only to be declined.
    expect(declined).toEqual([]);
    expect(framework.heldOffers()).toHaveLength(5);
    // Another tenant gets work and holds nothing: the first keeps its share of the six
    // agents between two roles, three, and gives the other two back for it.
    framework.submit(request({ taskId: 'theirs', role: other }));
    await vi.advanceTimersByTimeAsync(100);
    expect(declined).toEqual([['o-b', 'o-c']]);
    expect(framework.heldOffers().map((h) => h.offer.id.value)).toEqual(['o-d', 'o-e', 'o-f']);
    // Once its burst is a while past, all go back.
    await vi.advanceTimersByTimeAsync(2_000);
    expect(declined.flat()).toEqual(['o-b', 'o-c', 'o-d', 'o-e', 'o-f']);
    await framework.stop();
  });

  it('revives again soon while its revives get tasks placed, and ever more rarely while they do not', async () => {
    vi.useFakeTimers();
    const { client, revived, push } = fakeMaster();
    const framework = await frameworkWaitingForOffers(client);
    push({ type: 'SUBSCRIBED', subscribed: { framework_id: { value: 'fw' } } });
    // Under a quota limit: the cpus of the headroom on one agent, alone, fit nothing.
    push(offers(offer('cpus-only', 'a', [scalar('cpus', 2)])));
    await vi.advanceTimersByTimeAsync(10);
    framework.submit(request({ taskId: 'first' }));
    await vi.advanceTimersByTimeAsync(10);
    expect(revived).toHaveLength(1);
    const whole = [scalar('cpus', 2), scalar('mem', 1024)];
    push(offers(offer('whole', 'b', whole)));
    await vi.advanceTimersByTimeAsync(10);
    // The next start comes at once, and the piece still fits nothing: it asks again as
    // soon as its spacing allows, not once the piece is given back seconds later.
    framework.submit(request({ taskId: 'second' }));
    await vi.advanceTimersByTimeAsync(150);
    expect(revived).toHaveLength(2);
    push(offers(offer('whole-again', 'c', whole)));
    await vi.advanceTimersByTimeAsync(10);
    // A task no offer will ever fit, each revive answered with an offer it does not fit:
    // the revives space out, 200 ms, 400 ms, ... 5 s, rather than come every 100 ms.
    const before = revived.length;
    framework.submit(request({ taskId: 'huge', cpus: 1_000 }));
    for (let ms = 0, answered = before; ms < 10_000; ms += 50) {
      if (revived.length > answered)
        push(offers(offer(`piece-${(answered = revived.length)}`, 'd', whole)));
      await vi.advanceTimersByTimeAsync(50);
    }
    expect(revived.length - before).toBeGreaterThanOrEqual(4);
    expect(revived.length - before).toBeLessThanOrEqual(7);
    await framework.stop();
  });

  it("places a task on one agent's offers together, cpus in one and ports in another", async () => {
    const { client, accepted, push } = fakeMaster();
    const framework = await frameworkWaitingForOffers(client);
    push({ type: 'SUBSCRIBED', subscribed: { framework_id: { value: 'fw' } } });
    framework.submit(
      request({ cpus: 0.5, memMb: 64, ports: [{ containerPort: 80, protocol: 'tcp' }] }),
    );
    // Under a quota limit an agent's headroom can come in one offer, its ports in another.
    push(offers(offer('ports-only', 'a', [ports(31000, 31010)])));
    await vi.waitFor(() => expect(framework.heldOffers()).toHaveLength(1));
    expect(accepted).toEqual([]);
    push(offers(offer('cpus-mem', 'a', [scalar('cpus', 1), scalar('mem', 256)])));
    await vi.waitFor(() => expect(accepted).toEqual([['ports-only', 'cpus-mem']]));
    expect(framework.heldOffers()).toEqual([]);
    await framework.stop();
  });

  it('gives back at once offers that fit a waiting task together but none alone', async () => {
    vi.useFakeTimers();
    const { client, declined, push } = fakeMaster();
    const framework = await frameworkWaitingForOffers(client);
    push({ type: 'SUBSCRIBED', subscribed: { framework_id: { value: 'fw' } } });
    framework.submit(request({ cpus: 0.5, memMb: 64 }));
    push(offers(offer('too-small', 'a', [scalar('cpus', 0.2), scalar('mem', 1024)])));
    await vi.advanceTimersByTimeAsync(100);
    // Alone it fits nothing and may still be of use: held.
    expect(declined).toEqual([]);
    push(
      offers(
        offer('mem-only', 'b', [scalar('mem', 128)]),
        offer('cpus-only', 'c', [scalar('cpus', 1)]),
      ),
    );
    await vi.advanceTimersByTimeAsync(100);
    expect(declined).toEqual([['too-small', 'mem-only', 'cpus-only']]);
    expect(framework.heldOffers()).toEqual([]);
    await framework.stop();
  });
});
