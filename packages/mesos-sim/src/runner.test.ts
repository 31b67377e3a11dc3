import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { startRun, type TaskRun } from './runner';
import { Sandbox } from './sandbox';
import { TimerScope } from './timers';

// Callers keep the run startRun returns and compare it when the exit comes: an exit
// reported from inside startRun would find no run yet (`echo x` under either runtime).

describe('a run of planned steps', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('writes at once but reports an exit only after it has been returned', () => {
    const sandbox = new Sandbox();
    const heard: { code: number; run: TaskRun | undefined }[] = [];
    const run: TaskRun = startRun(
      [
        { kind: 'write', stream: 'stdout', text: 'x\n' },
        { kind: 'exit', code: 3 },
      ],
      sandbox,
      new TimerScope(),
      (code) => heard.push({ code, run }),
    );
    expect(sandbox.text('stdout')).toBe('x\n');
    expect(heard).toEqual([]);
    vi.runAllTimers();
    expect(heard).toEqual([{ code: 3, run }]);
  });

  it('says nothing once stopped, even of an exit already due', () => {
    const onExit = vi.fn();
    const timers = new TimerScope();
    const run = startRun([{ kind: 'exit', code: 0 }], new Sandbox(), timers, onExit);
    run.stop();
    vi.runAllTimers();
    expect(onExit).not.toHaveBeenCalled();
    expect(timers.size).toBe(0);
  });
});
