import { roundUp } from '@/lib/usage-series';
import { ScaleLines, SeriesLine, Swatch, TimeSpan, type Tone } from './chart-parts';

export interface LinePoint {
  at: Date;
  value: number;
}

export interface LineSeries {
  label: string;
  tone: Tone;
  dashed?: boolean;
  points: LinePoint[];
}

// Near the width a chart is drawn at in a three-column row, so its text stays legible.
const W = 320;
const H = 150;
const PAD = { left: 58, right: 10, top: 10, bottom: 24 };

/**
 * Series over time as lines on one scale, from 0 to `max` (or the largest value). The legend
 * says each series' latest value, so the figure reads without the lines; so does its label.
 */
export function LineChart({
  title,
  series,
  format,
  max,
  empty,
  roundTop = roundUp,
}: {
  title: string;
  series: LineSeries[];
  /** Writes a value with its unit, short enough for the axis ("2 KB/s"). */
  format: (value: number) => string;
  /** The top of the scale (a limit), when the values have one. */
  max?: number;
  /** Shown while there is nothing to draw. */
  empty: string;
  /** A round number at or above a value, for the top of the scale. */
  roundTop?: (value: number) => number;
}) {
  const all = series.flatMap((s) => s.points);
  // A limit is the top when values stay under it; otherwise a round number above them.
  const highest = Math.max(0, ...all.map((p) => p.value));
  const top = max !== undefined && max >= highest && max > 0 ? max : roundTop(highest * 1.1);
  const times = all.map((p) => p.at.getTime());
  const t0 = Math.min(...times);
  const t1 = Math.max(...times);
  const x = (at: Date) =>
    PAD.left + ((at.getTime() - t0) / Math.max(1, t1 - t0)) * (W - PAD.left - PAD.right);
  const y = (v: number) => H - PAD.bottom - (v / top) * (H - PAD.top - PAD.bottom);
  const latest = series.map((s) => {
    const last = s.points.at(-1);
    return { ...s, text: last ? format(last.value) : '—' };
  });
  const summary = latest.map((s) => `${s.label} ${s.text}`).join(', ');

  return (
    <figure className="min-w-0">
      <figcaption className="mb-1 flex flex-wrap items-baseline gap-x-4 gap-y-1 text-sm">
        <span className="font-medium text-slate-800 dark:text-slate-100">{title}</span>
        {latest.map((s) => (
          <span
            key={s.label}
            className="inline-flex items-center gap-1 text-slate-700 dark:text-slate-300"
          >
            <Swatch tone={s.tone} dashed={s.dashed} />
            {s.label} <span className="font-mono tabular-nums">{s.text}</span>
          </span>
        ))}
      </figcaption>
      {all.length === 0 ? (
        <p className="py-8 text-center text-sm text-slate-600 dark:text-slate-400">{empty}</p>
      ) : (
        <svg
          viewBox={`0 0 ${W} ${H}`}
          className="h-auto w-full"
          role="img"
          aria-label={`${title}, latest: ${summary}; ${all.length === 1 ? 'one reading' : `${Math.max(...series.map((s) => s.points.length))} readings`}`}
        >
          <ScaleLines left={PAD.left} right={W - PAD.right} y={y} top={top} format={format} />
          <TimeSpan
            left={PAD.left}
            right={W - PAD.right}
            y={H - 6}
            from={new Date(t0)}
            to={new Date(t1)}
          />
          {series.map((s) => (
            <SeriesLine
              key={s.label}
              points={s.points.map((p) => ({ x: x(p.at), y: y(p.value) }))}
              tone={s.tone}
              dashed={s.dashed}
            />
          ))}
        </svg>
      )}
    </figure>
  );
}
