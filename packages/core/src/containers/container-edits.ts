import type { Prisma, PrismaClient } from '@shoal/db';
import type { AuditService } from '../audit/audit-service';
import { conflict, invalid, goneAs, isUniqueViolation } from '../errors';
import type { ContainerReads } from './container-reads';
import { checkContainerName, nameTaken } from './names';
import type { ContainerRow } from './rows';
import { checkedRestartPolicy } from './spec';
import type { ContainerSpec, RestartPolicy } from './types';

// Edits of what is Shoal's own data about a container (its name, its restart policy): they
// touch no Mesos task, and take effect at once or at the container's next exit.

/**
 * `docker rename`: the name is Shoal's own data, so a rename touches no Mesos task. Answers
 * the container as renamed and the name it had, for the rename event.
 */
export async function renameContainer(
  prisma: PrismaClient,
  audit: AuditService,
  reads: ContainerReads,
  request: { tenantId: string; ref: string; name: string; actor: string },
): Promise<{ renamed: ContainerRow; oldName: string }> {
  const { tenantId, ref, name, actor } = request;
  const newName = name.replace(/^\//, '');
  checkContainerName(newName, name);
  const current = await reads.resolve(tenantId, ref);
  if (current.name === newName) {
    throw conflict(`Renaming a container with the same name as its current name`);
  }
  try {
    await prisma.$transaction(async (tx) => {
      await tx.container.update({
        where: { id: current.id },
        data: {
          name: newName,
          config: { ...(current.config as Prisma.JsonObject), name: newName },
        },
      });
      await audit.record(
        {
          tenantId,
          actor,
          action: 'container.rename',
          target: newName,
          detail: { id: current.id, oldName: current.name },
        },
        tx,
      );
    });
  } catch (error) {
    if (isUniqueViolation(error)) {
      // Named as a create's conflict names it: the tenant's own container that has the name.
      const holder = await prisma.container
        .findFirst({ where: { tenantId, name: newName }, select: { id: true } })
        .catch(() => null);
      throw nameTaken(newName, holder?.id);
    }
    goneAs(`No such container: ${ref}`)(error);
  }
  return { renamed: { ...current, name: newName }, oldName: current.name };
}

/**
 * `docker update --restart`: the policy applies from the container's next exit on, as
 * Docker's does; the restart it may be waiting for keeps its time.
 */
export async function setRestartPolicy(
  prisma: PrismaClient,
  audit: AuditService,
  reads: ContainerReads,
  request: { tenantId: string; ref: string; policy: RestartPolicy; actor: string },
): Promise<ContainerRow> {
  const { tenantId, ref, actor } = request;
  const current = await reads.resolve(tenantId, ref);
  const spec = current.config as unknown as ContainerSpec;
  if (spec.autoRemove && request.policy.name !== 'no')
    throw invalid(
      'Restart policy cannot be updated because AutoRemove is enabled for the container',
    );
  const restartPolicy = checkedRestartPolicy(request.policy, spec.autoRemove);
  const config = { ...spec, restartPolicy };
  await prisma
    .$transaction(async (tx) => {
      await tx.container.update({
        where: { id: current.id },
        data: {
          restartPolicy: restartPolicy.name,
          config: config as unknown as Prisma.InputJsonValue,
        },
      });
      await audit.record(
        {
          tenantId,
          actor,
          action: 'container.update',
          target: current.name,
          detail: { id: current.id, restartPolicy: { ...restartPolicy } },
        },
        tx,
      );
    })
    .catch(goneAs(`No such container: ${ref}`));
  return { ...current, config: config as unknown as ContainerRow['config'] };
}
