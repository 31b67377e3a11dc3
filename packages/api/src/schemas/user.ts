import { z } from 'zod';

export const ZEmail = z.string().trim().toLowerCase().email('Enter an email address').max(254);

export const ZSessionUser = z.object({
  id: z.string(),
  email: z.string(),
  name: z.string().nullable(),
  isAdmin: z.boolean(),
  mustChangePassword: z.boolean(),
  expiresAt: z.date(),
});
