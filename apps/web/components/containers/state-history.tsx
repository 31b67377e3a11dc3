'use client';

import { useQuery } from '@tanstack/react-query';
import { Cell, Table } from '@/components/ui/table';
import { Empty, QueryState } from '@/components/ui/states';
import { When } from '@/components/ui/when';
import { useTRPC } from '@/lib/trpc';

export function StateHistory({ tenantSlug, id }: { tenantSlug: string; id: string }) {
  const trpc = useTRPC();
  const history = useQuery(trpc.containers.history.queryOptions({ tenantSlug, ref: id }));
  return (
    <QueryState query={history} what="state history">
      {(updates) =>
        updates.length === 0 ? (
          <Empty title="No task updates yet">
            The container has not been launched on an agent.
          </Empty>
        ) : (
          <Table caption="Task state history" head={['When', 'State', 'Reason', 'Message', 'Task']}>
            {updates.map((u, i) => (
              <tr key={i}>
                <Cell className="whitespace-nowrap">
                  <When date={u.at} />
                </Cell>
                <Cell className="font-mono text-xs">{u.state}</Cell>
                <Cell className="text-xs">{u.reason ?? '—'}</Cell>
                <Cell className="text-xs">{u.message ?? '—'}</Cell>
                <Cell className="font-mono text-xs">{u.mesosTaskId}</Cell>
              </tr>
            ))}
          </Table>
        )
      }
    </QueryState>
  );
}
