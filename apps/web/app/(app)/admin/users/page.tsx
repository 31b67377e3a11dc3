'use client';

import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { CreateUserForm } from '@/components/admin/create-user-form';
import { Badge } from '@/components/ui/badge';
import { Button } from '@/components/ui/button';
import { PageHeader, Section } from '@/components/ui/section';
import { ErrorNote, QueryState } from '@/components/ui/states';
import { Cell, Table } from '@/components/ui/table';
import { When } from '@/components/ui/when';
import { useTRPC } from '@/lib/trpc';

export default function AdminUsersPage() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const users = useQuery(trpc.admin.users.list.queryOptions());
  const refresh = () =>
    queryClient.invalidateQueries({ queryKey: trpc.admin.users.list.queryKey() });
  const setAdmin = useMutation(trpc.admin.users.setAdmin.mutationOptions({ onSettled: refresh }));
  const setDisabled = useMutation(
    trpc.admin.users.setDisabled.mutationOptions({ onSettled: refresh }),
  );
  const busy = setAdmin.isPending || setDisabled.isPending;

  return (
    <>
      <PageHeader
        title="Users"
        description="Accounts are created here; tenant owners then add them to their tenants."
      />
      <Section title="New user">
        <CreateUserForm />
      </Section>
      <Section title="All users">
        {(setAdmin.error || setDisabled.error) && (
          <ErrorNote error={setAdmin.error ?? setDisabled.error} title="The change was refused" />
        )}
        <QueryState query={users} what="users">
          {(list) => (
            <Table caption="Users" head={['Email', 'Tenants', 'Created', 'Status', '']}>
              {list.map((u) => (
                <tr key={u.id}>
                  <Cell>
                    <span className="font-medium">{u.email}</span>
                    {u.name && (
                      <span className="block text-xs text-slate-600 dark:text-slate-400">
                        {u.name}
                      </span>
                    )}
                  </Cell>
                  <Cell className="text-xs">
                    {u.memberships
                      .map((m) => `${m.tenantSlug} (${m.role.toLowerCase()})`)
                      .join(', ') || '—'}
                  </Cell>
                  <Cell>
                    <When date={u.createdAt} />
                  </Cell>
                  <Cell>
                    <span className="flex flex-wrap gap-1">
                      {u.isAdmin && <Badge tone="blue">admin</Badge>}
                      {u.disabled ? (
                        <Badge tone="red">disabled</Badge>
                      ) : (
                        <Badge tone="green">active</Badge>
                      )}
                      {u.mustChangePassword && <Badge tone="amber">one-time password</Badge>}
                    </span>
                  </Cell>
                  <Cell>
                    <span className="flex flex-wrap gap-2">
                      <Button
                        variant="secondary"
                        disabled={busy}
                        aria-label={`${u.isAdmin ? 'Revoke admin from' : 'Make admin'} ${u.email}`}
                        onClick={() => setAdmin.mutate({ userId: u.id, isAdmin: !u.isAdmin })}
                      >
                        {u.isAdmin ? 'Revoke admin' : 'Make admin'}
                      </Button>
                      <Button
                        variant={u.disabled ? 'secondary' : 'danger'}
                        disabled={busy}
                        aria-label={`${u.disabled ? 'Enable' : 'Disable'} ${u.email}`}
                        onClick={() =>
                          (u.disabled ||
                            window.confirm(`Disable ${u.email}? Their sessions end at once.`)) &&
                          setDisabled.mutate({ userId: u.id, disabled: !u.disabled })
                        }
                      >
                        {u.disabled ? 'Enable' : 'Disable'}
                      </Button>
                    </span>
                  </Cell>
                </tr>
              ))}
            </Table>
          )}
        </QueryState>
      </Section>
    </>
  );
}
