import { describe, expect, it } from 'vitest';
import { statusLine } from './lifecycle';

const now = new Date('2026-12-05T12:00:00Z');
const before = (seconds: number) => new Date(now.getTime() - seconds * 1000);
const exited = (seconds: number) =>
  statusLine(
    { state: 'EXITED', exitCode: 1, startedAt: null, finishedAt: before(seconds) },
    null,
    now,
  );
const up = (seconds: number) =>
  statusLine(
    { state: 'RUNNING', exitCode: null, startedAt: before(seconds), finishedAt: null },
    null,
    now,
  );

describe("docker ps STATUS, in the Docker CLI's words", () => {
  it('counts whole seconds and minutes, as the CLI truncates them', () => {
    expect(up(0.4)).toBe('Up Less than a second');
    expect(up(1.9)).toBe('Up 1 second');
    expect(up(59.9)).toBe('Up 59 seconds');
    expect(exited(96)).toBe('Exited (1) About a minute ago');
    expect(up(119)).toBe('Up About a minute');
    expect(up(120)).toBe('Up 2 minutes');
    expect(exited(59 * 60 + 59)).toBe('Exited (1) 59 minutes ago');
  });

  it('rounds hours, then speaks in days, weeks, months and years', () => {
    expect(up(3600)).toBe('Up About an hour');
    expect(up(90 * 60)).toBe('Up 2 hours');
    expect(up(47 * 3600)).toBe('Up 47 hours');
    expect(up(3 * 86_400)).toBe('Up 3 days');
    expect(up(20 * 86_400)).toBe('Up 2 weeks');
    expect(up(90 * 86_400)).toBe('Up 3 months');
    expect(up(800 * 86_400)).toBe('Up 2 years');
  });

  it('words a restart as an exit, capitals and all', () => {
    const line = statusLine(
      { state: 'RESTARTING', exitCode: 0, startedAt: null, finishedAt: before(5) },
      null,
      now,
    );
    expect(line).toBe('Restarting (0) 5 seconds ago');
  });
});
