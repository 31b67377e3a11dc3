const dateTime = new Intl.DateTimeFormat('en-GB', { dateStyle: 'medium', timeStyle: 'short' });
const time = new Intl.DateTimeFormat('en-GB', { timeStyle: 'medium' });

export const formatDateTime = (d: Date | null | undefined) => (d ? dateTime.format(d) : '—');
export const formatTime = (d: Date) => time.format(d);

export function formatAmount(
  value: number | null | undefined,
  unit: 'cpus' | 'MB' | 'gpus',
): string {
  if (value === null || value === undefined) return '—';
  if (unit === 'MB')
    return value >= 1024 ? `${(value / 1024).toFixed(value % 1024 ? 1 : 0)} GB` : `${value} MB`;
  return `${Number(value.toFixed(2))} ${unit === 'cpus' ? (value === 1 ? 'CPU' : 'CPUs') : value === 1 ? 'GPU' : 'GPUs'}`;
}
