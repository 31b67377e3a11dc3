'use client';

import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { Button } from '@/components/ui/button';
import { SelectField, TextField } from '@/components/ui/field';
import { fieldErrorsOf, messageOf } from '@/lib/errors';
import { useTRPC } from '@/lib/trpc';

type Role = 'OWNER' | 'MEMBER' | 'VIEWER';

export function AddMemberForm({ tenantSlug }: { tenantSlug: string }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [email, setEmail] = useState('');
  const [role, setRole] = useState<Role>('MEMBER');
  const add = useMutation(
    trpc.members.add.mutationOptions({
      onSuccess: () => {
        setEmail('');
        return queryClient.invalidateQueries({
          queryKey: trpc.members.list.queryKey({ tenantSlug }),
        });
      },
    }),
  );
  const fields = fieldErrorsOf(add.error);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    add.mutate({ tenantSlug, email, role });
  };
  return (
    <form
      onSubmit={submit}
      noValidate
      className="mb-4 grid items-end gap-4 sm:grid-cols-[1fr_10rem_auto]"
    >
      <TextField
        label="Email of an existing user"
        type="email"
        value={email}
        onChange={(e) => setEmail(e.target.value)}
        error={
          fields.email ??
          (add.error && !Object.keys(fields).length ? messageOf(add.error) : undefined)
        }
      />
      <SelectField label="Role" value={role} onChange={(e) => setRole(e.target.value as Role)}>
        <RoleOptions />
      </SelectField>
      <Button type="submit" disabled={add.isPending}>
        Add member
      </Button>
    </form>
  );
}

export function RoleOptions() {
  return (
    <>
      <option value="OWNER">Owner — manages members</option>
      <option value="MEMBER">Member — runs containers</option>
      <option value="VIEWER">Viewer — reads only</option>
    </>
  );
}
