import { parseArgs } from 'node:util';
import type { ShoalEnv } from '@shoal/config';
import {
  createServices,
  generatePassword,
  isRuntime,
  RUNTIME_NAMES,
  type Services,
  type TenantQuota,
} from '@shoal/core';
import { createDb, dbOptionsFrom } from '@shoal/db';
import { OperatorClient } from '@shoal/mesos';
import { OperatorPolicySync } from '../cluster/mesos-policy';

export const ADMIN_USAGE = `Admin commands (they act on DATABASE_URL, or the embedded database while no server runs on it):
  shoal tenant create <slug> [--name NAME] [--role ROLE]
  shoal tenant list
  shoal tenant runtime <slug> docker|ucr|default
                         (the Mesos containerizer of the tenant's new containers; default
                          follows SHOAL_DEFAULT_RUNTIME)
  shoal tenant cni-network <slug> <name>|default
                         (the Mesos CNI network the tenant's Docker networks map to, {tenant}
                          for its slug; default follows SHOAL_TENANT_CNI_NETWORK)
  shoal quota set <slug> [--cpus-limit N] [--mem-limit MB] [--disk-limit MB] [--gpus-limit N]
                         [--cpus-guarantee N] [--mem-guarantee MB] [--disk-guarantee MB] [--gpus-guarantee N]
                         (a value "none" removes that quota)
  shoal token issue <slug> --name NAME [--read-only] [--expires-days N]
  shoal user create <email> [--admin] [--tenant SLUG --role OWNER|MEMBER|VIEWER]
With MESOS_MASTER set, quota is pushed to Mesos as well.`;

const QUOTA_FLAGS = {
  'cpus-limit': 'quotaCpusLimit',
  'mem-limit': 'quotaMemLimit',
  'disk-limit': 'quotaDiskLimit',
  'gpus-limit': 'quotaGpusLimit',
  'cpus-guarantee': 'quotaCpusGuarantee',
  'mem-guarantee': 'quotaMemGuarantee',
  'disk-guarantee': 'quotaDiskGuarantee',
  'gpus-guarantee': 'quotaGpusGuarantee',
} as const;

export class UsageError extends Error {}

function quotaValue(flag: string, raw: string): number | null {
  if (raw === 'none') return null;
  const n = Number(raw);
  if (raw.trim() === '' || !Number.isFinite(n) || n < 0)
    throw new UsageError(`--${flag} takes a non-negative number or "none", not "${raw}"`);
  return n;
}

type Command = (services: Services, args: string[], out: (line: string) => void) => Promise<void>;

