import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

// The real docker CLI, as the compatibility tests drive it. `npm test` installs it
// (scripts/lib.mjs ensureDockerClients); a machine without it fails these tests.

const CANDIDATES = ['/usr/bin/docker', '/usr/local/bin/docker'];

/** The docker CLI's path; throws when it is not installed. */
export function dockerCliPath(): string {
  const found = CANDIDATES.find((p) => existsSync(p));
  if (!found) {
    throw new Error(
      `the docker CLI is not installed (looked for ${CANDIDATES.join(', ')}); npm test installs it (Debian's docker.io)`,
    );
  }
  return found;
}

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

export interface DockerCli {
  run(...args: string[]): Promise<CliRun>;
  /** As run, with `input` on the CLI's stdin. */
  runWithInput(input: string, ...args: string[]): Promise<CliRun>;
  /** For a CLI run kept open (docker events): the binary and its whole environment. */
  binary: string;
  env: Record<string, string>;
  close(): void;
}

/** A docker CLI speaking to `host` with `token`, and nothing of this machine's DOCKER_* settings. */
export function dockerCli(host: string, token: string): DockerCli {
  const binary = dockerCliPath();
  const configDir = mkdtempSync(path.join(tmpdir(), 'shoal-docker-config-'));
  writeFileSync(
    path.join(configDir, 'config.json'),
    JSON.stringify({ HttpHeaders: { Authorization: `Bearer ${token}` } }),
  );
  const env = { DOCKER_HOST: host, DOCKER_CONFIG: configDir };
  const runWithInput = (input: string | undefined, ...args: string[]) =>
    new Promise<CliRun>((resolve) => {
      const child = execFile(binary, args, { env, timeout: 60_000 }, (error, stdout, stderr) =>
        resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
      );
      child.stdin?.end(input ?? '');
    });
  return {
    run: (...args) => runWithInput(undefined, ...args),
    runWithInput,
    binary,
    env,
    close: () => rmSync(configDir, { recursive: true, force: true }),
  };
}

/**
 * What `docker events` replays for one container from `since` (Unix seconds) to a second
 * from now, one line per event in `format`; `only` keeps those actions.
 */
export async function pastEvents(
  cli: DockerCli,
  options: { since: number | string; container: string; format: string; only?: string[] },
): Promise<string[]> {
  const run = await cli.run(
    'events',
    '--since',
    String(options.since),
    '--until',
    String(Math.ceil(Date.now() / 1000) + 1),
    '--filter',
    `container=${options.container}`,
    ...(options.only ?? []).flatMap((action) => ['--filter', `event=${action}`]),
    '--format',
    options.format,
  );
  if (run.code !== 0) throw new Error(`docker events failed: ${run.stderr}`);
  return run.stdout.split('\n').filter(Boolean);
}
