/** Fills for segments, each legible against the page in light and dark mode. */
export const SEGMENT_TONES = {
  blue: 'bg-blue-700 dark:bg-blue-400',
  violet: 'bg-violet-600 dark:bg-violet-400',
  teal: 'bg-teal-600 dark:bg-teal-400',
  amber: 'bg-amber-500 dark:bg-amber-300',
  pink: 'bg-pink-600 dark:bg-pink-400',
  green: 'bg-green-600 dark:bg-green-400',
  red: 'bg-red-600 dark:bg-red-400',
  cyan: 'bg-cyan-600 dark:bg-cyan-300',
  slate: 'bg-slate-300 dark:bg-slate-600',
} as const;
export type SegmentTone = keyof typeof SEGMENT_TONES;

export interface Segment {
  label: string;
  value: number;
  tone: SegmentTone;
}

/**
 * Parts of a whole as one bar, with a legend that gives each part's amount; the bar's label
 * says the same in words. Parts of no size are left out of the bar but kept in the legend.
 */
export function StackedBar({
  title,
  segments,
  format,
}: {
  title: string;
  segments: Segment[];
  format: (value: number) => string;
}) {
  const total = segments.reduce((sum, s) => sum + s.value, 0);
  const summary = segments.map((s) => `${format(s.value)} ${s.label}`).join(', ');
  return (
    <figure className="min-w-0">
      <figcaption className="mb-1 text-sm font-medium text-slate-800 dark:text-slate-100">
        {title}
      </figcaption>
      <div
        role="img"
        aria-label={`${title}: ${summary}`}
        className="flex h-4 overflow-hidden rounded-full bg-slate-100 dark:bg-slate-800"
      >
        {segments
          .filter((s) => s.value > 0 && total > 0)
          .map((s) => (
            <div
              key={s.label}
              className={`h-full ${SEGMENT_TONES[s.tone]}`}
              // At least a sliver, so a small part still shows beside large ones.
              style={{ width: `max(3px, ${(s.value / total) * 100}%)` }}
            />
          ))}
      </div>
      <ul className="mt-2 flex flex-wrap gap-x-4 gap-y-1 text-xs text-slate-700 dark:text-slate-300">
        {segments.map((s) => (
          <li key={s.label} className="inline-flex min-w-0 items-center gap-1">
            <span
              aria-hidden
              className={`inline-block size-2.5 rounded-sm ${SEGMENT_TONES[s.tone]}`}
            />
            <span className="truncate">{s.label}</span>
            <span className="font-mono tabular-nums">{format(s.value)}</span>
          </li>
        ))}
      </ul>
    </figure>
  );
}
