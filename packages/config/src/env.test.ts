import { describe, expect, it } from 'vitest';
import { EnvError, loadEnv } from './env';

describe('loadEnv', () => {
  it('falls back to embedded defaults when nothing is set', () => {
    const env = loadEnv({});
    expect(env.DATABASE_URL).toBeUndefined();
    expect(env.MESOS_MASTER).toBeUndefined();
    expect(env.SHOAL_PORT).toBe(4000);
    expect(env.SHOAL_DATA_DIR).toBe('.data');
  });

  it('splits a list of Mesos masters and treats empty values as unset', () => {
    const env = loadEnv({ MESOS_MASTER: 'http://m1:5050, http://m2:5050', DATABASE_URL: '' });
    expect(env.MESOS_MASTER).toEqual(['http://m1:5050', 'http://m2:5050']);
    expect(env.DATABASE_URL).toBeUndefined();
  });

  it('names every bad variable in one error', () => {
    let error: unknown;
    try {
      loadEnv({ DATABASE_URL: 'mysql://x', SHOAL_PORT: 'eighty' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(EnvError);
    const message = (error as EnvError).message;
    expect(message).toContain('DATABASE_URL');
    expect(message).toContain('SHOAL_PORT');
  });

  it('takes the Docker API TLS files as a cert and key pair, with an optional CA', () => {
    const env = loadEnv({
      SHOAL_DOCKER_TLS_CERT: '/tls/cert.pem',
      SHOAL_DOCKER_TLS_KEY: '/tls/key.pem',
    });
    expect(env.SHOAL_DOCKER_TLS_CERT).toBe('/tls/cert.pem');
    expect(env.SHOAL_DOCKER_TLS_CA).toBeUndefined();
    expect(() => loadEnv({ SHOAL_DOCKER_TLS_CERT: '/tls/cert.pem' })).toThrow(
      /SHOAL_DOCKER_TLS_KEY/,
    );
    expect(() => loadEnv({ SHOAL_DOCKER_TLS_CA: '/tls/ca.pem' })).toThrow(/SHOAL_DOCKER_TLS_CA/);
  });
});
