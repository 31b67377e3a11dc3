import { expect, it } from 'vitest';
import { matchesLabels } from './label-filters';

it('matches labels by key, or by key and value, every filter holding', () => {
  const labels = { tier: 'web', 'com.example.owner': 'ops' };
  expect(matchesLabels(labels, [])).toBe(true);
  expect(matchesLabels(labels, ['tier'])).toBe(true);
  expect(matchesLabels(labels, ['tier=web', 'com.example.owner=ops'])).toBe(true);
  expect(matchesLabels(labels, ['tier=db'])).toBe(false);
  expect(matchesLabels(labels, ['tier', 'team'])).toBe(false);
});

it('does not take names every object has for labels a container was given', () => {
  const labels = { tier: 'web' };
  for (const name of ['constructor', 'toString', '__proto__', 'hasOwnProperty'])
    expect(matchesLabels(labels, [name])).toBe(false);
  expect(matchesLabels({ constructor: 'x' }, ['constructor'])).toBe(true);
  expect(matchesLabels({ constructor: 'x' }, ['constructor=x'])).toBe(true);
});
