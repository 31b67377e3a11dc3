import { loadEnv, type ShoalEnv } from '@shoal/config';

/**
 * Shoal's settings in a benchmark: every listener on a port of its own choosing, so a Shoal
 * already running on the machine (`npm start`'s, say) does not stop the benchmark, and no
 * demo tenants. `more` adds to them.
 */
export function benchShoalEnv(masters: string[], more: Record<string, string> = {}): ShoalEnv {
  return loadEnv({
    SHOAL_PORT: '0',
    SHOAL_DOCKER_PORT: '0',
    SHOAL_METRICS_PORT: '0',
    SHOAL_SEED_DEMO: 'false',
    MESOS_MASTER: masters.join(','),
    ...more,
  });
}
