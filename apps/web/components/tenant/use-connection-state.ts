import { useEffect, useState } from 'react';

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
  const [everLive, setEverLive] = useState(false);
  const [timedOut, setTimedOut] = useState(false);
  // Each change of connection starts the offline clock afresh.
  const [seen, setSeen] = useState(connected);
  if (seen !== connected) {
    setSeen(connected);
    setTimedOut(false);
  }
  if (connected && !everLive) setEverLive(true);
  useEffect(() => {
    if (connected) return;
    const timer = setTimeout(() => setTimedOut(true), OFFLINE_AFTER_MS);
    return () => clearTimeout(timer);
  }, [connected]);
  if (connected) return 'live';
  if (timedOut) return 'offline';
  return everLive ? 'reconnecting' : 'connecting';
}
