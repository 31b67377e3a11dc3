import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { request } from 'undici';
import path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';

export interface SimProcess {
  masters: string[];
  stop(): void;
}

/**
 * Starts the Mesos emulator in a process of its own, so its CPU and memory are
 * not counted as Shoal's. `args` are the emulator's CLI flags. It runs compiled, beside
 * this benchmark's own bundle (scripts/build.mjs).
 */
export function startSim(args: string[]): Promise<SimProcess> {
  const child = spawn(
    process.execPath,
    [
      path.join(import.meta.dirname, 'emulator.mjs'),
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
      // A group of its own, which stop() ends with one signal.
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

/** Runs a benchmark's main and exits: 0 once it has printed, 1 with the error if it failed. */
export function runBenchmark(main: () => Promise<void>): void {
  main().then(
    () => process.exit(0),
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
}

/** A progress line on stderr, stamped: stdout carries the benchmark's JSON alone. */
export const log = (line: string) => process.stderr.write(`${new Date().toISOString()} ${line}\n`);

/** The nearest-rank percentile of an ascending list. */
export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

export const round = (n: number) => Math.round(n * 10) / 10;

/**
 * How late this process's event loop got round to what was due, from now until the
 * returned function is called, in ms: each of Shoal's waits on PostgreSQL or on Mesos pays
 * about this much on top of the wait itself, so it shows a control plane short of CPU.
 */
export function eventLoopDelay() {
  const RESOLUTION_MS = 10;
  const histogram = monitorEventLoopDelay({ resolution: RESOLUTION_MS });
  histogram.enable();
  return () => {
    histogram.disable();
    // The histogram holds the time between two turns of a timer due every RESOLUTION_MS.
    const ms = (ns: number) => round(Math.max(0, ns / 1e6 - RESOLUTION_MS));
    return {
      p50: ms(histogram.percentile(50)),
      p99: ms(histogram.percentile(99)),
      max: ms(histogram.max),
    };
  };
}

interface EmulatorProcess {
  cpuSeconds: number;
  schedulerCalls: Record<string, number>;
  offersMade: number;
}

/** CPU seconds the emulator's process has used so far, the calls it has answered and the offers it has made. */
async function emulatorProcess(master: string): Promise<EmulatorProcess> {
  const response = await request(`${master}/sim/v1/process`);
  return (await response.body.json()) as EmulatorProcess;
}

/** CPU this process has used so far, in seconds. */
export function ownCpuSeconds(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1e6;
}

/**
 * CPU seconds the machine's PostgreSQL processes have used, ended backends included
 * (through their parent's counts); 0 where /proc cannot tell (another machine's server).
 */
export function postgresCpuSeconds(): number {
  const TICKS_PER_SECOND = 100;
  let ticks = 0;
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    try {
      if (readFileSync(`/proc/${pid}/comm`, 'utf8').trim() !== 'postgres') continue;
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      // Fields after the command name: utime, stime, cutime, cstime are the 12th-15th.
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      ticks += [11, 12, 13, 14].reduce((sum, i) => sum + Number(fields[i] ?? 0), 0);
    } catch {
      // The process ended while being read.
    }
  }
  return ticks / TICKS_PER_SECOND;
}

/**
 * CPU used per launched task, in microseconds, by each side of a run, and the
 * scheduler calls the master answered and the offers it made per task (each call is an
 * HTTP round trip; each offer is sent, decoded and accepted or declined).
 */
export async function cpuMeter(master: string) {
  const shoal = ownCpuSeconds();
  const emulator = await emulatorProcess(master);
  const postgres = postgresCpuSeconds();
  return async (tasks: number) => {
    // CPU in whole tenths of a microsecond; counts to a thousandth of one per task.
    const perTask = (n: number, digits: number) =>
      Math.round((n / Math.max(1, tasks)) * 10 ** digits) / 10 ** digits;
    const micros = (seconds: number) => perTask(seconds * 1e6, 1);
    const now = await emulatorProcess(master);
    const callsPerTask = Object.fromEntries(
      Object.entries(now.schedulerCalls)
        .map(([type, n]) => [type, perTask(n - (emulator.schedulerCalls[type] ?? 0), 3)] as const)
        .filter(([, n]) => n > 0),
    );
    return {
      cpuMicrosPerTask: {
        shoal: micros(ownCpuSeconds() - shoal),
        emulator: micros(now.cpuSeconds - emulator.cpuSeconds),
        postgres: micros(postgresCpuSeconds() - postgres),
      },
      callsPerTask,
      offersPerTask: perTask(now.offersMade - emulator.offersMade, 3),
    };
  };
}

/**
 * The rate over the first and the last 1,000 of these completion times (a tenth of them,
 * if fewer), counted from `started`: whether a load keeps its pace as the cluster fills
 * up, and how much of the whole is its slow start.
 */
export function edgeRates<K extends string>(doneAt: readonly number[], started: number, unit: K) {
  const n = Math.min(1_000, Math.max(1, Math.floor(doneAt.length / 10)));
  if (doneAt.length < 2 * n) return undefined;
  const first = (doneAt[n - 1]! - started) / 1000;
  const last = (doneAt.at(-1)! - doneAt[doneAt.length - n - 1]!) / 1000;
  return {
    [unit]: n,
    firstPerSecond: round(n / first),
    lastPerSecond: round(n / last),
  } as Record<K, number> & { firstPerSecond: number; lastPerSecond: number };
}

/**
 * Runs each step of a teardown in order, every one even when a step before it failed,
 * then throws the first failure: the emulator runs in a process group of its own and a
 * database lives on the server, so a step skipped leaves them behind the benchmark.
 */
export async function tearDown(...steps: (() => unknown)[]): Promise<void> {
  const failures: unknown[] = [];
  for (const step of steps) {
    try {
      await step();
    } catch (error) {
      failures.push(error);
    }
  }
  if (failures.length > 0) throw failures[0];
}
