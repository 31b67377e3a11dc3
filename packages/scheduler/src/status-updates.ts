import type { SchedulerClient, TaskStatus } from '@shoal/mesos';
import type { FrameworkListener, FrameworkStore } from './framework-contract';

/** Status updates stored in one transaction at the most. */
const MAX_UPDATES_PER_BATCH = 1_000;

/**
 * Status updates are stored in batches, in the order they arrived (a task's
 * updates therefore in order), and each is acknowledged once its batch is
 * stored. A batch that cannot be stored is not acknowledged: Mesos sends its
 * updates again.
 */
export class StatusUpdateWriter {
  private readonly updates: TaskStatus[] = [];
  private storing = false;

  constructor(
    private readonly store: Pick<FrameworkStore, 'recordStatuses'>,
    private readonly client: Pick<SchedulerClient, 'acknowledge'>,
    private readonly listener: Pick<FrameworkListener, 'onError'>,
    /** Told of each update once stored, before it is acknowledged. */
    private readonly onStored: (status: TaskStatus) => void,
  ) {}

  enqueue(status: TaskStatus): void {
    this.updates.push(status);
    if (!this.storing) void this.drain();
  }

  private async drain(): Promise<void> {
    this.storing = true;
    // Updates of this turn of the event loop join the first batch.
    await new Promise((resolve) => setImmediate(resolve));
    while (this.updates.length > 0) {
      const batch = this.updates.splice(0, MAX_UPDATES_PER_BATCH);
      try {
        await this.store.recordStatuses(batch);
      } catch (error) {
        this.listener.onError?.(
          `${batch.length} status updates not stored; Mesos will send them again`,
          error,
        );
        continue;
      }
      for (const status of batch) {
        this.onStored(status);
        if (status.uuid && status.agent_id) {
          this.client
            .acknowledge(status.agent_id, status.task_id, status.uuid)
            .catch((error: unknown) =>
              this.listener.onError?.(
                `acknowledging an update of ${status.task_id.value} failed`,
                error,
              ),
            );
        }
      }
    }
    this.storing = false;
  }
}
