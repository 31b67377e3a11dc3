import { describe, expect, it } from 'vitest';
import { checkImageReference } from './image-reference';

describe('image references', () => {
  it('takes what Docker takes: registries with ports, digests, separators', () => {
    for (const image of [
      'alpine',
      'nginx:1.27-alpine',
      'library/alpine:latest',
      'localhost:5000/foo/bar:1',
      'registry.example.com:5000/app:1',
      '127.0.0.1:5000/app:latest',
      'myreg:443/app',
      'Registry.Example.com/team/app',
      '[::1]:5000/app:v2',
      'ghcr.io/org/my__app/sub-part--x:v1.0',
      `alpine@sha256:${'a'.repeat(64)}`,
      `localhost:5000/app:1@sha256:${'b'.repeat(64)}`,
    ])
      expect(() => checkImageReference(image), image).not.toThrow();
  });

  it('refuses what Docker refuses, saying why', () => {
    for (const image of [
      'a b',
      'alpine:',
      ':tag',
      'a//b',
      '-alpine',
      'alpine/',
      'host:port/x',
      'a:b:c',
    ])
      expect(() => checkImageReference(image), image).toThrow(/^invalid reference format/);
    expect(() => checkImageReference('library/Alpine')).toThrow(/must be lowercase/);
    expect(() => checkImageReference(`a${'b'.repeat(600)}`)).toThrow(/longer than 512/);
  });

  it('answers at once on long near-misses (no backtracking blow-up)', () => {
    for (const image of [
      `${'a-'.repeat(250)}!`,
      `${'a.'.repeat(200)}a:${'1'.repeat(20)}/!`,
      `${'a__'.repeat(160)}_`,
      `a/${'b1-'.repeat(160)}@`,
    ])
      expect(() => checkImageReference(image)).toThrow(/invalid reference format/);
  });
});
