import { loadEnv } from '@shoal/config';
import { createControlPlaneProxy } from '@/lib/control-plane-proxy';

// The browser talks to the dashboard's own origin; this forwards /trpc/* to the
// control plane (SHOAL_SERVER_URL) at request time.
const forward = createControlPlaneProxy(loadEnv().SHOAL_SERVER_URL);

export const dynamic = 'force-dynamic';
export { forward as GET, forward as POST };
