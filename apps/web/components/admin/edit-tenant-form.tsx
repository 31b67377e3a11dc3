'use client';

import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { Button } from '@/components/ui/button';
import { SelectField, TextField } from '@/components/ui/field';
import { fieldErrorsOf, messageOf } from '@/lib/errors';
import { useTRPC } from '@/lib/trpc';
import { parseTenantLimits, quotaText, type QuotaKey, type QuotaText } from '@/lib/tenant-limits';
import { QuotaFields } from './quota-fields';

interface EditableTenant extends Record<QuotaKey, number | null> {
  id: string;
  slug: string;
  mesosRole: string;
  weight: number;
  runtime: 'docker' | 'ucr' | null;
}

/** Role, weight and quota of one tenant; quota and settings are saved together. */
export function EditTenantForm({ tenant, onDone }: { tenant: EditableTenant; onDone: () => void }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [role, setRole] = useState(tenant.mesosRole);
  const [weight, setWeight] = useState(String(tenant.weight));
  const [runtime, setRuntime] = useState<string>(tenant.runtime ?? 'default');
  const [quota, setQuota] = useState<QuotaText>(quotaText(tenant));
  const [localErrors, setLocalErrors] = useState<Record<string, string>>({});
  const refresh = () =>
    queryClient.invalidateQueries({ queryKey: trpc.admin.tenants.list.queryKey() });
  const update = useMutation(trpc.admin.tenants.update.mutationOptions());
  const setQuotaCall = useMutation(trpc.admin.tenants.setQuota.mutationOptions());
  const failed = update.error ?? setQuotaCall.error;
  const errors = { ...fieldErrorsOf(failed), ...localErrors };

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const { limits, errors: found } = parseTenantLimits(quota, weight);
    setLocalErrors(found);
    if (!limits) return;
    try {
      await update.mutateAsync({
        tenantId: tenant.id,
        weight: limits.weight,
        runtime: runtime === 'docker' || runtime === 'ucr' ? runtime : null,
        ...(role.trim() !== tenant.mesosRole ? { mesosRole: role.trim() } : {}),
      });
      await setQuotaCall.mutateAsync({ tenantId: tenant.id, quota: limits.quota });
      onDone();
    } catch {
      // shown from the mutations' error state
    } finally {
      await refresh();
    }
  };

  return (
    <form
      onSubmit={submit}
      noValidate
      className="space-y-4 bg-slate-50 dark:bg-slate-800 p-4"
      aria-label={`Edit tenant ${tenant.slug}`}
    >
      <div className="grid gap-3 sm:grid-cols-4">
        <TextField
          label="Mesos role"
          value={role}
          onChange={(e) => setRole(e.target.value)}
          error={errors.mesosRole}
          hint="Only while no container runs"
        />
        <TextField
          label="Weight"
          inputMode="decimal"
          value={weight}
          onChange={(e) => setWeight(e.target.value)}
          error={errors.weight}
        />
        <SelectField
          label="Runtime"
          value={runtime}
          onChange={(e) => setRuntime(e.target.value)}
          error={errors.runtime}
          hint="For containers created from now on"
        >
          <option value="default">Cluster default</option>
          <option value="docker">docker (Docker containerizer)</option>
          <option value="ucr">ucr (Mesos containerizer: exec, -i, -t)</option>
        </SelectField>
      </div>
      <QuotaFields value={quota} errors={errors} onChange={setQuota} />
      {failed && !Object.keys(errors).length && (
        <p role="alert" className="text-sm font-medium text-red-700 dark:text-red-300">
          {messageOf(failed)}
        </p>
      )}
      <div className="flex gap-2">
        <Button type="submit" disabled={update.isPending || setQuotaCall.isPending}>
          Save
        </Button>
        <Button variant="secondary" onClick={onDone}>
          Cancel
        </Button>
      </div>
    </form>
  );
}
