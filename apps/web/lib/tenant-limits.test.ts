import { describe, expect, it } from 'vitest';
import { parseQuota, parseTenantLimits, quotaText } from './tenant-limits';

describe('the admin forms’ quota fields', () => {
  it('says a negative guarantee is negative, not that it exceeds a limit', () => {
    expect(parseQuota(quotaText({ quotaCpusGuarantee: -1, quotaCpusLimit: 4 })).errors).toEqual({
      quotaCpusGuarantee: 'Cannot be negative: 0 or more',
    });
    // A minus sign, as pasted from prose, is read as the minus it shows.
    expect(parseQuota({ ...quotaText(), quotaCpusGuarantee: '−1' }).errors).toEqual({
      quotaCpusGuarantee: 'Cannot be negative: 0 or more',
    });
  });

  it('blames a negative limit on the limit alone', () => {
    expect(parseQuota(quotaText({ quotaMemGuarantee: 512, quotaMemLimit: -1 })).errors).toEqual({
      quotaMemLimit: 'Cannot be negative: 0 or more',
    });
  });

  it('compares two valid amounts, and takes empty fields as none', () => {
    expect(parseQuota(quotaText({ quotaCpusGuarantee: 8, quotaCpusLimit: 2 })).errors).toEqual({
      quotaCpusGuarantee: 'Above the limit (2): a guarantee can be at most its limit',
    });
    expect(parseQuota({ ...quotaText(), quotaGpusLimit: 'two' }).errors).toEqual({
      quotaGpusLimit: 'Write a number, or leave it empty',
    });
    expect(parseTenantLimits(quotaText({ quotaCpusLimit: 2 }), '1').limits).toEqual({
      quota: {
        ...Object.fromEntries(Object.keys(quotaText()).map((k) => [k, null])),
        quotaCpusLimit: 2,
      },
      weight: 1,
    });
  });
});
