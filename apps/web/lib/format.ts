const dateTime = new Intl.DateTimeFormat('en-GB', { dateStyle: 'medium', timeStyle: 'short' });
const time = new Intl.DateTimeFormat('en-GB', { timeStyle: 'medium' });
// The server knows no visitor's time zone: what it renders is in UTC, and says so, until the
// browser has taken the page over (components/ui/when.tsx).
const dateTimeUtc = new Intl.DateTimeFormat('en-GB', {
  dateStyle: 'medium',
  timeStyle: 'short',
  timeZone: 'UTC',
});
const timeUtc = new Intl.DateTimeFormat('en-GB', { timeStyle: 'medium', timeZone: 'UTC' });

export const formatDateTime = (d: Date | null | undefined, local = true) =>
  d ? (local ? dateTime.format(d) : `${dateTimeUtc.format(d)} UTC`) : '—';
export const formatTime = (d: Date, local = true) =>
  local ? time.format(d) : `${timeUtc.format(d)} UTC`;

export function formatAmount(
  value: number | null | undefined,
  unit: 'cpus' | 'MB' | 'gpus',
): string {
  if (value === null || value === undefined) return '—';
  if (unit === 'MB')
    return value >= 1024 ? `${(value / 1024).toFixed(value % 1024 ? 1 : 0)} GB` : `${value} MB`;
  return `${Number(value.toFixed(2))} ${unit === 'cpus' ? (value === 1 ? 'CPU' : 'CPUs') : value === 1 ? 'GPU' : 'GPUs'}`;
}
