import { formatTime } from '@/lib/format';

interface Point {
  windowStart: Date;
  offered: number;
  accepted: number;
  declined: number;
}

const SERIES = [
  { key: 'offered', label: 'Offered', color: '#1d4ed8', dash: undefined },
  { key: 'accepted', label: 'Accepted', color: '#15803d', dash: undefined },
  { key: 'declined', label: 'Declined', color: '#b45309', dash: '4 3' },
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
  const path = (key: (typeof SERIES)[number]['key']) =>
    points
      .map(
        (p, i) => `${i ? 'L' : 'M'}${x(p.windowStart).toFixed(1)},${yFor(key)(p[key]).toFixed(1)}`,
      )
      .join(' ');
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
        <span className="font-medium text-slate-800">{title}</span>
        {SERIES.map((s) => (
          <span key={s.key} className="inline-flex items-center gap-1 text-slate-700">
            <svg width="16" height="4" aria-hidden>
              <line
                x1="0"
                y1="2"
                x2="16"
                y2="2"
                stroke={s.color}
                strokeWidth="3"
                strokeDasharray={s.dash}
              />
            </svg>
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
        {[0, 0.5, 1].map((f) => (
          <g key={f}>
            <line
              x1={PAD.left}
              x2={W - PAD.right}
              y1={y(max * f)}
              y2={y(max * f)}
              stroke="#e2e8f0"
            />
            <text x={PAD.left - 6} y={y(max * f) + 4} textAnchor="end" fontSize="11" fill="#475569">
              {compact.format(max * f)}
            </text>
            <text x={W - PAD.right + 6} y={y(max * f) + 4} fontSize="11" fill="#15803d">
              {compact.format(maxAccepted * f)}
            </text>
          </g>
        ))}
        {points.length > 0 && (
          <>
            <text x={PAD.left} y={H - 8} fontSize="11" fill="#475569">
              {formatTime(points[0]!.windowStart)}
            </text>
            <text x={W - PAD.right} y={H - 8} fontSize="11" fill="#475569" textAnchor="end">
              {formatTime(points.at(-1)!.windowStart)}
            </text>
          </>
        )}
        {SERIES.map((s) => (
          <path
            key={s.key}
            d={path(s.key)}
            fill="none"
            stroke={s.color}
            strokeWidth="2"
            strokeDasharray={s.dash}
          />
        ))}
        {/* A marker per window, so a single window (no line yet) still shows. */}
        {SERIES.flatMap((s) =>
          points.map((p) => (
            <circle
              key={`${s.key}-${p.windowStart.getTime()}`}
              cx={x(p.windowStart)}
              cy={yFor(s.key)(p[s.key])}
              r="3"
              fill={s.color}
            />
          )),
        )}
      </svg>
      <p className="mt-1 text-xs text-slate-600">
        Left scale: offered and declined. Right scale (green): accepted. In this range:{' '}
        {totals.join(', ')}.
      </p>
    </figure>
  );
}
