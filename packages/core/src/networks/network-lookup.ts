import type { Network, PrismaClient } from '@shoal/db';
import { invalid, notFound } from '../errors';

export type NetworkTenant = { slug: string; cniNetwork: string | null };

/** An exact id, an exact name, else a unique id prefix, as Docker resolves networks. */
export async function resolveNetwork(
  prisma: PrismaClient,
  tenantId: string,
  ref: string,
): Promise<Network> {
  const key = ref.trim();
  if (!key) throw notFound(`network ${ref} not found`);
  const exact = await prisma.network.findFirst({
    where: { tenantId, OR: [{ id: key }, { name: key }] },
    // An id beats a name that happens to look like one.
    orderBy: { id: key.length === 64 ? 'asc' : 'desc' },
  });
  if (exact) return exact;
  if (!/^[0-9a-f]+$/.test(key)) throw notFound(`network ${ref} not found`);
  const byPrefix = await prisma.network.findMany({
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

export async function networkTenant(
  prisma: PrismaClient,
  tenantId: string,
): Promise<NetworkTenant> {
  const tenant = await prisma.tenant.findUnique({
    where: { id: tenantId },
    select: { slug: true, cniNetwork: true },
  });
  if (!tenant) throw notFound('No such tenant');
  return tenant;
}
