import type { SchedulerClient } from '@shoal/mesos';
import type { FrameworkListener, FrameworkOptions, FrameworkStore } from './framework-contract';

/**
 * Asks the master for the state of the framework's tasks, so stored state catches up
 * with what happened while no update reached us: on every subscription, explicitly for
 * the tasks we know and then implicitly for the rest, and implicitly from time to time.
 */
export class Reconciliation {
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly client: Pick<SchedulerClient, 'reconcile'>,
    private readonly store: Pick<FrameworkStore, 'liveTasks'>,
    private readonly listener: Pick<FrameworkListener, 'onError'>,
    private readonly options: Pick<FrameworkOptions, 'reconcileIntervalSeconds'>,
  ) {}

  start(): void {
    this.timer = setInterval(
      () =>
        void this.client
          .reconcile()
          .catch((e: unknown) => this.listener.onError?.('implicit reconciliation failed', e)),
      this.options.reconcileIntervalSeconds * 1000,
    );
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  /** Explicitly for what we know, then implicitly to learn about the rest; no more once `stopped`. */
  async afterSubscribing(stopped: () => boolean): Promise<void> {
    const known = await this.store.liveTasks();
    if (stopped()) return;
    if (known.length > 0) {
      await this.client.reconcile(
        known.map((t) => ({
          task_id: { value: t.taskId },
          ...(t.agentId ? { agent_id: { value: t.agentId } } : {}),
        })),
      );
    }
    if (stopped()) return;
    await this.client.reconcile();
  }
}
