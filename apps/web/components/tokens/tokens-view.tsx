'use client';

import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Badge } from '@/components/ui/badge';
import { Button } from '@/components/ui/button';
import { PageHeader, Section } from '@/components/ui/section';
import { Empty, ErrorNote, QueryState } from '@/components/ui/states';
import { Cell, Table } from '@/components/ui/table';
import { useTenant } from '@/components/tenant/tenant-context';
import { When } from '@/components/ui/when';
import { useTRPC } from '@/lib/trpc';
import { IssueTokenForm } from './issue-token-form';

export function TokensView({ dockerPort }: { dockerPort: number }) {
  const { slug, can } = useTenant();
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const tokens = useQuery(trpc.tokens.list.queryOptions({ tenantSlug: slug }));
  const revoke = useMutation(
    trpc.tokens.revoke.mutationOptions({
      onSettled: () =>
        queryClient.invalidateQueries({
          queryKey: trpc.tokens.list.queryKey({ tenantSlug: slug }),
        }),
    }),
  );

  return (
    <>
      <PageHeader
        title="API tokens"
        description="Bearer tokens for the Docker API: the docker CLI and SDKs act as this tenant with them."
      />
      {can('MEMBER') && (
        <Section title="New token">
          <IssueTokenForm tenantSlug={slug} dockerPort={dockerPort} />
        </Section>
      )}
      <Section title="Tokens">
        {revoke.error && <ErrorNote error={revoke.error} title="The token was not revoked" />}
        <QueryState query={tokens} what="tokens">
          {(list) =>
            list.length === 0 ? (
              <Empty title="No tokens yet" />
            ) : (
              <Table
                caption="API tokens"
                head={['Name', 'Token', 'Access', 'Created', 'Last used', 'Expires', 'Status', '']}
              >
                {list.map((t) => {
                  const expired = t.expiresAt !== null && t.expiresAt.getTime() < Date.now();
                  return (
                    <tr key={t.id}>
                      <Cell className="font-medium">{t.name}</Cell>
                      <Cell className="font-mono text-xs">shoal_{t.prefix}_…</Cell>
                      <Cell>{t.scope === 'READ_WRITE' ? 'read/write' : 'read only'}</Cell>
                      <Cell>
                        <When date={t.createdAt} />
                      </Cell>
                      <Cell>
                        <When date={t.lastUsedAt} />
                      </Cell>
                      <Cell>{t.expiresAt ? <When date={t.expiresAt} /> : 'never'}</Cell>
                      <Cell>
                        {t.revokedAt ? (
                          <Badge tone="red">revoked</Badge>
                        ) : expired ? (
                          <Badge tone="amber">expired</Badge>
                        ) : (
                          <Badge tone="green">active</Badge>
                        )}
                      </Cell>
                      <Cell>
                        {can('MEMBER') && !t.revokedAt && (
                          <Button
                            variant="danger"
                            aria-label={`Revoke token ${t.name}`}
                            disabled={revoke.isPending}
                            onClick={() =>
                              window.confirm(
                                `Revoke “${t.name}”? Clients using it stop working at once.`,
                              ) && revoke.mutate({ tenantSlug: slug, tokenId: t.id })
                            }
                          >
                            Revoke
                          </Button>
                        )}
                      </Cell>
                    </tr>
                  );
                })}
              </Table>
            )
          }
        </QueryState>
      </Section>
    </>
  );
}
