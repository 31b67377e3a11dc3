import { ScaleLines, SeriesLine, Swatch, TimeSpan } from '@/components/charts/chart-parts';

interface Point {
  windowStart: Date;
  offered: number;
  accepted: number;
  declined: number;
}

const SERIES = [
  { key: 'offered', label: 'Offered', tone: 'blue', dashed: false },
  { key: 'accepted', label: 'Accepted', tone: 'green', dashed: false },
  { key: 'declined', label: 'Declined', tone: 'amber', dashed: true },
] as const;
const W = 640;
const H = 200;
const PAD = { left: 48, right: 48, top: 12, bottom: 28 };
// At most five characters ("11.8k"), so a label always fits its side of the chart.
const compact = new Intl.NumberFormat('en', { notation: 'compact', maximumFractionDigits: 1 });

/**
 * Offered, accepted and declined amounts of one resource per window, as lines. Accepted
 * amounts are often hundreds of times smaller than offered ones, so they have their own
 * scale on the right; what was offered but neither accepted nor declined (offers still held,
 * rescinded or expired) is named in the totals.
 */
export function OfferChart({
  title,
  unit,
  points,
}: {
  title: string;
  unit: string;
  points: Point[];
}) {
  const max = Math.max(1, ...points.flatMap((p) => [p.offered, p.declined]));
  const maxAccepted = Math.max(1, ...points.map((p) => p.accepted));
  const t0 = points[0]?.windowStart.getTime() ?? 0;
  const t1 = points.at(-1)?.windowStart.getTime() ?? t0 + 1;
  const x = (t: Date) =>
    PAD.left + ((t.getTime() - t0) / Math.max(1, t1 - t0)) * (W - PAD.left - PAD.right);
  const yOf = (top: number) => (v: number) =>
    H - PAD.bottom - (v / top) * (H - PAD.top - PAD.bottom);
  const y = yOf(max);
  const yAccepted = yOf(maxAccepted);
  const yFor = (key: (typeof SERIES)[number]['key']) => (key === 'accepted' ? yAccepted : y);
  const sum = (key: (typeof SERIES)[number]['key']) =>
    points.reduce((total, p) => total + p[key], 0);
  const unanswered = Math.max(0, sum('offered') - sum('accepted') - sum('declined'));
  const totals = [
    ...SERIES.map((s) => `${s.label.toLowerCase()} ${compact.format(sum(s.key))} ${unit}`),
    `held, rescinded or expired ${compact.format(unanswered)} ${unit}`,
  ];

  return (
    <figure>
      <figcaption className="mb-2 flex flex-wrap items-center gap-4 text-sm">
        <span className="font-medium text-slate-800 dark:text-slate-200">{title}</span>
        {SERIES.map((s) => (
          <span
            key={s.key}
            className="inline-flex items-center gap-1 text-slate-700 dark:text-slate-300"
          >
            <Swatch tone={s.tone} dashed={s.dashed} />
            {s.label}
          </span>
        ))}
      </figcaption>
      <svg
        viewBox={`0 0 ${W} ${H}`}
        className="h-auto w-full"
        role="img"
        aria-label={`${title}: ${totals.join(', ')} over ${points.length} windows`}
      >
        <ScaleLines
          left={PAD.left}
          right={W - PAD.right}
          y={y}
          top={max}
          format={(v) => compact.format(v)}
          second={{ top: maxAccepted, format: (v) => compact.format(v), tone: 'green' }}
        />
        {points.length > 0 && (
          <TimeSpan
            left={PAD.left}
            right={W - PAD.right}
            y={H - 8}
            from={points[0]!.windowStart}
            to={points.at(-1)!.windowStart}
          />
        )}
        {/* A marker per window, so a single window (no line yet) still shows. */}
        {SERIES.map((s) => (
          <SeriesLine
            key={s.key}
            points={points.map((p) => ({ x: x(p.windowStart), y: yFor(s.key)(p[s.key]) }))}
            tone={s.tone}
            dashed={s.dashed}
            markAll
          />
        ))}
      </svg>
      <p className="mt-1 text-xs text-slate-600 dark:text-slate-400">
        Left scale: offered and declined. Right scale (green): accepted. In this range:{' '}
        {totals.join(', ')}.
      </p>
    </figure>
  );
}
