import type { Network, Prisma, PrismaClient } from '@shoal/db';
import type { AuditService } from '../audit/audit-service';
import { conflict, forbidden, invalid, notFound } from '../errors';
import { meantToRun } from '../containers/lifecycle';
import { RUNTIME_NAMES, runtimeOf } from '../containers/runtime';
import { SPEC_LIMITS } from '../containers/spec-limits';
import type { ContainerSpec, ContainerView } from '../containers/types';
import { checkAliases, UCR_USE } from './aliases';
import { cniNetworkOf } from './cni';
import { networkTenant, resolveNetwork } from './network-lookup';
import type { NetworkServiceOptions } from './network-service';

/**
 * `docker network connect` and `disconnect`: they change the networks a stopped
 * container's spec names, which its task joins at its next launch.
 */
export class NetworkConnections {
  constructor(
    private readonly prisma: PrismaClient,
    private readonly audit: AuditService,
    private readonly options: NetworkServiceOptions,
    private readonly container: (tenantId: string, ref: string) => Promise<ContainerView>,
  ) {}

  /**
   * Puts a container that is not running on a network (docker network connect). A Mesos
   * task's networks are fixed when it launches, so a running container cannot be connected.
   */
  async connect(
    tenantId: string,
    ref: string,
    containerRef: string,
    aliases: string[],
    actor: string,
  ): Promise<void> {
    const network = await resolveNetwork(this.prisma, tenantId, ref);
    const container = await this.container(tenantId, containerRef);
    const wanted = checkAliases(aliases, network.name);
    const runtime = runtimeOf(container.spec);
    if (runtime !== 'ucr')
      throw invalid(
        `cannot connect ${container.name} to network ${network.name}: ${RUNTIME_NAMES[runtime]} cannot join the Mesos CNI network Shoal's networks are made of; ${UCR_USE}`,
      );
    if (container.spec.networkMode !== 'bridge')
      throw invalid(
        `cannot connect ${container.name} to network ${network.name}: it uses the ${container.spec.networkMode} network, which leaves no network of its own to join`,
      );
    const cniNetwork = cniNetworkOf(
      await networkTenant(this.prisma, tenantId),
      this.options.cniNetwork,
    );
    await this.changeNetworks(tenantId, container.id, network, actor, 'network.connect', (spec) => {
      const current = spec.networks ?? [];
      if (current.some((a) => a.id === network.id))
        throw forbidden(
          `endpoint with name ${container.name} already exists in network ${network.name}`,
        );
      if (current.length >= SPEC_LIMITS.networks)
        throw invalid(
          `container ${container.name} is on ${current.length} networks, as many as a container may join`,
        );
      return {
        ...spec,
        networks: [...current, { id: network.id, name: network.name, aliases: wanted }],
        cniNetwork,
      };
    });
  }

  /** Takes a container that is not running off a network (docker network disconnect). */
  async disconnect(tenantId: string, ref: string, containerRef: string, actor: string) {
    const network = await resolveNetwork(this.prisma, tenantId, ref);
    const container = await this.container(tenantId, containerRef);
    await this.changeNetworks(
      tenantId,
      container.id,
      network,
      actor,
      'network.disconnect',
      (spec) => {
        const current = spec.networks ?? [];
        if (!current.some((a) => a.id === network.id))
          throw forbidden(`container ${container.id} is not connected to network ${network.name}`);
        const networks = current.filter((a) => a.id !== network.id);
        if (networks.length > 0) return { ...spec, networks };
        // Off its last network, a ucr container is back on the bridge network's CNI network.
        const rest: ContainerSpec = { ...spec, cniNetwork: this.options.ucrNetwork };
        delete rest.networks;
        return rest;
      },
    );
  }

  private async changeNetworks(
    tenantId: string,
    containerId: string,
    network: Network,
    actor: string,
    action: string,
    change: (spec: ContainerSpec) => ContainerSpec,
  ): Promise<void> {
    await this.prisma.$transaction(async (tx) => {
      const [row] = await tx.$queryRaw<
        { name: string; config: ContainerSpec; desiredState: string; state: string }[]
      >`SELECT name, config, "desiredState", state FROM "Container"
        WHERE id = ${containerId} AND "tenantId" = ${tenantId} FOR UPDATE`;
      // Removed since it was looked up: gone, as a lookup now finds it.
      if (!row || row.state === 'REMOVING') throw notFound(`No such container: ${containerId}`);
      if (meantToRun(row))
        throw conflict(
          `container ${row.name} is running: a Mesos task's networks are fixed when it launches; stop it, change its networks, then start it`,
        );
      const [still] = await tx.$queryRaw<{ id: string }[]>`
        SELECT id FROM "Network" WHERE id = ${network.id} FOR SHARE`;
      if (!still) throw notFound(`network ${network.name} not found`);
      await tx.container.update({
        where: { id: containerId },
        data: { config: change(row.config) as unknown as Prisma.InputJsonValue },
      });
      await this.audit.record(
        { tenantId, actor, action, target: network.name, detail: { container: row.name } },
        tx,
      );
    });
  }
}
