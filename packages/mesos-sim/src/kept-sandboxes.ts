import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { bytesReplacer, bytesReviver, captureCluster, type KeptCluster } from './kept-cluster';
import type { Master } from './master';

/** A sandbox kept from before a restart: what a task wrote, under its framework and executor. */
export interface KeptSandbox {
  frameworkId: string;
  executorId: string;
  agentId: string;
  stdout: string;
  stderr: string;
}

interface StateFile {
  gatewayPort: number;
  sandboxes: KeptSandbox[];
  /** Absent in files an older emulator wrote: then agents start afresh. */
  cluster?: KeptCluster;
}

/** Real agents garbage-collect old sandboxes; the emulator keeps the newest this many. */
const MAX_KEPT = 5_000;

const keyOf = (frameworkId: string, executorId: string) => `${frameworkId}/${executorId}`;

/** What a previous run left in `file`: its agents' port, its tasks' sandboxes, its cluster. */
export function loadState(file: string | undefined): {
  gatewayPort: number | undefined;
  sandboxes: Map<string, KeptSandbox>;
  cluster: KeptCluster | undefined;
} {
  const sandboxes = new Map<string, KeptSandbox>();
  if (!file || !existsSync(file)) return { gatewayPort: undefined, sandboxes, cluster: undefined };
  const state = JSON.parse(readFileSync(file, 'utf8'), bytesReviver) as StateFile;
  for (const kept of state.sandboxes) sandboxes.set(keyOf(kept.frameworkId, kept.executorId), kept);
  return { gatewayPort: state.gatewayPort, sandboxes, cluster: state.cluster };
}

/** The kept sandbox of an executor, if a previous run of the cluster had it. */
export function keptSandbox(
  sandboxes: Map<string, KeptSandbox>,
  frameworkId: string,
  executorId: string,
): KeptSandbox | undefined {
  return sandboxes.get(keyOf(frameworkId, executorId));
}

/**
 * Writes the gateway's port, every sandbox (kept ones, then this run's, newest last) and
 * the cluster's agents, frameworks and tasks.
 */
export function saveState(file: string, master: Master, kept: Map<string, KeptSandbox>): void {
  const all = new Map(kept);
  for (const framework of [...master.frameworks.values(), ...master.completedFrameworks]) {
    const tasks = [
      ...framework.completedTasks,
      ...framework.unreachableTasks.values(),
      ...framework.tasks.values(),
    ];
    for (const task of tasks) {
      const key = keyOf(framework.id, task.executorId);
      all.delete(key);
      all.set(key, {
        frameworkId: framework.id,
        executorId: task.executorId,
        agentId: task.agent.id,
        stdout: task.sandbox.text('stdout'),
        stderr: task.sandbox.text('stderr'),
      });
    }
  }
  const state: StateFile = {
    gatewayPort: master.gateway.port,
    sandboxes: [...all.values()].slice(-MAX_KEPT),
    cluster: captureCluster(master),
  };
  // Tasks' output is their owners' alone: private, like the database beside it.
  mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  // Written aside, then renamed: a crash mid-write leaves the previous state whole.
  writeFileSync(`${file}.tmp`, JSON.stringify(state, bytesReplacer), { mode: 0o600 });
  renameSync(`${file}.tmp`, file);
}
