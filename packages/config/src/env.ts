import { isIP } from 'node:net';
import { z } from 'zod';

// The only place in Shoal that reads process.env. Everything else receives a
// typed, validated config object, so a bad variable fails at start-up with a
// message naming it instead of surfacing later as an odd runtime error.

const port = z.coerce.number().int().min(0).max(65_535);
const optionalString = z
  .string()
  .trim()
  .transform((s) => (s === '' ? undefined : s))
  .optional();

/** `<burst>/<per minute>`: that many failures are free, then that many more each minute. */
const failureBudget = (fallback: string) =>
  z
    .string()
    .trim()
    .default(fallback)
    .transform((text, ctx) => {
      const match = /^(\d+)\/(\d+(?:\.\d+)?)$/.exec(text);
      const burst = Number(match?.[1]);
      const perMinute = Number(match?.[2]);
      if (!match || burst < 1 || !(perMinute > 0)) {
        ctx.addIssue({
          code: 'custom',
          message: 'must be <failures>/<per minute>, e.g. 10/10, both above 0',
        });
        return z.NEVER;
      }
      return { burst, perMinute };
    });

/** IP addresses and CIDR ranges, comma-separated. */
const addressList = (fallback: string) =>
  z
    .string()
    .default(fallback)
    .transform((text, ctx) => {
      const entries = text
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean);
      for (const entry of entries) {
        const [address = '', bits, extra] = entry.split('/');
        const family = isIP(address);
        const max = family === 6 ? 128 : 32;
        const badBits = bits !== undefined && !(/^\d+$/.test(bits) && Number(bits) <= max);
        if (family === 0 || badBits || extra !== undefined) {
          ctx.addIssue({
            code: 'custom',
            message: `"${entry}" is not an IP address or CIDR range`,
          });
          return z.NEVER;
        }
      }
      return entries;
    });

