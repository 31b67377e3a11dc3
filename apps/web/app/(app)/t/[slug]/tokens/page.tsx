import { loadEnv } from '@shoal/config';
import { TokensView } from '@/components/tokens/tokens-view';

// Read at request time: the Docker API port is the server's configuration, not the build's.
export const dynamic = 'force-dynamic';

export default function TokensPage() {
  return <TokensView dockerPort={loadEnv().SHOAL_DOCKER_PORT} />;
}
