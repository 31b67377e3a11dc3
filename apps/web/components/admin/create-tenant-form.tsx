'use client';

import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { Button } from '@/components/ui/button';
import { TextField } from '@/components/ui/field';
import { fieldErrorsOf, messageOf } from '@/lib/errors';
import { useTRPC } from '@/lib/trpc';
import { parseTenantLimits, quotaText, type QuotaText } from '@/lib/tenant-limits';
import { QuotaFields } from './quota-fields';

export function CreateTenantForm() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [slug, setSlug] = useState('');
  const [name, setName] = useState('');
  const [role, setRole] = useState('');
  const [weight, setWeight] = useState('1');
  const [quota, setQuota] = useState<QuotaText>(quotaText());
  const [localErrors, setLocalErrors] = useState<Record<string, string>>({});
  const create = useMutation(
    trpc.admin.tenants.create.mutationOptions({
      onSuccess: () => {
        setSlug('');
        setName('');
        setRole('');
        setQuota(quotaText());
        void queryClient.invalidateQueries({ queryKey: trpc.admin.tenants.list.queryKey() });
        void queryClient.invalidateQueries({ queryKey: trpc.tenants.mine.queryKey() });
      },
    }),
  );
  const errors = { ...fieldErrorsOf(create.error), ...localErrors };

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const { limits, errors: found } = parseTenantLimits(quota, weight);
    setLocalErrors(found);
    if (!limits) return;
    create.mutate({
      slug: slug.trim(),
      name: name.trim() || slug.trim(),
      ...limits,
      ...(role.trim() ? { mesosRole: role.trim() } : {}),
    });
  };

  return (
    <form onSubmit={submit} noValidate className="space-y-4" aria-label="Create a tenant">
      <div className="grid gap-3 sm:grid-cols-4">
        <TextField
          label="Slug"
          placeholder="data-team"
          hint="3-40 lower-case letters, digits, -"
          value={slug}
          onChange={(e) => setSlug(e.target.value)}
          error={errors.slug}
        />
        <TextField
          label="Display name"
          value={name}
          onChange={(e) => setName(e.target.value)}
          error={errors.name}
        />
        <TextField
          label="Mesos role"
          placeholder={slug ? `shoal-${slug}` : 'shoal-<slug>'}
          hint="Empty: the default role"
          value={role}
          onChange={(e) => setRole(e.target.value)}
          error={errors.mesosRole}
        />
        <TextField
          label="Weight"
          inputMode="decimal"
          value={weight}
          onChange={(e) => setWeight(e.target.value)}
          error={errors.weight}
        />
      </div>
      <QuotaFields value={quota} errors={errors} onChange={setQuota} />
      {create.error && !Object.keys(errors).length && (
        <p role="alert" className="text-sm font-medium text-red-700 dark:text-red-300">
          {messageOf(create.error)}
        </p>
      )}
      {create.data && (
        <p role="status" className="text-sm text-green-800 dark:text-green-300">
          Tenant {create.data.slug} created with role {create.data.mesosRole}.
        </p>
      )}
      <Button type="submit" disabled={create.isPending}>
        {create.isPending ? 'Creating…' : 'Create tenant'}
      </Button>
    </form>
  );
}
