import type { PrismaClient } from '@shoal/db';

/** Every status update of a container's tasks as Mesos sent them, oldest first. */
export async function taskHistory(prisma: PrismaClient, containerId: string) {
  const tasks = await prisma.task.findMany({
    where: { containerId },
    select: { id: true, mesosTaskId: true },
  });
  const mesosIdOf = new Map(tasks.map((t) => [t.id, t.mesosTaskId]));
  const updates = await prisma.taskUpdate.findMany({
    where: { taskId: { in: [...mesosIdOf.keys()] } },
    orderBy: { at: 'asc' },
  });
  return updates.map((u) => ({
    mesosTaskId: mesosIdOf.get(u.taskId)!,
    state: u.state,
    reason: u.reason,
    message: u.message,
    at: u.at,
  }));
}
