import { z } from 'zod';
import { CONTAINER_STATES } from '@shoal/core';

export const ZContainerState = z.enum(CONTAINER_STATES);

export const ZRestartPolicy = z.object({
  name: z.enum(['no', 'on-failure', 'always', 'unless-stopped']),
  maximumRetryCount: z.number().int().min(0).optional(),
});

export const ZPortBinding = z.object({
  containerPort: z.number().int().min(1, 'Ports are 1-65535').max(65_535, 'Ports are 1-65535'),
  protocol: z.enum(['tcp', 'udp']),
  hostPort: z
    .number()
    .int()
    .min(1, 'Ports are 1-65535')
    .max(65_535, 'Ports are 1-65535')
    .optional(),
});

const ZTask = z.object({
  mesosTaskId: z.string(),
  agentId: z.string().optional(),
  hostname: z.string().optional(),
  state: z.string(),
  reason: z.string().optional(),
  message: z.string().optional(),
  ports: z.array(
    z.object({ containerPort: z.number(), hostPort: z.number(), protocol: z.enum(['tcp', 'udp']) }),
  ),
  launchedAt: z.date(),
  updatedAt: z.date(),
});

/** One row of the containers table: what it shows, filters and sorts on. */
export const ZContainerSummary = z.object({
  id: z.string(),
  name: z.string(),
  image: z.string(),
  state: ZContainerState,
  desiredState: z.enum(['running', 'stopped']),
  status: z.string(),
  createdAt: z.date(),
  spec: z.object({
    cpus: z.number(),
    memoryMb: z.number(),
    labels: z.record(z.string(), z.string()),
    bestEffort: z.boolean(),
  }),
  task: z.object({ hostname: z.string().optional() }).nullable(),
});

export const ZContainerView = ZContainerSummary.extend({
  spec: z.object({
    entrypoint: z.array(z.string()).optional(),
    cmd: z.array(z.string()).optional(),
    env: z.array(z.string()),
    labels: z.record(z.string(), z.string()),
    ports: z.array(ZPortBinding),
    cpus: z.number(),
    memoryMb: z.number(),
    diskMb: z.number(),
    gpus: z.number(),
    restartPolicy: ZRestartPolicy,
    bestEffort: z.boolean(),
    /** Absent in containers stored before there was a choice: the docker runtime. */
    runtime: z.enum(['docker', 'ucr']).optional(),
  }),
  exitCode: z.number().int().nullable(),
  error: z.string().nullable(),
  restartCount: z.number().int(),
  startedAt: z.date().nullable(),
  finishedAt: z.date().nullable(),
  task: ZTask.nullable(),
  /** Why a container that should run has no task yet (the same text as `docker inspect`'s State.Error). */
  waiting: z.string().nullable(),
});

/** A container as URLs and the Docker CLI name it: a name, a full id or an id prefix. */
export const ZContainerRef = z.string().trim().min(1).max(128);
