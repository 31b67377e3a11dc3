import type { PrismaClient } from '@shoal/db';
import type { AuditService } from '../audit/audit-service';

/**
 * A tenant's images as `docker images` lists them: those its containers name, and those it
 * pulled. Mesos agents fetch images themselves, so these are the tenant's records, not a store.
 */
export async function listTenantImages(prisma: PrismaClient, tenantId: string) {
  const [groups, pulled] = await Promise.all([
    prisma.container.groupBy({
      by: ['image'],
      where: { tenantId },
      _count: { _all: true },
      _max: { createdAt: true },
      orderBy: { image: 'asc' },
    }),
    prisma.pulledImage.findMany({ where: { tenantId }, orderBy: { reference: 'asc' } }),
  ]);
  return [
    ...groups.map((g) => ({
      image: g.image,
      containers: g._count._all,
      lastUsedAt: g._max.createdAt ?? new Date(0),
    })),
    ...pulled.map((p) => ({ image: p.reference, containers: 0, lastUsedAt: p.pulledAt })),
  ];
}

/** Stores a `docker pull` with its audit row. */
export async function recordTenantPull(
  prisma: PrismaClient,
  audit: AuditService,
  tenantId: string,
  reference: string,
  actor: string,
): Promise<void> {
  const pulledAt = new Date();
  await prisma.$transaction(async (tx) => {
    await tx.pulledImage.upsert({
      where: { tenantId_reference: { tenantId, reference } },
      create: { tenantId, reference, pulledAt },
      update: { pulledAt },
    });
    await audit.record({ tenantId, actor, action: 'image.pull', target: reference }, tx);
  });
}
