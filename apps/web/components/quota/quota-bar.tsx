import { formatAmount } from '@/lib/format';

interface QuotaLine {
  guarantee: number | null;
  limit: number | null;
  used: number;
}

/** Used against the limit, with the guarantee marked; no limit means the bar has no end. */
export function QuotaBar({ label, line, unit }: { label: string; line: QuotaLine; unit: 'cpus' | 'MB' | 'gpus' }) {
  const scale = line.limit ?? Math.max(line.used, line.guarantee ?? 0, 1);
  const pct = Math.min(100, (line.used / scale) * 100);
  const over = line.limit !== null && line.used > line.limit;
  const tone = over || pct >= 90 ? 'bg-red-600' : pct >= 70 ? 'bg-amber-500' : 'bg-blue-700';
  return (
    <div>
      <div className="mb-1 flex justify-between text-sm">
        <span className="font-medium text-slate-800">{label}</span>
        <span className="text-slate-700">
          {formatAmount(line.used, unit)} of {line.limit === null ? 'no limit' : formatAmount(line.limit, unit)}
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
        className="relative h-3 overflow-hidden rounded-full bg-slate-200"
      >
        <div className={`h-full ${tone}`} style={{ width: `${pct}%` }} />
        {line.guarantee !== null && line.limit !== null && (
          <div aria-hidden className="absolute top-0 h-full w-0.5 bg-slate-900" style={{ left: `${Math.min(100, (line.guarantee / scale) * 100)}%` }} />
        )}
      </div>
    </div>
  );
}
