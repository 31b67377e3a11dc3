'use client';

import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Badge } from '@/components/ui/badge';
import { Button } from '@/components/ui/button';
import { PageHeader, Section } from '@/components/ui/section';
import { ErrorNote, QueryState } from '@/components/ui/states';
import { Cell, Table } from '@/components/ui/table';
import { useTenant, type TenantRole } from '@/components/tenant/tenant-context';
import { When } from '@/components/ui/when';
import { useTRPC } from '@/lib/trpc';
import { AddMemberForm, RoleOptions } from './add-member-form';

export function MembersView() {
  const { slug, can } = useTenant();
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const members = useQuery(trpc.members.list.queryOptions({ tenantSlug: slug }));
  const refresh = () =>
    queryClient.invalidateQueries({ queryKey: trpc.members.list.queryKey({ tenantSlug: slug }) });
  const setRole = useMutation(trpc.members.setRole.mutationOptions({ onSettled: refresh }));
  const remove = useMutation(trpc.members.remove.mutationOptions({ onSettled: refresh }));
  const owner = can('OWNER');

  return (
    <>
      <PageHeader
        title="Members"
        description="Owners manage members; members run containers and tokens; viewers read."
      />
      <Section title="People in this tenant">
        {owner && <AddMemberForm tenantSlug={slug} />}
        {(setRole.error || remove.error) && (
          <ErrorNote error={setRole.error ?? remove.error} title="The change was refused" />
        )}
        <QueryState query={members} what="members">
          {(list) => (
            <Table caption="Members" head={['Email', 'Name', 'Role', 'Since', '']}>
              {list.map((m) => (
                <tr key={m.userId}>
                  <Cell className="font-medium">
                    {m.email} {m.disabled && <Badge tone="red">disabled</Badge>}
                  </Cell>
                  <Cell>{m.name ?? '—'}</Cell>
                  <Cell>
                    {owner ? (
                      <select
                        aria-label={`Role of ${m.email}`}
                        value={m.role}
                        disabled={setRole.isPending}
                        onChange={(e) =>
                          setRole.mutate({
                            tenantSlug: slug,
                            userId: m.userId,
                            role: e.target.value as TenantRole,
                          })
                        }
                        className="rounded-md border border-slate-300 dark:border-slate-600 bg-white dark:bg-slate-900 px-2 py-1 text-sm"
                      >
                        <RoleOptions />
                      </select>
                    ) : (
                      <Badge tone="blue">{m.role}</Badge>
                    )}
                  </Cell>
                  <Cell>
                    <When date={m.since} />
                  </Cell>
                  <Cell>
                    {owner && (
                      <Button
                        variant="secondary"
                        aria-label={`Remove ${m.email}`}
                        disabled={remove.isPending}
                        onClick={() =>
                          window.confirm(`Remove ${m.email} from this tenant?`) &&
                          remove.mutate({ tenantSlug: slug, userId: m.userId })
                        }
                      >
                        Remove
                      </Button>
                    )}
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
