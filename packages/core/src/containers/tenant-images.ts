import type { PrismaClient, SqlRunner } from '@shoal/db';
import type { AuditService } from '../audit/audit-service';

/** One of a tenant's images: named by its containers or pulled. */
export interface TenantImage {
  image: string;
  containers: number;
  lastUsedAt: Date;
}

/**
 * A tenant's images as `docker images` lists them: those its containers name, then those it
 * pulled, each in name order. Mesos agents fetch images themselves, so these are the
 * tenant's records, not a store. One statement: `docker info` counts them at every call.
 */
export function listTenantImages(sql: SqlRunner, tenantId: string): Promise<TenantImage[]> {
  return sql.query<TenantImage>(
    `SELECT image, containers, "lastUsedAt" FROM (
       SELECT 0 AS kind, image, count(*)::int AS containers, max("createdAt") AS "lastUsedAt"
         FROM "Container" WHERE "tenantId" = $1 GROUP BY image
       UNION ALL
       SELECT 1, reference, 0, "pulledAt" FROM "PulledImage" WHERE "tenantId" = $1
     ) images ORDER BY kind, image`,
    [tenantId],
  );
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
