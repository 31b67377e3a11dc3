#!/usr/bin/env node
// `npm test`: installs what the suite needs (npm dependencies, PostgreSQL,
// Debian's Chromium and promtool, the docker CLI and Debian's Python Docker SDK),
// then runs the type check, lint, the formatting check, unit and integration tests
// (vitest, against real PostgreSQL and embedded PGlite) and the browser tests
// (Playwright in Chromium). Every stage runs even when an earlier one fails;
// the exit code is non-zero if any failed.
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import {
  baseEnv,
  continueUnderTestedNode,
  ensureChromium,
  ensureDependencies,
  ensureDockerClients,
  ensurePostgres,
  ensurePromtool,
  root,
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
const running = new Set();
// A process manager's signal reaches this process only: the stages' processes stop with it.
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(signal, () => {
    for (const child of running) child.kill(signal);
    process.exit(128 + (os.constants.signals[signal] ?? 0));
  });
}

/**
 * Runs one stage to its end, its output line by line under `[tag]` so that two stages
 * running at once stay readable. A failed stage is recorded and the rest still run.
 */
function stage(title, tag, command, args, env = {}) {
  const started = Date.now();
  console.log(`▸ ${title}`);
  return new Promise((resolve) => {
    const child = spawn(command, args, {
      cwd: root,
      env: { ...baseEnv, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    running.add(child);
    for (const stream of [child.stdout, child.stderr])
      createInterface({ input: stream }).on('line', (line) => console.log(`[${tag}] ${line}`));
    const finish = (outcome) => {
      running.delete(child);
      const seconds = Math.round((Date.now() - started) / 1000);
      if (outcome === 0) console.log(`✓ ${title} (${seconds} s)`);
      else {
        console.error(`✗ ${title}: ${outcome} after ${seconds} s`);
        failures.push(title);
      }
      resolve();
    };
    child.once('error', (error) => finish(error.message));
    child.once('close', (code, signal) => finish(code === 0 ? 0 : `exit ${code ?? signal}`));
  });
}

await stage('Generating code (Prisma client, Mesos protobuf types)', 'generate', 'npx', [
  'turbo',
  'run',
  'generate',
  '--output-logs=errors-only',
]);

const playwright = (output, ...filter) => [
  'playwright',
  'test',
  '-c',
  'e2e/playwright.config.ts',
  `--output=${path.join(resultsDir, output)}`,
  ...filter,
];

// The lanes share the two cores: the tests wait on servers, timers and the database as
// much as they compute, and the checks fill that time. The browser tests start as soon as
// the build they run is there; the checks read what the build's type check left (turbo's
// cache), so they start after it. The browser tests that assert how long something takes
// (bounds the issues set) run last, alone.
await Promise.all([
  stage('Unit and integration tests', 'vitest', 'npx', [
    'vitest',
    'run',
    '--reporter=default',
    '--reporter=json',
    `--outputFile.json=${path.join(resultsDir, 'vitest.json')}`,
  ]),
  (async () => {
    await stage('Building the server, the dashboard and the benchmarks', 'build', 'npx', [
      'turbo',
      'run',
      'build',
      '--output-logs=errors-only',
    ]);
    await Promise.all([
      stage(
        'Browser tests (Playwright, Chromium)',
        'browser',
        'npx',
        playwright('e2e-artifacts', '--grep-invert', '@timed'),
        { PLAYWRIGHT_JSON_OUTPUT_NAME: path.join(resultsDir, 'playwright.json') },
      ),
      (async () => {
        // Type-aware lint reads the declarations the type check emits, so it comes after it.
        await stage('Type check', 'typecheck', 'npx', [
          'turbo',
          'run',
          'typecheck',
          '--output-logs=errors-only',
        ]);
        await stage('Lint', 'lint', 'npx', ['eslint', '--max-warnings', '0', '.']);
        await stage('Formatting (Prettier)', 'prettier', 'npx', [
          'prettier',
          '--check',
          '--log-level=warn',
          '.',
        ]);
      })(),
    ]);
  })(),
]);
await stage(
  'Browser tests that measure time, on their own',
  'browser-timed',
  'npx',
  playwright('e2e-timed-artifacts', '--grep', '@timed'),
  { PLAYWRIGHT_JSON_OUTPUT_NAME: path.join(resultsDir, 'playwright-timed.json') },
);

if (createdDatabase) await dropDatabase(baseEnv.DATABASE_URL);

const reports = [
  countVitest(readJson('vitest.json')),
  countPlaywright(readJson('playwright.json')),
  countPlaywright(readJson('playwright-timed.json')),
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
