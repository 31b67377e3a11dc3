import { describe, expect, it } from 'vitest';
import { InputQueue } from './input';
import { type ContainerContext, EmulatedProcess } from './shell';

// A process's status is awaited by the switchboard and the agent API, where no caller
// could catch a rejection: a fault in an emulated command must end the process only.

describe('an emulated process', () => {
  it('ends as aborted, saying why on its stderr, when its command faults', async () => {
    const context: ContainerContext = {
      env: {},
      hostname: 'h',
      cwd: '/mnt/mesos/sandbox',
      sandbox: {
        names: () => ['stdout'],
        read: () => {
          throw new Error('sandbox unreadable');
        },
      },
    };
    const written: string[] = [];
    const shell = new EmulatedProcess(['sh', '-c', 'echo before; cat stdout'], context, {
      stdin: new InputQueue(),
      write: (stream, text) => written.push(`${stream}:${text}`),
      sleep: () => Promise.resolve(),
    });
    // wait(2)'s status of a process killed by SIGABRT.
    await expect(shell.exited).resolves.toBe(6);
    expect(written).toEqual(['stdout:before\n', 'stderr:sh: sandbox unreadable\n']);
  });
});
