'use client';

import { TextField } from '@/components/ui/field';
import { QUOTA_KEYS, type QuotaKey, type QuotaText } from '@/lib/tenant-limits';

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
      <legend className="mb-2 text-sm font-medium text-slate-800 dark:text-slate-200">
        Quota (empty: none)
      </legend>
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
