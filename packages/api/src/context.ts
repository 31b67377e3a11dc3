import type { Services } from '@shoal/core';

export interface Context {
  services: Services;
}

export function createContextFactory(services: Services) {
  return (): Context => ({ services });
}
