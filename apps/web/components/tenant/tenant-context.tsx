'use client';

import { createContext, useContext } from 'react';

export type TenantRole = 'OWNER' | 'MEMBER' | 'VIEWER';

export interface TenantInfo {
  slug: string;
  name: string;
  /** What the signed-in user may do here; the server enforces it, pages only hide what would fail. */
  role: TenantRole;
}

const RANK: Record<TenantRole, number> = { VIEWER: 1, MEMBER: 2, OWNER: 3 };

export const TenantContext = createContext<TenantInfo | null>(null);

export function useTenant(): TenantInfo & { can: (minimum: TenantRole) => boolean } {
  const tenant = useContext(TenantContext);
  if (!tenant) throw new Error('useTenant outside a tenant page');
  return { ...tenant, can: (minimum) => RANK[tenant.role] >= RANK[minimum] };
}
