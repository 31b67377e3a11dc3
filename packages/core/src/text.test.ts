import { describe, expect, it } from 'vitest';
import { inputFault, MAX_INPUT_DEPTH, UNSTORABLE_TEXT_MESSAGE } from './text';

function nested(levels: number): unknown {
  let value: unknown = 'bottom';
  for (let i = 0; i < levels; i++) value = { deeper: value };
  return value;
}

describe('faults in request input', () => {
  it('names where text that cannot be stored is, in values and in keys', () => {
    expect(inputFault({ Env: ['A=1', 'B=\u0000'] })).toEqual({
      path: 'Env.1',
      problem: UNSTORABLE_TEXT_MESSAGE,
    });
    expect(inputFault({ Labels: { 'k\ud800': 'v' } })?.path).toBe('Labels.k\ufffd');
    expect(inputFault({ Env: ['A=1'], Labels: { k: 'v' } })).toBeUndefined();
  });

  it('refuses input nested deeper than a hundred levels, and takes a hundred', () => {
    expect(inputFault(nested(MAX_INPUT_DEPTH))).toBeUndefined();
    const fault = inputFault(nested(200_000));
    expect(fault?.problem).toBe(`nests deeper than ${MAX_INPUT_DEPTH} levels`);
    expect(fault?.path.split('.')).toHaveLength(MAX_INPUT_DEPTH);
  });

  it('refuses an object inside itself, which superjson references can build', () => {
    const root: Record<string, unknown> = { name: 'x' };
    root.a = { b: [root] };
    expect(inputFault(root)).toEqual({ path: 'a.b.0', problem: 'holds the value it is part of' });
  });

  it('walks an object shared many times over once, so sharing cannot make the walk endless', () => {
    // 2^60 paths through 60 objects: walked path by path, this never ends.
    let shared: unknown = { text: 'ok' };
    for (let i = 0; i < 60; i++) shared = { left: shared, right: shared };
    expect(inputFault(shared)).toBeUndefined();
    let bad: unknown = { text: 'a\u0000' };
    for (let i = 0; i < 60; i++) bad = { left: bad, right: bad };
    expect(inputFault(bad)?.problem).toBe(UNSTORABLE_TEXT_MESSAGE);
  });
});
