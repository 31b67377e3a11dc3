'use client';

import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { Button } from '@/components/ui/button';
import { CheckboxField, TextField } from '@/components/ui/field';
import { Code, SecretNotice } from '@/components/ui/section';
import { fieldErrorsOf, messageOf } from '@/lib/errors';
import { useTRPC } from '@/lib/trpc';

export function CreateUserForm() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [email, setEmail] = useState('');
  const [name, setName] = useState('');
  const [isAdmin, setIsAdmin] = useState(false);
  const create = useMutation(
    trpc.admin.users.create.mutationOptions({
      onSuccess: () => {
        setEmail('');
        setName('');
        setIsAdmin(false);
        return queryClient.invalidateQueries({ queryKey: trpc.admin.users.list.queryKey() });
      },
    }),
  );
  const fields = fieldErrorsOf(create.error);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    create.mutate({ email, name, isAdmin });
  };
  return (
    <>
      {create.data && (
        <SecretNotice
          title={`Account ${create.data.email} created. Hand over this one-time password now: it is not shown again.`}
        >
          <Code label="One-time password">{create.data.oneTimePassword}</Code>
          <p>The user must choose a new password at first sign-in.</p>
        </SecretNotice>
      )}
      <form
        onSubmit={submit}
        noValidate
        className="grid items-end gap-4 sm:grid-cols-[1fr_1fr_auto_auto]"
        aria-label="Create a user"
      >
        <TextField
          label="Email"
          type="email"
          value={email}
          onChange={(e) => setEmail(e.target.value)}
          error={fields.email}
        />
        <TextField
          label="Name"
          value={name}
          onChange={(e) => setName(e.target.value)}
          error={fields.name}
        />
        <CheckboxField
          label="Cluster admin"
          checked={isAdmin}
          onChange={(e) => setIsAdmin(e.target.checked)}
        />
        <Button type="submit" disabled={create.isPending}>
          {create.isPending ? 'Creating…' : 'Create user'}
        </Button>
      </form>
      {create.error && !Object.keys(fields).length && (
        <p role="alert" className="mt-2 text-sm font-medium text-red-700 dark:text-red-300">
          {messageOf(create.error)}
        </p>
      )}
    </>
  );
}
