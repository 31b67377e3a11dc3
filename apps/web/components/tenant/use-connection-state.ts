import { useEffect, useRef, useState } from 'react';

export type ConnectionState = 'connecting' | 'live' | 'reconnecting' | 'offline';

/** After this long without a connection, the control plane is called unreachable. */
export const OFFLINE_AFTER_MS = 3_000;

/**
 * What the badge says, from a subscription's status: Live while the stream is open,
 * Reconnecting for a moment after it drops, then Offline until it is back.
 */
export function useConnectionState(
  status: 'idle' | 'connecting' | 'pending' | 'error',
): ConnectionState {
  const connected = status === 'pending';
  const [state, setState] = useState<ConnectionState>('connecting');
  const everLive = useRef(false);
  useEffect(() => {
    if (connected) {
      everLive.current = true;
      setState('live');
      return;
    }
    setState(everLive.current ? 'reconnecting' : 'connecting');
    const timer = setTimeout(() => setState('offline'), OFFLINE_AFTER_MS);
    return () => clearTimeout(timer);
  }, [connected]);
  return state;
}