const envSchema = z.object({
  DATABASE_URL: optionalString.pipe(
    z
      .string()
      .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// or postgresql:// URL')
      .optional(),
  ),
  // Prepared statements on PostgreSQL; off behind a pooler that cannot keep them per
  // connection, or refuses connection options (PgBouncer in transaction mode).
  SHOAL_DB_PREPARE: z
    .enum(['true', 'false', '1', '0'])
    .default('true')
    .transform((v) => v === 'true' || v === '1'),
  SHOAL_DATA_DIR: z.string().default('.data'),
  SHOAL_HOST: z.string().default('127.0.0.1'),
  SHOAL_PORT: port.default(4000),
  SHOAL_DOCKER_PORT: port.default(2375),
  // PEM files for the Docker API. With a CA, clients must present a certificate it signed.
  SHOAL_DOCKER_TLS_CERT: optionalString,
  SHOAL_DOCKER_TLS_KEY: optionalString,
  SHOAL_DOCKER_TLS_CA: optionalString,
  SHOAL_WEB_PORT: port.default(3000),
  // Prometheus metrics name every tenant: their own listener, loopback unless told otherwise.
  SHOAL_METRICS_HOST: z.string().default('127.0.0.1'),
  SHOAL_METRICS_PORT: port.default(9464),
  SHOAL_SERVER_URL: z.url().default('http://127.0.0.1:4000'),
  SHOAL_LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error']).default('info'),
  SHOAL_SIM_AGENTS: z.coerce.number().int().min(1).max(5_000).default(5),
  // Demo tenants on first start; on by default only for the embedded database.
  SHOAL_SEED_DEMO: z
    .enum(['true', 'false', '1', '0'])
    .optional()
    .transform((v) => (v === undefined ? undefined : v === 'true' || v === '1')),
  MESOS_MASTER: optionalString.transform((s) =>
    s
      ?.split(',')
      .map((u) => u.trim())
      .filter(Boolean),
  ),
  // `shoal serve` without MESOS_MASTER runs the embedded emulator only when asked to.
  SHOAL_EMULATOR: z
    .enum(['true', 'false', '1', '0'])
    .default('false')
    .transform((v) => v === 'true' || v === '1'),
  MESOS_PRINCIPAL: optionalString,
  // How agents' sandboxes and statistics are read: https when every master URL is https.
  SHOAL_AGENT_SCHEME: z.enum(['http', 'https']).optional(),
  // PEM file of the CA that signed the agents' certificates, when not a system one.
  SHOAL_AGENT_CA: optionalString,
  MESOS_FORMAT: z.enum(['protobuf', 'json']).default('protobuf'),
  SHOAL_FRAMEWORK_NAME: z.string().min(1).default('shoal'),
  // The user tasks run as on the agents (FrameworkInfo.user).
  SHOAL_FRAMEWORK_USER: z.string().min(1).default('root'),
  // How long Mesos keeps Shoal's tasks while no instance is subscribed (one week).
  SHOAL_FAILOVER_TIMEOUT_SECONDS: z.coerce.number().min(0).default(604_800),
  SHOAL_OFFER_HOLD_SECONDS: z.coerce.number().min(0).default(5),
  SHOAL_REFUSE_SECONDS: z.coerce.number().min(0).default(5),
  SHOAL_PLACEMENT: z.enum(['spread', 'binpack']).default('spread'),
  // The containerizer new containers run under unless their tenant says otherwise: Docker's,
  // or the Mesos containerizer (UCR) with the Docker image, which docker exec and -i need.
  SHOAL_DEFAULT_RUNTIME: z
    .string()
    .trim()
    .toLowerCase()
    .default('docker')
    .pipe(z.enum(['docker', 'ucr'], { error: 'must be docker or ucr' })),
  // The CNI network that UCR containers on Docker's default bridge network join, with
  // their published ports mapped on it (the Mesos docs' name for the bridge).
  SHOAL_UCR_NETWORK: z
    .string()
    .trim()
    .default('mesos-bridge')
    .pipe(z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]*$/, 'must be a CNI network name')),
  // The CNI network tenants' Docker networks map to (docker network create): one name for
  // the whole cluster, or one per tenant with `{tenant}` standing for its slug. Unset: the
  // bridge's (SHOAL_UCR_NETWORK). A tenant's own setting, if an admin gave one, comes first.
  SHOAL_TENANT_CNI_NETWORK: optionalString.pipe(
    z
      .string()
      .refine((v) => /^[A-Za-z0-9][A-Za-z0-9_.-]*$/.test(v.replaceAll('{tenant}', 'x')), {
        message: 'must be a CNI network name, where {tenant} stands for the tenant slug',
      })
      .optional(),
  ),
  // How long `docker start` waits for a container to run before answering anyway.
  SHOAL_START_WAIT_SECONDS: z.coerce.number().min(0).default(20),
  SHOAL_UNREACHABLE_REPLACE_SECONDS: z.coerce.number().min(0).default(60),
  SHOAL_LOG_SAMPLE_SECONDS: z.coerce.number().min(0.1).default(2),
  MESOS_SECRET: optionalString,
  // Failed password checks (sign-ins and password changes) each budget allows.
  SHOAL_SIGNIN_ACCOUNT_ADDRESS_BUDGET: failureBudget('10/10'),
  SHOAL_SIGNIN_ACCOUNT_BUDGET: failureBudget('30/10'),
  SHOAL_SIGNIN_ADDRESS_BUDGET: failureBudget('30/30'),
  // argon2 hashes running at once; the others wait.
  SHOAL_PASSWORD_HASH_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(1),
  // How often open streams' tokens and sessions are checked again; a revoked one ends by then.
  SHOAL_ACCESS_RECHECK_SECONDS: z.coerce.number().min(0.1).max(300).default(2),
  // Peers of the control plane whose X-Forwarded-For names the client (the dashboard).
  SHOAL_TRUSTED_PROXIES: addressList('127.0.0.1,::1'),
});

export type ShoalEnv = z.infer<typeof envSchema> & { seedDemo: boolean };

const checkedEnvSchema = envSchema.superRefine((env, ctx) => {
  if (Boolean(env.SHOAL_DOCKER_TLS_CERT) !== Boolean(env.SHOAL_DOCKER_TLS_KEY)) {
    ctx.addIssue({
      code: 'custom',
      path: [env.SHOAL_DOCKER_TLS_CERT ? 'SHOAL_DOCKER_TLS_KEY' : 'SHOAL_DOCKER_TLS_CERT'],
      message: 'SHOAL_DOCKER_TLS_CERT and SHOAL_DOCKER_TLS_KEY must be set together',
    });
  }
  if (env.SHOAL_DOCKER_TLS_CA && !env.SHOAL_DOCKER_TLS_CERT) {
    ctx.addIssue({
      code: 'custom',
      path: ['SHOAL_DOCKER_TLS_CA'],
      message: 'needs SHOAL_DOCKER_TLS_CERT and SHOAL_DOCKER_TLS_KEY as well',
    });
  }
});

export class EnvError extends Error {
  readonly code = 'SHOAL_BAD_ENV';
  constructor(readonly issues: string[]) {
    super(`Invalid environment:\n${issues.map((i) => `  - ${i}`).join('\n')}`);
    this.name = 'EnvError';
  }
}

export function loadEnv(source: Record<string, string | undefined> = process.env): ShoalEnv {
  const parsed = checkedEnvSchema.safeParse(source);
  if (!parsed.success) {
    throw new EnvError(parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`));
  }
  return { ...parsed.data, seedDemo: parsed.data.SHOAL_SEED_DEMO ?? !parsed.data.DATABASE_URL };
}
