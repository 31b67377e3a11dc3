import { ShoalError } from '../errors';
import type { Services } from '../services';
import { generatePassword } from '../users/passwords';

export const ADMIN_EMAIL = 'admin@shoal.local';

export interface SeededLogin {
  email: string;
  password: string;
  role: string;
}

export interface SeededTenant {
  slug: string;
  mesosRole: string;
  token: string;
}

export interface FirstStartResult {
  logins: SeededLogin[];
  tenants: SeededTenant[];
}

const DEMO_TENANTS = [
  {
    slug: 'acme',
    name: 'Acme Platform',
    quota: { quotaCpusLimit: 4, quotaMemLimit: 4096, quotaDiskLimit: 20480 },
  },
  {
    slug: 'globex',
    name: 'Globex Data',
    quota: { quotaCpusLimit: 2, quotaMemLimit: 2048, quotaDiskLimit: 10240 },
  },
] as const;

/**
 * On a database with no users: an admin with a one-time password (it must be
 * changed at first sign-in). With `demo`, also two tenants with quota, an owner
 * each and a Docker API token each. Returns the secrets, which exist nowhere
 * else, so the caller can show them once. Instances starting together on one fresh
 * database may all call it: one seeds, the others get undefined.
 */
export async function seedFirstStart(
  services: Services,
  options: { demo: boolean },
): Promise<FirstStartResult | undefined> {
  if ((await services.users.count()) > 0) return undefined;
  const result: FirstStartResult = { logins: [], tenants: [] };

  const adminPassword = generatePassword();
  try {
    await services.users.create({
      email: ADMIN_EMAIL,
      name: 'Cluster admin',
      password: adminPassword,
      isAdmin: true,
      mustChangePassword: true,
    });
  } catch (error) {
    // Creating the admin claims first start: another instance starting on the same fresh
    // database at the same moment claimed it first and seeds the rest.
    if (error instanceof ShoalError && error.code === 'CONFLICT') return undefined;
    throw error;
  }
  result.logins.push({ email: ADMIN_EMAIL, password: adminPassword, role: 'cluster admin' });
  if (!options.demo) return result;

  for (const demo of DEMO_TENANTS) {
    const tenant = await services.tenants.create({ slug: demo.slug, name: demo.name }, 'seed');
    await services.tenants.setQuota(tenant.id, demo.quota, 'seed');
    const email = `owner@${demo.slug}.shoal.local`;
    const password = generatePassword();
    const user = await services.users.create({ email, password, name: `${demo.name} owner` });
    await services.users.addMembership(user.id, tenant.id, 'OWNER');
    result.logins.push({ email, password, role: `owner of ${demo.slug}` });
    const { secret } = await services.tokens.issue(
      { tenantId: tenant.id, name: 'demo docker CLI', createdById: user.id },
      'seed',
    );
    result.tenants.push({ slug: tenant.slug, mesosRole: tenant.mesosRole, token: secret });
  }
  return result;
}
