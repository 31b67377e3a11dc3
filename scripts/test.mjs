#!/usr/bin/env node
// `npm test`: installs what the suite needs (npm dependencies, PostgreSQL,
// Debian's Chromium and promtool, the docker CLI and Debian's Python Docker SDK),
// then runs the type check, lint, the formatting check, unit and integration tests
// (vitest, against real PostgreSQL and embedded PGlite) and the browser tests
// (Playwright in Chromium). Every stage runs even when an earlier one fails;
// the exit code is non-zero if any failed.
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import {
  baseEnv,
  continueUnderTestedNode,
  ensureChromium,
  ensureDependencies,
  ensureDockerClients,
  ensurePostgres,
  ensurePromtool,
  root,
  run,
  step,
} from './lib.mjs';
import { countPlaywright, countVitest } from './test-report.mjs';

await continueUnderTestedNode();

const resultsDir = path.join(root, '.test-results');
rmSync(resultsDir, { recursive: true, force: true });
mkdirSync(resultsDir, { recursive: true });

ensureDependencies();
await ensurePostgres();
ensureChromium();
ensurePromtool();
ensureDockerClients();

baseEnv.DATABASE_URL ??= 'postgresql://postgres@127.0.0.1:5432/postgres';
const createdDatabase = await ensureDatabase(baseEnv.DATABASE_URL);

const failures = [];
function stage(title, command, args, env = {}) {
  step(title);
  try {
    run(command, args, { env: { ...baseEnv, ...env } });
  } catch (error) {
    console.error(`✗ ${title}: ${error.message}`);
    failures.push(title);
  }
}

stage('Generating code (Prisma client, Mesos protobuf types)', 'npx', [
  'turbo',
  'run',
  'generate',
  '--output-logs=errors-only',
]);
// Type-aware lint reads the declarations the type check emits, so it comes second.
stage('Type check', 'npx', ['turbo', 'run', 'typecheck', '--output-logs=errors-only']);
stage('Lint', 'npx', ['eslint', '--max-warnings', '0', '.']);
stage('Formatting (Prettier)', 'npx', ['prettier', '--check', '--log-level=warn', '.']);
stage('Unit and integration tests', 'npx', [
  'vitest',
  'run',
  '--reporter=default',
  '--reporter=json',
  `--outputFile.json=${path.join(resultsDir, 'vitest.json')}`,
]);
stage('Building the server and the dashboard', 'npx', [
  'turbo',
  'run',
  'build',
  '--output-logs=errors-only',
]);
stage(
  'Browser tests (Playwright, Chromium)',
  'npx',
  ['playwright', 'test', '-c', 'e2e/playwright.config.ts'],
  {
    PLAYWRIGHT_JSON_OUTPUT_NAME: path.join(resultsDir, 'playwright.json'),
  },
);

if (createdDatabase) await dropDatabase(baseEnv.DATABASE_URL);

const reports = [
  countVitest(readJson('vitest.json')),
  countPlaywright(readJson('playwright.json')),
];
const counts = reports.reduce(
  (a, b) => ({
    passed: a.passed + b.passed,
    failed: a.failed + b.failed,
    skipped: a.skipped + b.skipped,
  }),
  { passed: 0, failed: 0, skipped: 0 },
);
console.log('');
if (failures.length > 0) console.log(`Failed stages: ${failures.join('; ')}`);
for (const broken of reports.flatMap((r) => r.broken))
  console.log(`Broke before its tests: ${broken}`);
console.log(`tests: ${counts.passed} passed, ${counts.failed} failed, ${counts.skipped} skipped`);
process.exit(failures.length > 0 || counts.failed > 0 || counts.passed === 0 ? 1 : 0);

function readJson(file) {
  try {
    return JSON.parse(readFileSync(path.join(resultsDir, file), 'utf8'));
  } catch {
    return undefined;
  }
}

// The database named by DATABASE_URL is created when it does not exist yet
// (CI names a fresh one per run) and dropped again afterwards.
async function withServer(url, work) {
  const { default: pg } = await import('pg');
  const name = decodeURIComponent(new URL(url).pathname.slice(1));
  const admin = new URL(url);
  admin.pathname = '/postgres';
  const client = new pg.Client({ connectionString: admin.toString() });
  await client.connect();
  try {
    return await work(client, `"${name.replaceAll('"', '""')}"`, name);
  } finally {
    await client.end();
  }
}

function ensureDatabase(url) {
  return withServer(url, async (client, quoted, name) => {
    const exists = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (exists.rowCount > 0) return false;
    await client.query(`CREATE DATABASE ${quoted}`);
    return true;
  });
}

function dropDatabase(url) {
  return withServer(url, (client, quoted) =>
    client.query(`DROP DATABASE IF EXISTS ${quoted} WITH (FORCE)`).catch(() => undefined),
  );
}
