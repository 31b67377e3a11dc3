const RANGES = [1, 6, 24, 24 * 7];

/** How many hours of offer statistics a chart shows: an hour up to a week. */
export function OfferRangeSelect({
  hours,
  onChange,
}: {
  hours: number;
  onChange: (hours: number) => void;
}) {
  return (
    <label className="text-sm text-slate-800 dark:text-slate-200">
      Range{' '}
      <select
        value={hours}
        onChange={(e) => onChange(Number(e.target.value))}
        className="rounded-md border border-slate-300 dark:border-slate-600 bg-white dark:bg-slate-900 px-2 py-1 text-sm"
      >
        {RANGES.map((h) => (
          <option key={h} value={h}>
            {h < 24 ? `${h} h` : `${h / 24} d`}
          </option>
        ))}
      </select>
    </label>
  );
}