const commands: Record<string, Command> = {
  async 'tenant create'(services, args, out) {
    const { positionals, values } = parseArgs({
      args,
      allowPositionals: true,
      options: { name: { type: 'string' }, role: { type: 'string' } },
    });
    const slug = positionals[0];
    if (!slug) throw new UsageError('tenant create needs a slug');
    const tenant = await services.tenants.create(
      { slug, name: values.name ?? slug, ...(values.role ? { mesosRole: values.role } : {}) },
      'cli',
    );
    out(`Created tenant ${tenant.slug} with Mesos role ${tenant.mesosRole}`);
  },
  async 'tenant list'(services, _args, out) {
    for (const t of await services.tenants.list()) {
      out(
        `${t.slug}\t${t.mesosRole}\tcpus ${t.quotaCpusLimit ?? '-'}\tmem ${t.quotaMemLimit ?? '-'} MB\truntime ${t.runtime ?? 'default'}`,
      );
    }
  },
  async 'tenant runtime'(services, args, out) {
    const [slug, choice] = args;
    if (!slug || (choice !== 'default' && !isRuntime(choice)))
      throw new UsageError('tenant runtime needs a tenant slug and docker, ucr or default');
    const tenant = await services.tenants.getBySlug(slug);
    await services.tenantAdmin.update(
      tenant.id,
      { runtime: choice === 'default' ? null : choice },
      'cli',
    );
    out(
      `New containers of ${slug} run under ${choice === 'default' ? "the cluster's default runtime" : RUNTIME_NAMES[choice]}`,
    );
  },
  async 'tenant cni-network'(services, args, out) {
    const [slug, name] = args;
    if (!slug || !name)
      throw new UsageError(
        'tenant cni-network needs a tenant slug and a CNI network name or default',
      );
    const tenant = await services.tenants.getBySlug(slug);
    await services.tenantAdmin.update(
      tenant.id,
      { cniNetwork: name === 'default' ? null : name },
      'cli',
    );
    out(
      `Containers of ${slug} created or connected from now on join ${name === 'default' ? "the cluster's CNI network for tenants' networks" : `the CNI network ${name.replaceAll('{tenant}', slug)}`} on its networks`,
    );
  },
  async 'quota set'(services, args, out) {
    const options = Object.fromEntries(
      Object.keys(QUOTA_FLAGS).map((f) => [f, { type: 'string' as const }]),
    );
    const { positionals, values } = parseArgs({ args, allowPositionals: true, options });
    const slug = positionals[0];
    if (!slug) throw new UsageError('quota set needs a tenant slug');
    const quota: TenantQuota = {};
    for (const [flag, field] of Object.entries(QUOTA_FLAGS)) {
      const raw = values[flag];
      if (typeof raw === 'string') quota[field] = quotaValue(flag, raw);
    }
    if (Object.keys(quota).length === 0)
      throw new UsageError('quota set needs at least one --…-limit or --…-guarantee');
    const tenant = await services.tenants.getBySlug(slug);
    await services.tenants.setQuota(tenant.id, quota, 'cli');
    out(
      `Quota of ${slug} updated${services.tenants.mesosPolicy ? ' and pushed to Mesos' : ' (Mesos gets it when a Shoal server next takes the lead)'}`,
    );
  },
  async 'token issue'(services, args, out) {
    const { positionals, values } = parseArgs({
      args,
      allowPositionals: true,
      options: {
        name: { type: 'string' },
        'read-only': { type: 'boolean' },
        'expires-days': { type: 'string' },
      },
    });
    const slug = positionals[0];
    if (!slug || !values.name) throw new UsageError('token issue needs a tenant slug and --name');
    const days = values['expires-days'] === undefined ? undefined : Number(values['expires-days']);
    if (days !== undefined && !(days > 0))
      throw new UsageError('--expires-days takes a positive number');
    const tenant = await services.tenants.getBySlug(slug);
    const { secret } = await services.tokens.issue(
      {
        tenantId: tenant.id,
        name: values.name,
        scope: values['read-only'] ? 'READ_ONLY' : 'READ_WRITE',
        ...(days ? { expiresAt: new Date(Date.now() + days * 86_400_000) } : {}),
      },
      'cli',
    );
    out(secret);
  },
  async 'user create'(services, args, out) {
    const { positionals, values } = parseArgs({
      args,
      allowPositionals: true,
      options: { admin: { type: 'boolean' }, tenant: { type: 'string' }, role: { type: 'string' } },
    });
    const email = positionals[0];
    if (!email) throw new UsageError('user create needs an email');
    const role = values.role?.toUpperCase();
    if (values.tenant && role !== 'OWNER' && role !== 'MEMBER' && role !== 'VIEWER') {
      throw new UsageError('--tenant needs --role OWNER, MEMBER or VIEWER');
    }
    const password = generatePassword();
    const user = await services.users.create({
      email,
      password,
      isAdmin: Boolean(values.admin),
      mustChangePassword: true,
    });
    if (values.tenant) {
      const tenant = await services.tenants.getBySlug(values.tenant);
      await services.users.addMembership(user.id, tenant.id, role as 'OWNER' | 'MEMBER' | 'VIEWER');
    }
    out(`Created ${user.email}; one-time password (to be changed at first sign-in): ${password}`);
  },
};

/** Runs an admin command; true when `words` named one. */
export async function runAdminCommand(
  env: ShoalEnv,
  words: string[],
  out: (line: string) => void,
): Promise<boolean> {
  const name = words.slice(0, 2).join(' ');
  const command = commands[name];
  if (!command) return false;
  const db = await createDb(dbOptionsFrom(env));
  const operator = env.MESOS_MASTER
    ? new OperatorClient({
        masters: env.MESOS_MASTER,
        format: env.MESOS_FORMAT,
        ...(env.MESOS_PRINCIPAL ? { principal: env.MESOS_PRINCIPAL } : {}),
        ...(env.MESOS_SECRET ? { secret: env.MESOS_SECRET } : {}),
      })
    : undefined;
  try {
    const services = createServices(db);
    if (operator) services.tenants.mesosPolicy = new OperatorPolicySync(operator);
    await command(services, words.slice(2), out);
  } finally {
    await operator?.close();
    await db.close();
  }
  return true;
}
