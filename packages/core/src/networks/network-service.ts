import { randomBytes } from 'node:crypto';
import type { Network, PrismaClient, Sql } from '@shoal/db';
import type { AuditService } from '../audit/audit-service';
import { conflict, forbidden, invalid, goneAs, isUniqueViolation, ShoalError } from '../errors';
import { checkLabels, quoted, SPEC_LIMITS } from '../containers/spec-limits';
import type { ContainerOperations } from '../containers/types';
import { checkAliases } from './aliases';
import { cniNetworkOf } from './cni';
import { NetworkConnections } from './network-connections';
import { networkTenant, resolveNetwork, type NetworkTenant } from './network-lookup';
import { matchesNetworkFilters, networkMembers, networkView } from './network-views';
import {
  BUILTIN_NETWORKS,
  type NetworkAttachment,
  type NetworkCreateInput,
  type NetworkListFilters,
  type NetworkRequest,
  type NetworkView,
} from './types';

/** Docker's rule for network names. */
const NETWORK_NAME = /^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/;

export interface NetworkServiceOptions {
  /**
   * The CNI network tenants' networks map to unless the tenant names its own
   * (SHOAL_TENANT_CNI_NETWORK); `{tenant}` stands for the tenant's slug.
   */
  cniNetwork: string;
  /** The CNI network a ucr container on the bridge network joins (SHOAL_UCR_NETWORK). */
  ucrNetwork: string;
}

/**
 * A tenant's Docker networks. Each is a name the tenant's containers share; on Mesos
 * they all join the one CNI network the tenant's networks map to, and their names and
 * aliases are published with their tasks. Every operation is within one tenant: another
 * tenant's network is not found, and the same name may exist in two tenants.
 */
export class NetworkService {
  /** Set once the container service exists: connect and disconnect find containers there. */
  containers: Pick<ContainerOperations, 'get'> | undefined;
  private readonly connections: NetworkConnections;

  constructor(
    private readonly prisma: PrismaClient,
    private readonly sql: Sql,
    private readonly audit: AuditService,
    private readonly options: NetworkServiceOptions,
  ) {
    this.connections = new NetworkConnections(prisma, audit, options, (tenantId, ref) =>
      this.container(tenantId, ref),
    );
  }

  async create(tenantId: string, input: NetworkCreateInput, actor: string): Promise<NetworkView> {
    const name = input.name.trim();
    if (!name) throw invalid('a network needs a name');
    if (name.length > SPEC_LIMITS.nameLength)
      throw invalid(`invalid network name: longer than ${SPEC_LIMITS.nameLength} characters`);
    if (!NETWORK_NAME.test(name))
      throw invalid(
        `invalid network name ${quoted(name)}: only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed`,
      );
    checkLabels(input.labels ?? {});
    if ((BUILTIN_NETWORKS as readonly string[]).includes(name))
      throw conflict(`network with name ${name} already exists`);
    const driver = input.driver || 'bridge';
    if (driver !== 'bridge')
      throw invalid(
        `network driver "${driver}" is not supported by Shoal: a network's containers join the Mesos CNI network the tenant's networks map to; use the bridge driver`,
      );
    try {
      const row = await this.prisma.$transaction(async (tx) => {
        const created = await tx.network.create({
          data: {
            id: randomBytes(32).toString('hex'),
            tenantId,
            name,
            driver,
            labels: input.labels ?? {},
            attachable: input.attachable ?? false,
          },
        });
        await this.audit.record(
          { tenantId, actor, action: 'network.create', target: name, detail: { id: created.id } },
          tx,
        );
        return created;
      });
      return this.view(row, await this.tenant(tenantId), []);
    } catch (error) {
      if (isUniqueViolation(error)) throw conflict(`network with name ${name} already exists`);
      throw error;
    }
  }

  async list(tenantId: string, filters: NetworkListFilters = {}): Promise<NetworkView[]> {
    const [rows, tenant] = await Promise.all([
      this.prisma.network.findMany({ where: { tenantId }, orderBy: { createdAt: 'asc' } }),
      this.tenant(tenantId),
    ]);
    const wanted = rows.filter((n) => matchesNetworkFilters(n, filters));
    const members = await this.members(
      tenantId,
      wanted.map((n) => n.id),
    );
    return wanted.map((n) => this.view(n, tenant, members.get(n.id) ?? []));
  }

  async get(tenantId: string, ref: string): Promise<NetworkView> {
    const row = await this.resolve(tenantId, ref);
    const [tenant, members] = await Promise.all([
      this.tenant(tenantId),
      this.members(tenantId, [row.id]),
    ]);
    return this.view(row, tenant, members.get(row.id) ?? []);
  }

