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

/**
 * What the state file keeps of each file, and of all of them: written whole every few
 * moments, it must stay small however much tasks write (a few tasks echoing a large
 * variable made it 144 MB, and its write too long to keep up). The newest tasks' come first.
 */
const KEPT_FILE_BYTES = 64 * 1024;
const KEPT_OUTPUT_BYTES = 32 * 1024 * 1024;
const KEPT_CUT_NOTE =
  '\n[the emulated Mesos agent kept only the start of this output across its restart]\n';

function withinBudget(sandboxes: KeptSandbox[]): KeptSandbox[] {
  let room = KEPT_OUTPUT_BYTES;
  const cut = (text: string) => {
    if (text.endsWith(KEPT_CUT_NOTE)) return text;
    const bytes = Buffer.from(text);
    const kept = Math.min(bytes.length, KEPT_FILE_BYTES, room);
    room -= kept;
    return kept === bytes.length ? text : `${bytes.subarray(0, kept).toString()}${KEPT_CUT_NOTE}`;
  };
  return sandboxes
    .reverse()
    .map((sandbox) => ({ ...sandbox, stdout: cut(sandbox.stdout), stderr: cut(sandbox.stderr) }))
    .reverse();
}

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
        // One byte more than is kept, so the cut below knows there was more.
        stdout: task.sandbox.text('stdout', KEPT_FILE_BYTES + 1),
        stderr: task.sandbox.text('stderr', KEPT_FILE_BYTES + 1),
      });
    }
  }
  const state: StateFile = {
    gatewayPort: master.gateway.port,
    sandboxes: withinBudget([...all.values()].slice(-MAX_KEPT)),
    cluster: captureCluster(master),
  };
  // Tasks' output is their owners' alone: private, like the database beside it.
  mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  // Written aside, then renamed: a crash mid-write leaves the previous state whole.
  writeFileSync(`${file}.tmp`, JSON.stringify(state, bytesReplacer), { mode: 0o600 });
  renameSync(`${file}.tmp`, file);
}
