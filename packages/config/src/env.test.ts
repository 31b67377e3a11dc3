import { describe, expect, it } from 'vitest';
import { EnvError, loadEnv } from './env';

describe('loadEnv', () => {
  it('falls back to embedded defaults when nothing is set', () => {
    const env = loadEnv({});
    expect(env.DATABASE_URL).toBeUndefined();
    expect(env.MESOS_MASTER).toBeUndefined();
    expect(env.SHOAL_PORT).toBe(4000);
    expect(env.SHOAL_DATA_DIR).toBe('.data');
    expect([env.SHOAL_METRICS_HOST, env.SHOAL_METRICS_PORT]).toEqual(['127.0.0.1', 9464]);
    expect(env.SHOAL_DB_PREPARE).toBe(true);
    expect(loadEnv({ SHOAL_DB_PREPARE: 'false' }).SHOAL_DB_PREPARE).toBe(false);
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

  it('reads sign-in budgets as failures/per minute and trusted proxies as addresses or ranges', () => {
    const env = loadEnv({
      SHOAL_SIGNIN_ACCOUNT_BUDGET: '50/20',
      SHOAL_TRUSTED_PROXIES: '10.0.0.0/8, fd00::1',
    });
    expect(env.SHOAL_SIGNIN_ACCOUNT_BUDGET).toEqual({ burst: 50, perMinute: 20 });
    expect(env.SHOAL_SIGNIN_ADDRESS_BUDGET).toEqual({ burst: 30, perMinute: 30 });
    expect(env.SHOAL_TRUSTED_PROXIES).toEqual(['10.0.0.0/8', 'fd00::1']);
    expect(loadEnv({}).SHOAL_TRUSTED_PROXIES).toEqual(['127.0.0.1', '::1']);
    expect(() => loadEnv({ SHOAL_SIGNIN_ADDRESS_BUDGET: '10' })).toThrow(
      /SHOAL_SIGNIN_ADDRESS_BUDGET: must be <failures>\/<per minute>/,
    );
    expect(() => loadEnv({ SHOAL_TRUSTED_PROXIES: 'dashboard.local' })).toThrow(
      /SHOAL_TRUSTED_PROXIES: "dashboard.local" is not an IP address/,
    );
  });

  it('picks the cluster default runtime, docker unless told ucr, and the UCR bridge network', () => {
    expect(loadEnv({})).toMatchObject({
      SHOAL_DEFAULT_RUNTIME: 'docker',
      SHOAL_UCR_NETWORK: 'mesos-bridge',
    });
    expect(loadEnv({ SHOAL_DEFAULT_RUNTIME: 'UCR', SHOAL_UCR_NETWORK: 'dcos' })).toMatchObject({
      SHOAL_DEFAULT_RUNTIME: 'ucr',
      SHOAL_UCR_NETWORK: 'dcos',
    });
    expect(() => loadEnv({ SHOAL_DEFAULT_RUNTIME: 'podman' })).toThrow(
      /SHOAL_DEFAULT_RUNTIME: must be docker or ucr/,
    );
    expect(() => loadEnv({ SHOAL_UCR_NETWORK: 'two words' })).toThrow(
      /SHOAL_UCR_NETWORK: must be a CNI network name/,
    );
  });

  it('maps tenant networks to one CNI network, or one per tenant by slug', () => {
    expect(loadEnv({}).SHOAL_TENANT_CNI_NETWORK).toBeUndefined();
    expect(loadEnv({ SHOAL_TENANT_CNI_NETWORK: 'shared' }).SHOAL_TENANT_CNI_NETWORK).toBe('shared');
    expect(loadEnv({ SHOAL_TENANT_CNI_NETWORK: 'cni-{tenant}' }).SHOAL_TENANT_CNI_NETWORK).toBe(
      'cni-{tenant}',
    );
    expect(() => loadEnv({ SHOAL_TENANT_CNI_NETWORK: 'cni {tenant}' })).toThrow(
      /SHOAL_TENANT_CNI_NETWORK: must be a CNI network name, where \{tenant\} stands for the tenant slug/,
    );
  });
});
