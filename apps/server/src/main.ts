import { EnvError, loadEnv } from '@shoal/config';
import { startShoal } from './app';
import path from 'node:path';
import { startDashboard } from './dashboard';
import { writeFirstStartNotes } from './first-start';

const USAGE = `Usage: shoal <command>

Commands:
  serve   run the control plane (Docker API, dashboard API, Mesos framework)
  dev     run the control plane and the built dashboard together
`;

async function serve(withDashboard: boolean): Promise<void> {
  const env = loadEnv();
  const shoal = await startShoal(env);
  const dashboard = withDashboard ? await startDashboard(env, shoal.controlPlane.url) : undefined;
  console.log(`Shoal control plane listening on ${shoal.controlPlane.url}`);
  console.log(`Docker API listening on ${shoal.dockerApi.url}`);
  if (env.SHOAL_DOCKER_TLS_CERT) {
    console.log(
      '  It speaks TLS: docker also needs DOCKER_TLS_VERIFY=1 and DOCKER_CERT_PATH (ca.pem, and cert.pem/key.pem when client certificates are required).',
    );
  }
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
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`${signal} received, shutting down`);
    Promise.all([dashboard?.close(), shoal.close()]).then(
      () => process.exit(0),
      (error: unknown) => {
        console.error('Shutdown failed:', error);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
  if (dashboard) {
    console.log(`Shoal is ready. Dashboard: ${dashboard.url}`);
    console.log(`First-start logins: ${path.resolve(env.SHOAL_DATA_DIR, 'first-start.txt')}`);
  }
}

const command = process.argv[2];
if (command !== 'serve' && command !== 'dev') {
  process.stderr.write(USAGE);
  process.exit(command ? 2 : 0);
}
serve(command === 'dev').catch((error: unknown) => {
  // Configuration and startup errors are for operators: message only, no stack.
  console.error(
    error instanceof EnvError
      ? error.message
      : `Shoal failed to start: ${(error as Error).message}`,
  );
  process.exit(1);
});
