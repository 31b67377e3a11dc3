'use client';

import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { Button } from '@/components/ui/button';
import { SelectField, TextField } from '@/components/ui/field';
import { Code, SecretNotice } from '@/components/ui/section';
import { fieldErrorsOf, messageOf } from '@/lib/errors';
import { useTRPC } from '@/lib/trpc';
import { dockerSnippet } from './docker-snippet';

export function IssueTokenForm({
  tenantSlug,
  dockerPort,
}: {
  tenantSlug: string;
  dockerPort: number;
}) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [name, setName] = useState('');
  const [scope, setScope] = useState<'READ_WRITE' | 'READ_ONLY'>('READ_WRITE');
  const [expiry, setExpiry] = useState('');
  const issue = useMutation(
    trpc.tokens.issue.mutationOptions({
      onSuccess: () => {
        setName('');
        return queryClient.invalidateQueries({
          queryKey: trpc.tokens.list.queryKey({ tenantSlug }),
        });
      },
    }),
  );
  const fields = fieldErrorsOf(issue.error);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    issue.mutate({ tenantSlug, name, scope, ...(expiry ? { expiresInDays: Number(expiry) } : {}) });
  };
  const host = typeof window === 'undefined' ? 'localhost' : window.location.hostname;

  return (
    <>
      {issue.data && (
        <SecretNotice
          title={`Token “${issue.data.token.name}” created. Copy it now: it is not shown again.`}
        >
          <Code label="Token secret">{issue.data.secret}</Code>
          <p>Point the docker CLI at this tenant:</p>
          <Code label="Docker CLI configuration">
            {dockerSnippet(issue.data.secret, tenantSlug, `${host}:${dockerPort}`)}
          </Code>
          <Button
            variant="secondary"
            onClick={() => void navigator.clipboard?.writeText(issue.data.secret)}
          >
            Copy secret
          </Button>
        </SecretNotice>
      )}
      <form
        onSubmit={submit}
        noValidate
        className="grid items-end gap-4 sm:grid-cols-[1fr_12rem_10rem_auto]"
      >
        <TextField
          label="Token name"
          placeholder="laptop, ci…"
          value={name}
          onChange={(e) => setName(e.target.value)}
          error={fields.name}
        />
        <SelectField
          label="Access"
          value={scope}
          onChange={(e) => setScope(e.target.value as typeof scope)}
        >
          <option value="READ_WRITE">Read and write</option>
          <option value="READ_ONLY">Read only</option>
        </SelectField>
        <SelectField label="Expires" value={expiry} onChange={(e) => setExpiry(e.target.value)}>
          <option value="">Never</option>
          <option value="7">In 7 days</option>
          <option value="30">In 30 days</option>
          <option value="90">In 90 days</option>
          <option value="365">In a year</option>
        </SelectField>
        <Button type="submit" disabled={issue.isPending}>
          {issue.isPending ? 'Creating…' : 'Create token'}
        </Button>
      </form>
      {issue.error && !Object.keys(fields).length && (
        <p role="alert" className="mt-2 text-sm font-medium text-red-700 dark:text-red-300">
          {messageOf(issue.error)}
        </p>
      )}
    </>
  );
}