  /** Docker refuses to remove a network that containers are still on; so does Shoal. */
  async remove(tenantId: string, ref: string, actor: string): Promise<void> {
    if ((BUILTIN_NETWORKS as readonly string[]).includes(ref))
      throw forbidden(`${ref} is a pre-defined network and cannot be removed`);
    const row = await this.resolve(tenantId, ref);
    await this.prisma
      .$transaction(async (tx) => {
        // Holds off a connect of a container to this network until the removal is decided.
        await tx.$queryRaw`SELECT id FROM "Network" WHERE id = ${row.id} FOR UPDATE`;
        const attached = await attachedCount(tx, tenantId, row.id);
        if (attached > 0)
          throw forbidden(
            `error while removing network: network ${row.name} id ${row.id} has active endpoints`,
          );
        await tx.network.delete({ where: { id: row.id } });
        await this.audit.record(
          { tenantId, actor, action: 'network.remove', target: row.name, detail: { id: row.id } },
          tx,
        );
      })
      .catch(goneAs(`network ${ref} not found`));
  }

  /** Removes the networks no container is on (created before every `createdBefore` date). */
  async prune(
    tenantId: string,
    filters: { label?: string[]; createdBefore?: Date[] },
    actor: string,
  ): Promise<string[]> {
    const { createdBefore = [], ...listed } = filters;
    const unused = (await this.list(tenantId, listed)).filter(
      (n) => n.containers.length === 0 && createdBefore.every((at) => n.createdAt < at),
    );
    const removed: string[] = [];
    for (const network of unused) {
      try {
        await this.remove(tenantId, network.id, actor);
        removed.push(network.name);
      } catch (error) {
        // A container joined it meanwhile, or it went: either way it is not pruned.
        if (!(error instanceof ShoalError) || !['FORBIDDEN', 'NOT_FOUND'].includes(error.code))
          throw error;
      }
    }
    return removed;
  }

  /**
   * The networks a new container asks for, resolved within its tenant, and the CNI
   * network they map to. A network named twice is joined once, with both sets of aliases.
   */
  async attachmentsFor(
    tenantId: string,
    requests: NetworkRequest[],
  ): Promise<{ attachments: NetworkAttachment[]; cniNetwork: string }> {
    // Checked before any is looked up: each is a query.
    if (requests.length > SPEC_LIMITS.networks)
      throw invalid(`a container joins at most ${SPEC_LIMITS.networks} networks`);
    const attachments: NetworkAttachment[] = [];
    for (const request of requests) {
      const row = await this.resolve(tenantId, request.network);
      const aliases = checkAliases(request.aliases ?? [], row.name);
      const known = attachments.find((a) => a.id === row.id);
      if (known) known.aliases = [...new Set([...known.aliases, ...aliases])];
      else attachments.push({ id: row.id, name: row.name, aliases });
    }
    return { attachments, cniNetwork: cniNetworkOf(await this.tenant(tenantId), this.cni) };
  }

  connect(
    tenantId: string,
    ref: string,
    containerRef: string,
    aliases: string[],
    actor: string,
  ): Promise<void> {
    return this.connections.connect(tenantId, ref, containerRef, aliases, actor);
  }

  disconnect(tenantId: string, ref: string, containerRef: string, actor: string) {
    return this.connections.disconnect(tenantId, ref, containerRef, actor);
  }

  private get cni(): string {
    return this.options.cniNetwork;
  }

  private async container(tenantId: string, ref: string) {
    if (!this.containers) throw new Error('NetworkService.containers is not set');
    return this.containers.get(tenantId, ref);
  }

  private resolve(tenantId: string, ref: string): Promise<Network> {
    return resolveNetwork(this.prisma, tenantId, ref);
  }

  private tenant(tenantId: string): Promise<NetworkTenant> {
    return networkTenant(this.prisma, tenantId);
  }

  private members(
    tenantId: string,
    networkIds: string[],
  ): Promise<Map<string, NetworkView['containers']>> {
    return networkMembers(this.sql, tenantId, networkIds);
  }

  private view(
    row: Network,
    tenant: NetworkTenant,
    containers: NetworkView['containers'],
  ): NetworkView {
    return networkView(row, tenant, this.cni, containers);
  }
}

/** Containers on the network; one being removed (docker rm -f) is gone already, as in Docker. */
async function attachedCount(
  tx: Pick<PrismaClient, '$queryRaw'>,
  tenantId: string,
  networkId: string,
): Promise<number> {
  const [row] = await tx.$queryRaw<{ n: number }[]>`
    SELECT count(*)::int AS n FROM "Container"
    WHERE "tenantId" = ${tenantId} AND state <> 'REMOVING'
      AND config->'networks' @> jsonb_build_array(jsonb_build_object('id', ${networkId}::text))`;
  return row?.n ?? 0;
}
