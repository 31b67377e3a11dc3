const TONES = {
  green: 'bg-green-100 text-green-900',
  amber: 'bg-amber-100 text-amber-900',
  red: 'bg-red-100 text-red-900',
  slate: 'bg-slate-200 text-slate-800',
  blue: 'bg-blue-100 text-blue-900',
} as const;

export type Tone = keyof typeof TONES;

export function Badge({ tone, children }: { tone: Tone; children: string }) {
  return (
    <span className={`inline-block rounded-full px-2 py-0.5 text-xs font-medium ${TONES[tone]}`}>
      {children}
    </span>
  );
}

const STATE_TONE: Record<string, Tone> = {
  running: 'green',
  restarting: 'amber',
  created: 'blue',
  paused: 'slate',
  removing: 'amber',
  exited: 'slate',
  dead: 'red',
};

export function StateBadge({ state }: { state: string }) {
  return <Badge tone={STATE_TONE[state] ?? 'slate'}>{state.toUpperCase()}</Badge>;
}
