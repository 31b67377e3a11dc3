'use client';

import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useRouter } from 'next/navigation';
import { useEffect, useState, type FormEvent } from 'react';
import { AuthCard } from '@/components/shell/auth-card';
import { Button } from '@/components/ui/button';
import { TextField } from '@/components/ui/field';
import { fieldErrorsOf, messageOf } from '@/lib/errors';
import { useTRPC } from '@/lib/trpc';

export default function ChangePasswordPage() {
  const trpc = useTRPC();
  const router = useRouter();
  const queryClient = useQueryClient();
  const me = useQuery(trpc.auth.me.queryOptions());
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [repeat, setRepeat] = useState('');
  const [mismatch, setMismatch] = useState(false);
  const change = useMutation(
    trpc.auth.changePassword.mutationOptions({
      onSuccess: async () => {
        await queryClient.invalidateQueries({ queryKey: trpc.auth.me.queryKey() });
        router.replace('/tenants');
      },
    }),
  );
  useEffect(() => {
    if (me.data === null) router.replace('/sign-in');
  }, [me.data, router]);
  const fields = fieldErrorsOf(change.error);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    setMismatch(next !== repeat);
    if (next === repeat) change.mutate({ currentPassword: current, newPassword: next });
  };

  return (
    <AuthCard title={me.data?.mustChangePassword ? 'Choose your own password' : 'Change password'}>
      {me.data?.mustChangePassword && (
        <p className="mb-4 text-sm text-slate-700 dark:text-slate-300">
          You signed in with a one-time password. Set a new one to continue.
        </p>
      )}
      <form onSubmit={submit} className="space-y-4" noValidate>
        <TextField
          label="Current password"
          type="password"
          autoComplete="current-password"
          value={current}
          onChange={(e) => setCurrent(e.target.value)}
          error={fields.currentPassword}
        />
        <TextField
          label="New password"
          type="password"
          autoComplete="new-password"
          hint="At least 10 characters."
          value={next}
          onChange={(e) => setNext(e.target.value)}
          error={fields.newPassword}
        />
        <TextField
          label="Repeat new password"
          type="password"
          autoComplete="new-password"
          value={repeat}
          onChange={(e) => setRepeat(e.target.value)}
          error={mismatch ? 'The passwords differ' : undefined}
        />
        {change.error && !Object.keys(fields).length && (
          <p role="alert" className="text-sm font-medium text-red-700 dark:text-red-300">
            {messageOf(change.error)}
          </p>
        )}
        <Button type="submit" className="w-full" disabled={change.isPending}>
          {change.isPending ? 'Saving…' : 'Set password'}
        </Button>
      </form>
    </AuthCard>
  );
}
