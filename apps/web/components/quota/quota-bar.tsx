import { formatAmount } from '@/lib/format';

interface QuotaLine {
  guarantee: number | null;
  limit: number | null;
  used: number;
}

/**
 * Used against the limit, with the guarantee marked. Without a limit nothing can run out:
 * the bar is measured against the guarantee when there is one and never turns amber or red,
 * and with neither there is only the amount used.
 */
export function QuotaBar({
  label,
  line,
  unit,
}: {
  label: string;
  line: QuotaLine;
  unit: 'cpus' | 'MB' | 'gpus';
}) {
  const scale = line.limit ?? line.guarantee;
  if (scale === null || scale <= 0) {
    return (
      <div className="flex justify-between text-sm" data-testid="quota-line">
        <span className="font-medium text-slate-800 dark:text-slate-200">{label}</span>
        <span className="text-slate-700 dark:text-slate-300">
          {formatAmount(line.used, unit)} used · no limit
        </span>
      </div>
    );
  }
  const pct = Math.min(100, (line.used / scale) * 100);
  const over = line.limit !== null && line.used > line.limit;
  const bounded = line.limit !== null;
  const tone = !bounded
    ? 'bg-blue-700'
    : over || pct >= 90
      ? 'bg-red-600'
      : pct >= 70
        ? 'bg-amber-500'
        : 'bg-blue-700';
  return (
    <div data-testid="quota-line">
      <div className="mb-1 flex justify-between text-sm">
        <span className="font-medium text-slate-800 dark:text-slate-200">{label}</span>
        <span className="text-slate-700 dark:text-slate-300">
          {formatAmount(line.used, unit)} of{' '}
          {line.limit === null ? 'no limit' : formatAmount(line.limit, unit)}
          {line.guarantee !== null && ` · guaranteed ${formatAmount(line.guarantee, unit)}`}
        </span>
      </div>
      <div
        role="meter"
        aria-label={`${label} used`}
        aria-valuemin={0}
        aria-valuemax={scale}
        aria-valuenow={line.used}
        aria-valuetext={`${formatAmount(line.used, unit)} of ${line.limit === null ? 'no limit' : formatAmount(line.limit, unit)}`}
        className="relative h-3 overflow-hidden rounded-full bg-slate-200 dark:bg-slate-700"
      >
        <div data-testid="quota-fill" className={`h-full ${tone}`} style={{ width: `${pct}%` }} />
        {line.guarantee !== null && line.limit !== null && (
          <div
            aria-hidden
            className="absolute top-0 h-full w-0.5 bg-slate-900 dark:bg-slate-100"
            style={{ left: `${Math.min(100, (line.guarantee / scale) * 100)}%` }}
          />
        )}
      </div>
    </div>
  );
}
