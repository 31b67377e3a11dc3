import { describe, expect, it } from 'vitest';
import { imageBaseName } from './images';
import { planTask } from './plan';
import { printf } from './shell-commands';
import type { Step } from './steps';
import { MAX_FILE_BYTES, Sandbox } from '../sandbox';

const base = { hostname: 'agent-0001.sim.local', env: { NAME: 'shoal' } };
const shell = (value: string) => planTask({ ...base, command: { value } });
const output = (steps: Step[], stream: 'stdout' | 'stderr' = 'stdout') =>
  steps
    .filter((s): s is Extract<Step, { kind: 'write' }> => s.kind === 'write' && s.stream === stream)
    .map((s) => s.text)
    .join('');
const last = (steps: Step[]) => steps[steps.length - 1];

describe('planTask', () => {
  it('runs echo, printf and exit codes like sh', () => {
    expect(output(shell('echo hello world'))).toBe('hello world\n');
    expect(output(shell('echo -n hi'))).toBe('hi');
    expect(output(shell("printf '%s-%s\\n' a b c"))).toBe('a-b\nc-\n');
    expect(last(shell('true'))).toEqual({ kind: 'exit', code: 0 });
    expect(last(shell('false'))).toEqual({ kind: 'exit', code: 1 });
    expect(last(shell('echo a; exit 7; echo b'))).toEqual({ kind: 'exit', code: 7 });
    expect(output(shell('echo a; exit 7; echo b'))).toBe('a\n');
  });

  it('honours && and || and $?', () => {
    expect(output(shell('false && echo no || echo yes'))).toBe('yes\n');
    expect(output(shell('false; echo $?'))).toBe('1\n');
    expect(output(shell('echo "hi $NAME" \'$NAME\''))).toBe('hi shoal $NAME\n');
  });

  it('writes redirected output to stderr and reports unknown commands', () => {
    const steps = shell('echo oops >&2; nosuch');
    expect(output(steps, 'stderr')).toBe('oops\nsh: 1: nosuch: not found\n');
    expect(last(steps)).toEqual({ kind: 'exit', code: 127 });
  });

  it('sleeps, serves forever and prints the hostname', () => {
    expect(shell('sleep 0.5; echo done')).toEqual([
      { kind: 'sleep', ms: 500 },
      { kind: 'write', stream: 'stdout', text: 'done\n' },
      { kind: 'exit', code: 0 },
    ]);
    expect(last(shell('sleep infinity'))).toEqual({ kind: 'serve' });
    expect(output(shell('cat /etc/hostname'))).toBe('agent-0001.sim.local\n');
  });

  it('interprets sh -c chains and argv commands', () => {
    expect(output(shell('sh -c "echo a; echo b"'))).toBe('a\nb\n');
    const argv = planTask({
      ...base,
      command: { shell: false, value: '/bin/echo', arguments: ['echo', 'x', 'y'] },
    });
    expect(output(argv)).toBe('x y\n');
    const docker = planTask({
      ...base,
      image: 'busybox',
      command: { shell: false, value: 'echo', arguments: ['x'] },
    });
    expect(output(docker)).toBe('x\n');
  });

  it('models image defaults when there is no command', () => {
    const nginx = planTask({
      ...base,
      image: 'docker.io/library/nginx:1.27',
      command: { shell: false },
    });
    expect(output(nginx)).toContain('ready for start up');
    expect(last(nginx)).toEqual({ kind: 'serve' });
    expect(last(planTask({ ...base, image: 'alpine:3', command: { shell: false } }))).toEqual({
      kind: 'exit',
      code: 0,
    });
    expect(
      last(planTask({ ...base, image: 'registry.local/acme/api:7', command: { shell: false } })),
    ).toEqual({ kind: 'serve' });
  });
});

describe('output a task cannot keep', () => {
  it('expands a large variable many times over into no more than a sandbox keeps', () => {
    const big = 'x'.repeat(131_072);
    const steps = planTask({
      ...base,
      env: { X: big },
      command: { value: `echo ${'$X'.repeat(12_000)}` },
    });
    // 1.5 GB if expanded in full: the plan holds what a sandbox could keep, and a little more.
    expect(output(steps).length).toBeLessThanOrEqual(2 * MAX_FILE_BYTES + 1);
    expect(output(steps).length).toBeGreaterThan(MAX_FILE_BYTES);
  });

  it('stops printf reusing its format for every argument where a sandbox stops', () => {
    const format = `${'A'.repeat(130_000)}%s`;
    const steps = planTask({
      ...base,
      command: {
        shell: false,
        value: 'printf',
        arguments: ['printf', format, ...Array<string>(3800).fill('')],
      },
    });
    expect(output(steps).length).toBeLessThanOrEqual(2 * MAX_FILE_BYTES);
    expect(output(steps).length).toBeGreaterThan(MAX_FILE_BYTES);
  });

  it("keeps the start of a task's file, says it stopped there, and keeps nothing after", () => {
    const sandbox = new Sandbox();
    sandbox.append('stdout', 'y'.repeat(MAX_FILE_BYTES - 10));
    sandbox.append('stdout', 'z'.repeat(100));
    sandbox.append('stdout', 'never kept');
    const text = sandbox.text('stdout');
    expect(text.startsWith('y'.repeat(MAX_FILE_BYTES - 10) + 'z'.repeat(10))).toBe(true);
    expect(text).toMatch(/keeps the first 8 MiB of a task's output; the rest is not kept\]\n$/);
    expect(text).not.toContain('never kept');
  });
});

describe('helpers', () => {
  it('strips registry, tag and digest from image names', () => {
    expect(imageBaseName('registry:5000/library/redis:7@sha256:abc')).toBe('redis');
  });

  it('formats like shell printf', () => {
    expect(printf('%d%%', ['42'])).toBe('42%');
    expect(printf('plain', ['ignored'])).toBe('plain');
  });
});
