import { describe, expect, it } from 'vitest';
import { safeNextPath } from './safe-next-path';

const origin = 'https://shoal.example';

describe('the page a sign-in returns to', () => {
  it('keeps a path on this site, with its query', () => {
    expect(safeNextPath('/t/alpha?state=running#top', origin)).toBe('/t/alpha?state=running#top');
  });

  it.each([
    ['//evil.example/x'],
    ['/\\evil.example/x'],
    ['/\t/evil.example/x'],
    ['/\n/evil.example/x'],
    ['\\/evil.example/x'],
    ['https://evil.example/x'],
    ['javascript:alert(1)'],
  ])('never leaves the site for %j', (next) => {
    expect(safeNextPath(next, origin)).toBe('/tenants');
  });

  it('falls back to the tenant list without a next page', () => {
    expect(safeNextPath(null, origin)).toBe('/tenants');
  });
});
