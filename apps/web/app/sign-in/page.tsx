'use client';

import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useRouter } from 'next/navigation';
import { useState, type FormEvent } from 'react';
import { AuthCard } from '@/components/shell/auth-card';
import { Button } from '@/components/ui/button';
import { TextField } from '@/components/ui/field';
import { fieldErrorsOf, messageOf } from '@/lib/errors';
import { safeNextPath } from '@/lib/safe-next-path';
import { useTRPC } from '@/lib/trpc';

// Only same-site paths, so a crafted link cannot send a user elsewhere after signing in.
const nextPath = () =>
  safeNextPath(new URLSearchParams(window.location.search).get('next'), window.location.origin);

export default function SignInPage() {
  const trpc = useTRPC();
  const router = useRouter();
  const queryClient = useQueryClient();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const signIn = useMutation(
    trpc.auth.signIn.mutationOptions({
      onSuccess: (user) => {
        queryClient.setQueryData(trpc.auth.me.queryKey(), user);
        router.replace(user.mustChangePassword ? '/change-password' : nextPath());
      },
    }),
  );
  const fields = fieldErrorsOf(signIn.error);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    signIn.mutate({ email, password });
  };

  return (
    <AuthCard title="Sign in">
      <form onSubmit={submit} className="space-y-4" noValidate>
        <TextField
          label="Email"
          type="email"
          autoComplete="username"
          required
          value={email}
          onChange={(e) => setEmail(e.target.value)}
          error={fields.email}
        />
        <TextField
          label="Password"
          type="password"
          autoComplete="current-password"
          required
          value={password}
          onChange={(e) => setPassword(e.target.value)}
          error={fields.password}
        />
        {signIn.error && !Object.keys(fields).length && (
          <p role="alert" className="text-sm font-medium text-red-700 dark:text-red-300">
            {messageOf(signIn.error)}
          </p>
        )}
        <Button type="submit" className="w-full" disabled={signIn.isPending}>
          {signIn.isPending ? 'Signing in…' : 'Sign in'}
        </Button>
      </form>
      <p className="mt-4 text-xs text-slate-600 dark:text-slate-400">
        First start? The admin’s one-time password is printed by the server and saved in
        <code className="mx-1">.data/first-start.txt</code>.
      </p>
    </AuthCard>
  );
}
