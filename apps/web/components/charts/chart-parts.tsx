import { useInBrowser } from '@/components/ui/when';
import { formatTime } from '@/lib/format';

// What every chart of the dashboard draws alike: its colours, legend swatches, scale
// lines and the time span under it.

export const TONES = {
  blue: {
    stroke: 'stroke-blue-700 dark:stroke-blue-400',
    fill: 'fill-blue-700 dark:fill-blue-400',
  },
  green: {
    stroke: 'stroke-green-700 dark:stroke-green-400',
    fill: 'fill-green-700 dark:fill-green-400',
  },
  amber: {
    stroke: 'stroke-amber-700 dark:stroke-amber-400',
    fill: 'fill-amber-700 dark:fill-amber-400',
  },
  violet: {
    stroke: 'stroke-violet-700 dark:stroke-violet-400',
    fill: 'fill-violet-700 dark:fill-violet-400',
  },
} as const;

export type Tone = keyof typeof TONES;

const DASH = '4 3';
const LABEL = 'fill-slate-600 dark:fill-slate-400';

/** A series' line as its legend shows it. */
export function Swatch({ tone, dashed }: { tone: Tone; dashed?: boolean }) {
  return (
    <svg width="14" height="4" aria-hidden>
      <line
        x1="0"
        y1="2"
        x2="14"
        y2="2"
        strokeWidth="3"
        strokeDasharray={dashed ? DASH : undefined}
        className={TONES[tone].stroke}
      />
    </svg>
  );
}

/** A series drawn through its points, the newest marked so a single reading shows too. */
export function SeriesLine({
  points,
  tone,
  dashed,
  markAll = false,
}: {
  points: { x: number; y: number }[];
  tone: Tone;
  dashed?: boolean;
  /** A marker on every point rather than the newest only. */
  markAll?: boolean;
}) {
  const marked = markAll ? points : points.slice(-1);
  return (
    <g>
      <path
        d={points.map((p, i) => `${i ? 'L' : 'M'}${p.x.toFixed(1)},${p.y.toFixed(1)}`).join(' ')}
        fill="none"
        strokeWidth="2"
        strokeDasharray={dashed ? DASH : undefined}
        className={TONES[tone].stroke}
      />
      {marked.map((p, i) => (
        <circle key={i} cx={p.x} cy={p.y} r="3" className={TONES[tone].fill} />
      ))}
    </g>
  );
}

/**
 * Lines across the plot at 0, half and the top of the scale, labelled on the left, and on
 * the right too when a second scale is given.
 */
export function ScaleLines({
  left,
  right,
  y,
  top,
  format,
  second,
}: {
  left: number;
  right: number;
  /** Where a value of the left scale is drawn. */
  y: (value: number) => number;
  top: number;
  format: (value: number) => string;
  second?: { top: number; format: (value: number) => string; tone: Tone };
}) {
  return (
    <>
      {[0, 0.5, 1].map((f) => (
        <g key={f}>
          <line
            x1={left}
            x2={right}
            y1={y(top * f)}
            y2={y(top * f)}
            className="stroke-slate-200 dark:stroke-slate-700"
          />
          <text x={left - 6} y={y(top * f) + 4} textAnchor="end" fontSize="11" className={LABEL}>
            {format(top * f)}
          </text>
          {second && (
            <text
              x={right + 6}
              y={y(top * f) + 4}
              fontSize="11"
              className={TONES[second.tone].fill}
            >
              {second.format(second.top * f)}
            </text>
          )}
        </g>
      ))}
    </>
  );
}

/** The first and last time the chart covers, under its two ends. */
export function TimeSpan({
  left,
  right,
  y,
  from,
  to,
}: {
  left: number;
  right: number;
  y: number;
  from: Date;
  to: Date;
}) {
  const local = useInBrowser();
  return (
    <>
      <text x={left} y={y} fontSize="11" className={LABEL}>
        {formatTime(from, local)}
      </text>
      <text x={right} y={y} fontSize="11" textAnchor="end" className={LABEL}>
        {formatTime(to, local)}
      </text>
    </>
  );
}
