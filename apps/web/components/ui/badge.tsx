const TONES = {
  green: 'bg-green-100 dark:bg-green-950 text-green-900 dark:text-green-200',
  amber: 'bg-amber-100 dark:bg-amber-950 text-amber-900 dark:text-amber-200',
  red: 'bg-red-100 dark:bg-red-950 text-red-900 dark:text-red-200',
  slate: 'bg-slate-200 dark:bg-slate-700 text-slate-800 dark:text-slate-200',
  blue: 'bg-blue-100 dark:bg-blue-950 text-blue-900 dark:text-blue-200',
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
