import { z } from 'zod';

export const ZTokenScope = z.enum(['READ_WRITE', 'READ_ONLY']);

/** A token as lists show it: the prefix identifies it, the secret is never returned again. */
export const ZApiToken = z.object({
  id: z.string(),
  name: z.string(),
  prefix: z.string(),
  scope: ZTokenScope,
  createdAt: z.date(),
  expiresAt: z.date().nullable(),
  lastUsedAt: z.date().nullable(),
  revokedAt: z.date().nullable(),
});
