import { spawn } from 'node:child_process';
import { request } from 'undici';
import path from 'node:path';

export interface SimProcess {
  masters: string[];
  stop(): void;
}

/**
 * Starts the Mesos emulator in a process of its own, so its CPU and memory are
 * not counted as Shoal's. `args` are the emulator's CLI flags.
 */
export function startSim(args: string[]): Promise<SimProcess> {
  const child = spawn(
    'npx',
    [
      'tsx',
      'packages/mesos-sim/src/cli.ts',
      '--port',
      '0',
      '--gateway-port',
      '0',
      '--quiet',
      ...args,
    ],
    {
      cwd: path.resolve(import.meta.dirname, '../..'),
      stdio: ['ignore', 'pipe', 'inherit'],
      // A group of its own, so one signal ends npx, tsx and the emulator together.
      detached: true,
    },
  );
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const match = /MESOS_MASTER=(\S+)/.exec(out);
      if (match)
        resolve({
          masters: match[1]!.split(','),
          stop: () => {
            if (child.exitCode === null) process.kill(-child.pid!, 'SIGTERM');
          },
        });
    });
    child.once('exit', (code) => reject(new Error(`the emulator exited with ${code}`)));
  });
}

/** The nearest-rank percentile of an ascending list. */
export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

export const round = (n: number) => Math.round(n * 10) / 10;

/** CPU seconds the emulator's process has used so far (its /sim/v1/process). */
export async function emulatorCpuSeconds(master: string): Promise<number> {
  const response = await request(`${master}/sim/v1/process`);
  return ((await response.body.json()) as { cpuSeconds: number }).cpuSeconds;
}

/** CPU this process has used so far, in seconds. */
export function ownCpuSeconds(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1e6;
}
