import type { PrismaClient, SqlRunner } from '@shoal/db';
import type { AuditService } from '../audit/audit-service';
import { conflict } from '../errors';
import { checkImageReference } from './image-reference';

/** One of a tenant's images: named by its containers or pulled. */
export interface TenantImage {
  image: string;
  containers: number;
  /** When Shoal first saw it (its first container, or its first pull): what Shoal can date. */
  firstSeenAt: Date;
}

/**
 * A tenant's images as `docker images` lists them: those its containers name (not the
 * removed ones kept a moment for their readers: removed is gone, as Docker's rm -f is),
 * then those it pulled, each in name order. Mesos agents fetch images themselves, so these are the
 * tenant's records, not a store. One statement: `docker info` counts them at every call.
 */
export function listTenantImages(sql: SqlRunner, tenantId: string): Promise<TenantImage[]> {
  return sql.query<TenantImage>(
    `SELECT image, containers, "firstSeenAt" FROM (
       SELECT 0 AS kind, image, count(*)::int AS containers, min("createdAt") AS "firstSeenAt"
         FROM "Container" WHERE "tenantId" = $1 AND state <> 'REMOVING' GROUP BY image
       UNION ALL
       SELECT 1, reference, 0, "pulledAt" FROM "PulledImage" WHERE "tenantId" = $1
     ) images ORDER BY kind, image`,
    [tenantId],
  );
}

/**
 * How many pulls a tenant's image list holds. Shoal stores no image, only the names pulled;
 * ten thousand pulled in a burst slowed other tenants' requests while they were written.
 */
export const MAX_PULLED_IMAGES = 1_000;

/** Stores a `docker pull` with its audit row. */
export async function recordTenantPull(
  prisma: PrismaClient,
  audit: AuditService,
  tenantId: string,
  reference: string,
  actor: string,
): Promise<void> {
  checkImageReference(reference);
  await prisma.$transaction(async (tx) => {
    const known = await tx.pulledImage.findUnique({
      where: { tenantId_reference: { tenantId, reference } },
      select: { reference: true },
    });
    if (!known && (await tx.pulledImage.count({ where: { tenantId } })) >= MAX_PULLED_IMAGES)
      throw conflict(
        `the tenant has ${MAX_PULLED_IMAGES} images pulled, as many as Shoal records: remove some (docker rmi, docker image prune -a) first`,
      );
    // Pulled again, it keeps its first date.
    await tx.pulledImage.upsert({
      where: { tenantId_reference: { tenantId, reference } },
      create: { tenantId, reference, pulledAt: new Date() },
      update: {},
    });
    await audit.record({ tenantId, actor, action: 'image.pull', target: reference }, tx);
  });
}

/** Forgets pulls of the tenant's, each with its audit row; the references it had. */
export async function forgetTenantPulls(
  prisma: PrismaClient,
  audit: AuditService,
  tenantId: string,
  references: string[],
  actor: string,
): Promise<string[]> {
  return prisma.$transaction(async (tx) => {
    const pulled = await tx.pulledImage.findMany({
      where: { tenantId, reference: { in: references } },
      select: { reference: true },
    });
    const gone = pulled.map((p) => p.reference);
    await tx.pulledImage.deleteMany({ where: { tenantId, reference: { in: gone } } });
    for (const reference of gone)
      await audit.record({ tenantId, actor, action: 'image.remove', target: reference }, tx);
    return gone;
  });
}
