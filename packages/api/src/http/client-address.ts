import { BlockList, isIP } from 'node:net';
import type { IncomingHeaders } from './cookies';

/** Proxies whose X-Forwarded-For is believed: by default the dashboard on this host. */
export const DEFAULT_TRUSTED_PROXIES = ['127.0.0.1', '::1'];

/** `10.0.0.5`, `10.0.0.0/8` or `fd00::/8`, as SHOAL_TRUSTED_PROXIES lists them. */
export function trustedProxyList(entries: readonly string[]): BlockList {
  const list = new BlockList();
  for (const entry of entries) {
    const [address = '', bits] = entry.split('/');
    const family = isIP(address) === 6 ? 'ipv6' : 'ipv4';
    if (bits === undefined) list.addAddress(address, family);
    else list.addSubnet(address, Number(bits), family);
  }
  return list;
}

function plain(address: string): string {
  const trimmed = address.trim().replace(/^\[(.*)\]$/, '$1');
  // An IPv4 client on a dual-stack socket.
  return trimmed.startsWith('::ffff:') && isIP(trimmed.slice(7)) === 4 ? trimmed.slice(7) : trimmed;
}

function isTrusted(trusted: BlockList, address: string): boolean {
  const family = isIP(address);
  return family !== 0 && trusted.check(address, family === 6 ? 'ipv6' : 'ipv4');
}

/**
 * The client's address: the connection's peer, or, when the peer is a trusted proxy, the
 * nearest X-Forwarded-For entry that is not one (as Express's `trust proxy` walks it).
 * A caller in this process (no peer) is trusted.
 */
export function clientAddress(
  peer: string | undefined,
  headers: IncomingHeaders,
  trusted: BlockList,
): string {
  const forwarded = [headers['x-forwarded-for']]
    .flat()
    .flatMap((value) => (value ?? '').split(','))
    .map((entry) => plain(entry).slice(0, 64))
    .filter((entry) => entry !== '');
  const chain = peer === undefined ? forwarded : [...forwarded, plain(peer)];
  let index = chain.length - 1;
  while (index > 0 && isTrusted(trusted, chain[index] ?? '')) index--;
  return chain[index] ?? 'unknown';
}
