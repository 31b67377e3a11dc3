import { expect, it } from 'vitest';
import { ContainerEventBus } from '../events/event-bus';
import { ExecService } from './exec-service';
import type { ContainerSessions, ProcessSession, SessionCommand, TerminalSize } from './ports';
import type { ContainerView } from './types';

// The agent's session cannot be held half-started on demand, so this one is: started when
// the test says, noting the sizes it is given.
function heldSessions() {
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  const seen: { command?: SessionCommand; resized: TerminalSize[]; asked: boolean } = {
    resized: [],
    asked: false,
  };
  const session: ProcessSession = {
    output: (async function* () {})(),
    write: () => undefined,
    endInput: () => undefined,
    resize: (size) => void seen.resized.push(size),
    exitCode: () => Promise.resolve(0),
    close: () => undefined,
  };
  const sessions: ContainerSessions = {
    exec: async (_target, command) => {
      seen.command = command;
      seen.asked = true;
      await released;
      return session;
    },
    attach: () => Promise.reject(new Error('not used')),
    resize: () => Promise.resolve(),
  };
  return { sessions, seen, release };
}

const running = {
  id: 'c1',
  tenantId: 'tenant',
  name: 'web',
  image: 'alpine',
  state: 'running',
  spec: { runtime: 'ucr', labels: { tier: 'web' } },
} as unknown as ContainerView;
const target = { mesosTaskId: 't1', agentId: 'a1', agentEndpoint: '127.0.0.1:5051' };

function execService(sessions: ContainerSessions, events = new ContainerEventBus()) {
  const service = new ExecService(
    {
      located: () => Promise.resolve({ view: running, target }),
      get: () => Promise.resolve(running),
    },
    { record: () => Promise.resolve() },
    events,
  );
  service.sessions = sessions;
  return service;
}

const config = {
  cmd: ['sh'],
  env: [],
  tty: true,
  attachStdin: true,
  attachStdout: true,
  attachStderr: true,
  consoleSize: { rows: 24, columns: 80 },
};

it('gives the terminal a size asked for while its process was being started', async () => {
  const { sessions, seen, release } = heldSessions();
  const execs = execService(sessions);
  const exec = await execs.create('tenant', 'web', config, 'test');
  const started = execs.start('tenant', exec.id, {}, new AbortController().signal);
  await expect.poll(() => seen.asked).toBe(true);
  execs.resize('tenant', exec.id, { rows: 40, columns: 120 });
  release();
  await started;
  expect(seen.command?.size).toEqual({ rows: 24, columns: 80 });
  expect(seen.resized).toEqual([{ rows: 40, columns: 120 }]);
});

it('starts a terminal at a size asked for before the start, and resizes it once running', async () => {
  const { sessions, seen, release } = heldSessions();
  release();
  const execs = execService(sessions);
  const exec = await execs.create('tenant', 'web', config, 'test');
  execs.resize('tenant', exec.id, { rows: 30, columns: 100 });
  await execs.start('tenant', exec.id, {}, new AbortController().signal);
  expect(seen.command?.size).toEqual({ rows: 30, columns: 100 });
  expect(seen.resized).toEqual([]);
  execs.resize('tenant', exec.id, { rows: 50, columns: 132 });
  expect(seen.resized).toEqual([{ rows: 50, columns: 132 }]);
});

it('tells docker events of the process: its create and start with its command, and its end', async () => {
  const { sessions, release } = heldSessions();
  release();
  const events = new ContainerEventBus();
  const stop = new AbortController();
  const heard = events.subscribe('tenant', stop.signal);
  const execs = execService(sessions, events);
  const exec = await execs.create('tenant', 'web', { ...config, cmd: ['sh', '-c', 'ls'] }, 'test');
  const run = await execs.start('tenant', exec.id, {}, new AbortController().signal);
  for await (const chunk of run.output) void chunk;
  const seen = [];
  for await (const event of heard) {
    seen.push({ action: event.action, attributes: event.attributes });
    if (seen.length === 3) break;
  }
  stop.abort();
  const about = { name: 'web', image: 'alpine', tier: 'web', execID: exec.id };
  expect(seen).toEqual([
    { action: 'exec_create: sh -c ls', attributes: about },
    { action: 'exec_start: sh -c ls', attributes: about },
    { action: 'exec_die', attributes: { ...about, exitCode: '0' } },
  ]);
});
