'use client';

import { useDeferredValue, useState } from 'react';
import { AgentActions } from '@/components/admin/agent-actions';
import { Badge } from '@/components/ui/badge';
import { Button } from '@/components/ui/button';
import { Cell, Table } from '@/components/ui/table';
import { formatAmount } from '@/lib/format';
import { agentPage, type Agent } from './cluster-model';

const PAGE_SIZE = 25;

const used = (a: Agent) =>
  `${formatAmount(a.used.cpus, 'cpus')} / ${formatAmount(a.total.cpus, 'cpus')} · ${formatAmount(a.used.memoryMb, 'MB')} / ${formatAmount(a.total.memoryMb, 'MB')}`;

/** The agents, searchable by hostname, id or attribute, a page at a time. */
export function AgentsTable({ agents }: { agents: Agent[] }) {
  const [search, setSearch] = useState('');
  const [page, setPage] = useState(1);
  const deferred = useDeferredValue(search);
  const view = agentPage(agents, deferred, page, PAGE_SIZE);
  const first = view.matching === 0 ? 0 : (view.page - 1) * PAGE_SIZE + 1;
  const last = Math.min(view.page * PAGE_SIZE, view.matching);
  return (
    <div>
      <div className="mb-3 flex flex-wrap items-end gap-3">
        <label className="text-sm font-medium text-slate-800 dark:text-slate-200">
          Search agents
          <input
            type="search"
            value={search}
            onChange={(e) => {
              setSearch(e.target.value);
              setPage(1);
            }}
            placeholder="hostname, id or attribute"
            className="mt-1 block w-64 max-w-full rounded-md border border-slate-300 dark:border-slate-600 px-3 py-1.5 text-sm font-normal focus-visible:outline-2 focus-visible:outline-blue-700 dark:focus-visible:outline-blue-400"
          />
        </label>
        <p
          role="status"
          className="ml-auto text-sm text-slate-600 dark:text-slate-400"
          data-testid="agent-range"
        >
          {view.matching === 0
            ? `No agent of ${agents.length} matches`
            : `${first}–${last} of ${view.matching}${view.matching === agents.length ? '' : ` matching (${agents.length} in all)`} agents`}
        </p>
      </div>
      <Table caption="Agents" head={['Agent', 'Used / total', 'State', 'Actions']}>
        {view.rows.map((a) => (
          <tr key={a.id} data-testid="agent-row">
            <Cell>
              <span className="font-medium">{a.hostname}</span>
              <span className="block font-mono text-xs text-slate-600 dark:text-slate-400">
                {a.id}
              </span>
            </Cell>
            <Cell className="text-xs">{used(a)}</Cell>
            <Cell>
              <span className="flex flex-wrap gap-1">
                <Badge tone={a.active ? 'green' : 'red'}>{a.active ? 'active' : 'inactive'}</Badge>
                {a.drainState && <Badge tone="amber">{a.drainState.toLowerCase()}</Badge>}
                {a.maintenance && (
                  <Badge tone="amber">{`maintenance ${a.maintenance.toLowerCase()}`}</Badge>
                )}
              </span>
            </Cell>
            <Cell>
              <AgentActions agent={a} />
            </Cell>
          </tr>
        ))}
      </Table>
      {view.pages > 1 && (
        <nav aria-label="Agent pages" className="mt-3 flex items-center justify-end gap-2 text-sm">
          <Button
            variant="secondary"
            disabled={view.page <= 1}
            onClick={() => setPage(view.page - 1)}
          >
            Previous
          </Button>
          <span>
            Page {view.page} of {view.pages}
          </span>
          <Button
            variant="secondary"
            disabled={view.page >= view.pages}
            onClick={() => setPage(view.page + 1)}
          >
            Next
          </Button>
        </nav>
      )}
    </div>
  );
}
