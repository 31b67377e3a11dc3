import { describe, expect, it } from 'vitest';
import { applyChange, type ContainerList } from './live-list';

const row = (id: string, state: 'running' | 'exited' = 'running') => ({
  id,
  name: `c-${id}`,
  image: 'nginx',
  state,
  desiredState: 'running' as const,
  status: state,
  createdAt: new Date(0),
  spec: { cpus: 0.1, memoryMb: 16, labels: {}, bestEffort: false },
  task: null,
});

describe('a live list patched by changes', () => {
  const list: ContainerList = { asOf: new Date(0), containers: [row('a'), row('b'), row('c')] };

  it('replaces changed rows in place, adds new ones first and drops removed ones', () => {
    const next = applyChange(list, {
      containers: [row('b', 'exited'), row('d')],
      removed: ['c'],
      reset: false,
    });
    expect(next.containers.map((c) => [c.id, c.state])).toEqual([
      ['d', 'running'],
      ['a', 'running'],
      ['b', 'exited'],
    ]);
    expect(list.containers).toHaveLength(3);
  });

  it('keeps the same list when a change names nothing', () => {
    expect(applyChange(list, { containers: [], removed: [], reset: false })).toBe(list);
  });
});
