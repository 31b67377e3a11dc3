import { randomBytes } from 'node:crypto';
import type { Network, Prisma, PrismaClient, Sql } from '@shoal/db';
import type { AuditService } from '../audit/audit-service';
import {
  conflict,
  invalid,
  goneAs,
  isUniqueViolation,
  markedForRemoval,
  notFound,
  ShoalError,
} from '../errors';
import { meantToRun } from '../containers/lifecycle';
import { RUNTIME_NAMES, runtimeOf } from '../containers/runtime';
import { checkLabels, quoted, SPEC_LIMITS } from '../containers/spec-limits';
import type { ContainerOperations, ContainerSpec } from '../containers/types';
import { checkAliases, UCR_USE } from './aliases';
import { cniNetworkOf } from './cni';
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

type Tenant = { slug: string; cniNetwork: string | null };

/**
 * A tenant's Docker networks. Each is a name the tenant's containers share; on Mesos
 * they all join the one CNI network the tenant's networks map to, and their names and
 * aliases are published with their tasks. Every operation is within one tenant: another
 * tenant's network is not found, and the same name may exist in two tenants.
 */
export class NetworkService {
  /** Set once the container service exists: connect and disconnect find containers there. */
  containers: Pick<ContainerOperations, 'get'> | undefined;

  constructor(
    private readonly prisma: PrismaClient,
    private readonly sql: Sql,
    private readonly audit: AuditService,
    private readonly options: NetworkServiceOptions,
  ) {}

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
    const wanted = rows.filter(
      (n) =>
        (!filters.name || filters.name.some((v) => n.name.includes(v))) &&
        (!filters.id || filters.id.some((v) => n.id.startsWith(v))) &&
        (!filters.driver || filters.driver.includes(n.driver)) &&
        matchesLabels(labelsOf(n), filters.label ?? []),
    );
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
    const network = await this.resolve(tenantId, ref);
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
    const cniNetwork = cniNetworkOf(await this.tenant(tenantId), this.cni);
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
    const network = await this.resolve(tenantId, ref);
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

  private get cni(): string {
    return this.options.cniNetwork;
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
      if (!row) throw notFound(`No such container: ${containerId}`);
      if (row.state === 'REMOVING') throw markedForRemoval(`${action.replace('network.', '')}ed`);
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

  private async container(tenantId: string, ref: string) {
    if (!this.containers) throw new Error('NetworkService.containers is not set');
    return this.containers.get(tenantId, ref);
  }

  /** An exact id, an exact name, else a unique id prefix, as Docker resolves networks. */
  private async resolve(tenantId: string, ref: string): Promise<Network> {
    const key = ref.trim();
    if (!key) throw notFound(`network ${ref} not found`);
    const exact = await this.prisma.network.findFirst({
      where: { tenantId, OR: [{ id: key }, { name: key }] },
      // An id beats a name that happens to look like one.
      orderBy: { id: key.length === 64 ? 'asc' : 'desc' },
    });
    if (exact) return exact;
    if (!/^[0-9a-f]+$/.test(key)) throw notFound(`network ${ref} not found`);
    const byPrefix = await this.prisma.network.findMany({
      where: { tenantId, id: { startsWith: key } },
      take: 2,
    });
    if (byPrefix.length > 1)
      throw invalid(
        `network ${ref} is ambiguous (${byPrefix.length} matches found based on ID prefix)`,
      );
    if (!byPrefix[0]) throw notFound(`network ${ref} not found`);
    return byPrefix[0];
  }

  private async tenant(tenantId: string): Promise<Tenant> {
    const tenant = await this.prisma.tenant.findUnique({
      where: { id: tenantId },
      select: { slug: true, cniNetwork: true },
    });
    if (!tenant) throw notFound('No such tenant');
    return tenant;
  }

  /** The tenant's containers on each of these networks, with their aliases there. */
  private async members(
    tenantId: string,
    networkIds: string[],
  ): Promise<Map<string, NetworkView['containers']>> {
    const byNetwork = new Map<string, NetworkView['containers']>();
    if (networkIds.length === 0) return byNetwork;
    const rows = await this.sql.query<{ id: string; name: string; networks: NetworkAttachment[] }>(
      `SELECT id, name, config->'networks' AS networks FROM "Container"
       WHERE "tenantId" = $1 AND state <> 'REMOVING' AND jsonb_typeof(config->'networks') = 'array'
       ORDER BY "createdAt"`,
      [tenantId],
    );
    for (const row of rows) {
      for (const attachment of row.networks) {
        if (!networkIds.includes(attachment.id)) continue;
        const list = byNetwork.get(attachment.id) ?? [];
        list.push({ id: row.id, name: row.name, aliases: attachment.aliases });
        byNetwork.set(attachment.id, list);
      }
    }
    return byNetwork;
  }

  private view(row: Network, tenant: Tenant, containers: NetworkView['containers']): NetworkView {
    return {
      id: row.id,
      tenantId: row.tenantId,
      name: row.name,
      driver: row.driver,
      labels: labelsOf(row),
      attachable: row.attachable,
      createdAt: row.createdAt,
      cniNetwork: cniNetworkOf(tenant, this.cni),
      containers,
    };
  }
}

/** Docker's 403 for what its own networks or their endpoints forbid. */
const forbidden = (message: string) => new ShoalError('FORBIDDEN', message);

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

function labelsOf(row: Network): Record<string, string> {
  return (row.labels ?? {}) as Record<string, string>;
}

function matchesLabels(labels: Record<string, string>, filters: string[]): boolean {
  return filters.every((f) => {
    const eq = f.indexOf('=');
    return eq < 0 ? f in labels : labels[f.slice(0, eq)] === f.slice(eq + 1);
  });
}
