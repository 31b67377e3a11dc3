import { EnvError, loadEnv } from '@shoal/config';
import { startShoal } from './app';

const USAGE = `Usage: shoal <command>

Commands:
  serve   run the control plane (Docker API, dashboard API, Mesos framework)
`;

async function serve(): Promise<void> {
  const env = loadEnv();
  const shoal = await startShoal(env);
  console.log(`Shoal control plane listening on ${shoal.controlPlane.url}`);
  console.log(
    `Database: ${shoal.db.kind === 'pglite' ? `embedded PGlite in ${env.SHOAL_DATA_DIR}` : 'PostgreSQL'}`,
  );
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`${signal} received, shutting down`);
    shoal.close().then(
      () => process.exit(0),
      (error: unknown) => {
        console.error('Shutdown failed:', error);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

const command = process.argv[2];
if (command !== 'serve') {
  process.stderr.write(USAGE);
  process.exit(command ? 2 : 0);
}
serve().catch((error: unknown) => {
  // Configuration and startup errors are for operators: message only, no stack.
  console.error(error instanceof EnvError ? error.message : `Shoal failed to start: ${(error as Error).message}`);
  process.exit(1);
});
