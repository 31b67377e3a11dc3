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

const envSchema = z.object({
  DATABASE_URL: optionalString.pipe(
    z
      .string()
      .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// or postgresql:// URL')
      .optional(),
  ),
  SHOAL_DATA_DIR: z.string().default('.data'),
  SHOAL_HOST: z.string().default('127.0.0.1'),
  SHOAL_PORT: port.default(4000),
  SHOAL_DOCKER_PORT: port.default(2375),
  // PEM files for the Docker API. With a CA, clients must present a certificate it signed.
  SHOAL_DOCKER_TLS_CERT: optionalString,
  SHOAL_DOCKER_TLS_KEY: optionalString,
  SHOAL_DOCKER_TLS_CA: optionalString,
  SHOAL_WEB_PORT: port.default(3000),
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
  MESOS_PRINCIPAL: optionalString,
  MESOS_FORMAT: z.enum(['protobuf', 'json']).default('protobuf'),
  SHOAL_FRAMEWORK_NAME: z.string().min(1).default('shoal'),
  // The user tasks run as on the agents (FrameworkInfo.user).
  SHOAL_FRAMEWORK_USER: z.string().min(1).default('root'),
  // How long Mesos keeps Shoal's tasks while no instance is subscribed (one week).
  SHOAL_FAILOVER_TIMEOUT_SECONDS: z.coerce.number().min(0).default(604_800),
  SHOAL_OFFER_HOLD_SECONDS: z.coerce.number().min(0).default(5),
  SHOAL_REFUSE_SECONDS: z.coerce.number().min(0).default(5),
  SHOAL_PLACEMENT: z.enum(['spread', 'binpack']).default('spread'),
  // How long `docker start` waits for a container to run before answering anyway.
  SHOAL_START_WAIT_SECONDS: z.coerce.number().min(0).default(20),
  SHOAL_UNREACHABLE_REPLACE_SECONDS: z.coerce.number().min(0).default(60),
  SHOAL_LOG_SAMPLE_SECONDS: z.coerce.number().min(0.1).default(2),
  MESOS_SECRET: optionalString,
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
