'use client';

import { TextField } from '@/components/ui/field';

export const QUOTA_KEYS = [
  'quotaCpusGuarantee',
  'quotaCpusLimit',
  'quotaMemGuarantee',
  'quotaMemLimit',
  'quotaDiskGuarantee',
  'quotaDiskLimit',
  'quotaGpusGuarantee',
  'quotaGpusLimit',
] as const;
export type QuotaKey = (typeof QUOTA_KEYS)[number];
export type QuotaText = Record<QuotaKey, string>;

const LABELS: Record<QuotaKey, string> = {
  quotaCpusGuarantee: 'CPU guarantee',
  quotaCpusLimit: 'CPU limit',
  quotaMemGuarantee: 'Memory guarantee (MB)',
  quotaMemLimit: 'Memory limit (MB)',
  quotaDiskGuarantee: 'Disk guarantee (MB)',
  quotaDiskLimit: 'Disk limit (MB)',
  quotaGpusGuarantee: 'GPU guarantee',
  quotaGpusLimit: 'GPU limit',
};

export const quotaText = (q: Partial<Record<QuotaKey, number | null>> = {}): QuotaText =>
  Object.fromEntries(QUOTA_KEYS.map((k) => [k, q[k] == null ? '' : String(q[k])])) as QuotaText;

/** Empty means "none"; anything else must be a non-negative number and a guarantee may not exceed its limit. */
function parseQuota(text: QuotaText): {
  quota?: Record<QuotaKey, number | null>;
  errors: Partial<QuotaText>;
} {
  const errors: Partial<QuotaText> = {};
  const quota = {} as Record<QuotaKey, number | null>;
  for (const key of QUOTA_KEYS) {
    const raw = text[key].trim();
    const value = raw === '' ? null : Number(raw);
    if (value !== null && (!Number.isFinite(value) || value < 0))
      errors[key] = 'A number, 0 or more';
    quota[key] = value;
  }
  for (const r of ['Cpus', 'Mem', 'Disk', 'Gpus'] as const) {
    const g = quota[`quota${r}Guarantee`];
    const l = quota[`quota${r}Limit`];
    if (g != null && l != null && g > l)
      errors[`quota${r}Guarantee`] = 'The guarantee exceeds the limit';
  }
  return Object.keys(errors).length ? { errors } : { quota, errors };
}

/** Quota and weight, validated the same way by the create and the edit form. */
export function parseTenantLimits(
  text: QuotaText,
  weight: string,
): {
  limits?: { quota: Record<QuotaKey, number | null>; weight: number };
  errors: Record<string, string>;
} {
  const { quota, errors } = parseQuota(text);
  const w = Number(weight);
  const found: Record<string, string> = { ...errors };
  if (!(w > 0)) found.weight = 'A weight is a number above 0';
  return quota && Object.keys(found).length === 0
    ? { limits: { quota, weight: w }, errors: found }
    : { errors: found };
}

export function QuotaFields({
  value,
  errors,
  onChange,
}: {
  value: QuotaText;
  errors: Partial<Record<string, string>>;
  onChange: (next: QuotaText) => void;
}) {
  return (
    <fieldset className="grid gap-3 sm:grid-cols-4">
      <legend className="mb-2 text-sm font-medium text-slate-800">Quota (empty: none)</legend>
      {QUOTA_KEYS.map((key) => (
        <TextField
          key={key}
          label={LABELS[key]}
          inputMode="decimal"
          value={value[key]}
          error={errors[key] ?? errors[`quota.${key}`]}
          onChange={(e) => onChange({ ...value, [key]: e.target.value })}
        />
      ))}
    </fieldset>
  );
}
