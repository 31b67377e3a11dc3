import { z } from 'zod';

export const ZResources = z.object({
  cpus: z.number(),
  memoryMb: z.number(),
  diskMb: z.number(),
  gpus: z.number(),
  ports: z.array(z.string()),
});

export const ZAgentId = z.string().trim().min(1).max(200);
export const ZHostname = z.string().trim().min(1).max(253);
