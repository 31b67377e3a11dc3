import { EnvError, loadEnv } from '@shoal/config';
import { ShoalError } from '@shoal/core';
import { DataDirError } from '@shoal/db';
import { ADMIN_USAGE, runAdminCommand, UsageError } from './cli/admin';
import { startShoal } from './app';
import path from 'node:path';
import { startDashboard } from './dashboard';
import { writeFirstStartNotes } from './first-start';
import { tuneProcess } from './process-tuning';

const USAGE = `Usage: shoal <command>

Commands:
  serve   run the control plane (Docker API, dashboard API, Mesos framework)
  dev     run the control plane and the built dashboard together

${ADMIN_USAGE}
`;

/**
 * `shoal serve` is how Shoal runs in production: without a Mesos master it would report
 * containers running on a cluster that does not exist, so the emulator must be asked for.
 * `shoal dev` (and `npm start`) keeps it as the embedded default.
 */
const NO_MASTER =
  'MESOS_MASTER is not set: name the Mesos masters (MESOS_MASTER=http://m1:5050,http://m2:5050), or set SHOAL_EMULATOR=true to run on the embedded Mesos emulator, where containers run nowhere (or use `shoal dev`)';

async function serve(withDashboard: boolean): Promise<void> {
  const env = loadEnv();
  if (!withDashboard && !env.MESOS_MASTER && !env.SHOAL_EMULATOR)
    throw new ShoalError('INVALID_ARGUMENT', NO_MASTER);
  // A signal during start-up (a process manager giving up on a slow start) is kept and
  // acted on once there is something to shut down, never ignored.
  let pendingStop: string | undefined;
  let stop = (signal: string) => void (pendingStop ??= signal);
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
  const shoal = await startShoal(env);
  const dashboard = withDashboard ? await startDashboard(env, shoal.controlPlane.url) : undefined;
  console.log(`Shoal control plane listening on ${shoal.controlPlane.url}`);
  console.log(`Docker API listening on ${shoal.dockerApi.url}`);
  console.log(`Prometheus metrics on ${shoal.metrics.url}/metrics`);
  if (env.SHOAL_DOCKER_TLS_CERT) {
    console.log(
      '  It speaks TLS: docker also needs DOCKER_TLS_VERIFY=1 and DOCKER_CERT_PATH (ca.pem, and cert.pem/key.pem when client certificates are required).',
    );
  }
  console.log(
    shoal.sim
      ? 'Mesos: the embedded emulator. Containers run nowhere; set MESOS_MASTER for a real cluster'
      : `Mesos masters: ${(env.MESOS_MASTER ?? []).join(', ')}`,
  );
  console.log(
    `Database: ${shoal.db.kind === 'pglite' ? `embedded PGlite in ${env.SHOAL_DATA_DIR}` : 'PostgreSQL'}`,
  );
  if (shoal.seeded) {
    const notes = writeFirstStartNotes(shoal.seeded, env.SHOAL_DATA_DIR, {
      dashboard: `http://${env.SHOAL_HOST}:${env.SHOAL_WEB_PORT}`,
      dockerHost: shoal.dockerApi.url,
    });
    console.log(`\n${notes.text}\n(Saved to ${notes.file}; it is not shown again.)\n`);
  }
  let stopping: number | undefined;
  stop = (signal: string) => {
    if (stopping !== undefined) {
      // One Ctrl-C reaches this process more than once (from the terminal and through npm);
      // asked again later, as people and process managers do, it goes at once.
      if (performance.now() - stopping < 1_000) return;
      console.log(`${signal} received again, exiting at once`);
      dashboard?.kill();
      process.exit(1);
    }
    stopping = performance.now();
    console.log(`${signal} received, shutting down (send it again to exit at once)`);
    Promise.all([dashboard?.close(), shoal.close()]).then(
      () => process.exit(0),
      (error: unknown) => {
        console.error('Shutdown failed:', error);
        process.exit(1);
      },
    );
  };
  if (pendingStop) return stop(pendingStop);
  if (dashboard) {
    console.log(`Shoal is ready. Dashboard: ${dashboard.url}`);
    console.log(`First-start logins: ${path.resolve(env.SHOAL_DATA_DIR, 'first-start.txt')}`);
  }
}

const words = process.argv.slice(2);
const command = words[0];

function fail(error: unknown): never {
  // Operators get the message, never a stack.
  if (error instanceof UsageError) console.error(`${error.message}\n\n${USAGE}`);
  else if (error instanceof EnvError) console.error(error.message);
  else if (error instanceof ShoalError || error instanceof DataDirError)
    console.error(error.message);
  else console.error(`Shoal failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(error instanceof UsageError ? 2 : 1);
}

if (command === 'serve' || command === 'dev') {
  tuneProcess();
  serve(command === 'dev').catch(fail);
} else if (command) {
  runAdminCommand(loadEnv(), words, (line) => console.log(line)).then((known) => {
    if (!known) {
      process.stderr.write(USAGE);
      process.exit(2);
    }
  }, fail);
} else {
  process.stdout.write(USAGE);
}
