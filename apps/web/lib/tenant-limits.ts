// The admin forms' quota and weight fields as typed, read into numbers with a message per
// field; the control plane checks the same again.

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

export const quotaText = (q: Partial<Record<QuotaKey, number | null>> = {}): QuotaText =>
  Object.fromEntries(QUOTA_KEYS.map((k) => [k, q[k] == null ? '' : String(q[k])])) as QuotaText;

/** "−1" as typed or pasted from prose (a minus sign, not a hyphen) reads as the number it shows. */
const numberOf = (raw: string) => Number(raw.replace(/^[\u2212\u2012\u2013]/, '-'));

/**
 * Empty means "none"; anything else must be a number of 0 or more, and a guarantee may not be
 * above its limit. Each field's message names what is wrong with that field itself.
 */
export function parseQuota(text: QuotaText): {
  quota?: Record<QuotaKey, number | null>;
  errors: Partial<QuotaText>;
} {
  const errors: Partial<QuotaText> = {};
  const quota = {} as Record<QuotaKey, number | null>;
  for (const key of QUOTA_KEYS) {
    const raw = text[key].trim();
    const value = raw === '' ? null : numberOf(raw);
    if (value !== null && !Number.isFinite(value))
      errors[key] = 'Write a number, or leave it empty';
    else if (value !== null && value < 0) errors[key] = 'Cannot be negative: 0 or more';
    quota[key] = value;
  }
  for (const r of ['Cpus', 'Mem', 'Disk', 'Gpus'] as const) {
    const g = quota[`quota${r}Guarantee`];
    const l = quota[`quota${r}Limit`];
    // Only two valid amounts are compared: a bad one already has its own message.
    const valid = !errors[`quota${r}Guarantee`] && !errors[`quota${r}Limit`];
    if (valid && g != null && l != null && g > l)
      errors[`quota${r}Guarantee`] = `Above the limit (${l}): a guarantee can be at most its limit`;
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
