import type { Sql } from '@shoal/db';
import type { NetworkService } from '../networks/network-service';
import { busy } from '../errors';
import type { ContainerEventBus } from '../events/event-bus';
import type { ContainerServiceOptions } from './container-options';
import { turnDeadline } from './container-starts';
import { CreateBatch } from './create-batch';
import { newContainerId } from './names';
import { publishChange } from './publish';
import { toView } from './rows';
import { TenantRuntimes } from './runtime';
import { givenName, normaliseSpec, requestedRuntime } from './spec';
import type { ContainerSpecInput, ContainerView } from './types';

/**
 * Creates: the spec is completed with the tenant's runtime and the networks it names,
 * then written in a batch with the creates that arrive beside it.
 */
export class ContainerCreates {
  private readonly batch: CreateBatch;
  private readonly runtimes: TenantRuntimes;

  constructor(
    sql: Sql,
    private readonly events: ContainerEventBus,
    /** Only asked when a create names networks: the network service may be set later. */
    private readonly networks: () => Pick<NetworkService, 'attachmentsFor'>,
    private readonly options: ContainerServiceOptions,
  ) {
    this.batch = new CreateBatch(sql);
    this.runtimes = new TenantRuntimes(sql, () => this.options.defaultRuntime);
  }

  async create(tenantId: string, input: ContainerSpecInput, actor: string): Promise<ContainerView> {
    const turn = turnDeadline(this.options.startWaitMs);
    try {
      // The tenant's runtime is only looked up when the request names none; that wait
      // counts against the create's turn, as the write does.
      const runtime =
        requestedRuntime(input) ??
        (await this.runtimes.of(tenantId, {
          signal: turn.signal,
          busy: () => busy(`create ${givenName(input) ?? 'a container'}`),
        }));
      const networks =
        input.networks && input.networks.length > 0
          ? await this.networks().attachmentsFor(tenantId, input.networks)
          : undefined;
      const spec = normaliseSpec(input, {
        runtime,
        ucrNetwork: this.options.ucrNetwork,
        ...(networks ? { networks } : {}),
      });
      const row = await this.batch.create(
        { id: newContainerId(), tenantId, spec, actor, nameDrawn: !givenName(input) },
        turn.signal,
      );
      publishChange(this.events, row, 'create');
      return toView({ ...row, tasks: [] });
    } finally {
      turn.clear();
    }
  }
}
