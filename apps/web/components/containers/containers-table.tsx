'use client';

import { useVirtualizer } from '@tanstack/react-virtual';
import Link from 'next/link';
import { useDeferredValue, useMemo, useRef, useState } from 'react';
import { StateBadge } from '@/components/ui/badge';
import { BulkActions } from './bulk-actions';
import { Empty } from '@/components/ui/states';
import { When } from '@/components/ui/when';
import { formatAmount } from '@/lib/format';
import { filterAndSort, type ContainerRow, type Sort, type SortKey } from './filter-containers';

const COLUMNS: { key: SortKey; label: string }[] = [
  { key: 'name', label: 'Name' },
  { key: 'image', label: 'Image' },
  { key: 'state', label: 'State' },
  { key: 'cpus', label: 'CPUs' },
  { key: 'memoryMb', label: 'Memory' },
  { key: 'host', label: 'Agent' },
  { key: 'createdAt', label: 'Created' },
];
const GRID =
  'grid grid-cols-[minmax(8rem,1.5fr)_minmax(8rem,1.5fr)_minmax(9rem,1.2fr)_4rem_5rem_minmax(6rem,1fr)_9rem] gap-3 px-3';
// With a first column of checkboxes, for those who may act on containers.
const GRID_SELECTABLE =
  'grid grid-cols-[1.25rem_minmax(8rem,1.5fr)_minmax(8rem,1.5fr)_minmax(9rem,1.2fr)_4rem_5rem_minmax(6rem,1fr)_9rem] gap-3 px-3';
const CHECKBOX =
  'size-4 accent-blue-700 dark:accent-blue-400 focus-visible:outline-2 focus-visible:outline-blue-700 dark:focus-visible:outline-blue-400';
const ROW_HEIGHT = 44;
const STATES = ['running', 'restarting', 'created', 'paused', 'exited', 'dead', 'removing'];

/**
 * Every container of the tenant, filtered and sorted in the browser. Only the
 * rows in view are rendered, so thousands stay quick to scroll and filter. Those who may
 * act on containers select rows to stop, restart or remove them together.
 */
export function ContainersTable({
  tenantSlug,
  containers,
  canAct = false,
}: {
  tenantSlug: string;
  containers: ContainerRow[];
  canAct?: boolean;
}) {
  const [search, setSearch] = useState('');
  const [state, setState] = useState('');
  const [sort, setSort] = useState<Sort>({ key: 'createdAt', descending: true });
  const deferredSearch = useDeferredValue(search);
  const rows = useMemo(
    () => filterAndSort(containers, deferredSearch, state, sort),
    [containers, deferredSearch, state, sort],
  );
  const [picked, setPicked] = useState<ReadonlySet<string>>(new Set());
  // Containers that left the list (removed, here or elsewhere) are no longer selected.
  const selected = useMemo(
    () => containers.filter((c) => picked.has(c.id)).map((c) => c.id),
    [containers, picked],
  );
  const names = useMemo(() => new Map(containers.map((c) => [c.id, c.name])), [containers]);
  const allShown = rows.length > 0 && rows.every((c) => picked.has(c.id));
  const toggle = (ids: string[], on: boolean) =>
    setPicked((current) => {
      const next = new Set(current);
      for (const id of ids) {
        if (on) next.add(id);
        else next.delete(id);
      }
      return next;
    });
  const grid = canAct ? GRID_SELECTABLE : GRID;
  const scroller = useRef<HTMLDivElement>(null);
  const virtualizer = useVirtualizer({
    count: rows.length,
    getScrollElement: () => scroller.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 12,
  });

  const toggleSort = (key: SortKey) =>
    setSort((s) => ({ key, descending: s.key === key ? !s.descending : key === 'createdAt' }));

  return (
    <div>
      <div className="mb-3 flex flex-wrap items-end gap-3">
        <label className="text-sm font-medium text-slate-800 dark:text-slate-200">
          Search
          <input
            type="search"
            value={search}
            onChange={(e) => setSearch(e.target.value)}
            placeholder="name, image, id or label"
            className="mt-1 block w-64 rounded-md border border-slate-300 dark:border-slate-600 px-3 py-1.5 text-sm font-normal focus-visible:outline-2 focus-visible:outline-blue-700 dark:focus-visible:outline-blue-400"
          />
        </label>
        <label className="text-sm font-medium text-slate-800 dark:text-slate-200">
          State
          <select
            value={state}
            onChange={(e) => setState(e.target.value)}
            className="mt-1 block rounded-md border border-slate-300 dark:border-slate-600 bg-white dark:bg-slate-900 px-3 py-1.5 text-sm font-normal focus-visible:outline-2 focus-visible:outline-blue-700 dark:focus-visible:outline-blue-400"
          >
            <option value="">All states</option>
            {STATES.map((s) => (
              <option key={s} value={s}>
                {s}
              </option>
            ))}
          </select>
        </label>
        <p
          role="status"
          className="ml-auto text-sm text-slate-600 dark:text-slate-400"
          data-testid="container-count"
        >
          {rows.length === containers.length ? '' : `${rows.length} of `}
          {containers.length} {containers.length === 1 ? 'container' : 'containers'}
        </p>
      </div>
      {canAct && (
        <BulkActions
          tenantSlug={tenantSlug}
          selected={selected}
          nameOf={(id) => names.get(id) ?? id}
          onDone={(failed) => setPicked(new Set(failed))}
          onClear={() => setPicked(new Set())}
        />
      )}
      {rows.length === 0 ? (
        <Empty title={containers.length === 0 ? 'No containers yet' : 'No container matches'}>
          {containers.length === 0
            ? 'Launch one here, or point the docker CLI at Shoal with an API token.'
            : 'Change the search or the state filter.'}
        </Empty>
      ) : (
        <div
          role="table"
          aria-label="Containers"
          aria-rowcount={rows.length + 1}
          className="overflow-x-auto rounded-lg border border-slate-200 dark:border-slate-700 bg-white dark:bg-slate-900"
        >
          <div className={canAct ? 'min-w-[58rem]' : 'min-w-[56rem]'}>
            <div
              role="rowgroup"
              className="border-b border-slate-200 dark:border-slate-700 bg-slate-50 dark:bg-slate-800"
            >
              <div
                role="row"
                aria-rowindex={1}
                className={`${grid} py-2 text-xs font-medium uppercase tracking-wide text-slate-600 dark:text-slate-400`}
              >
                {canAct && (
                  <div role="columnheader" className="flex items-center">
                    <input
                      type="checkbox"
                      className={CHECKBOX}
                      aria-label="Select every container shown"
                      checked={allShown}
                      onChange={(e) =>
                        toggle(
                          rows.map((c) => c.id),
                          e.target.checked,
                        )
                      }
                    />
                  </div>
                )}
                {COLUMNS.map((c) => (
                  <div
                    key={c.key}
                    role="columnheader"
                    aria-sort={
                      sort.key === c.key ? (sort.descending ? 'descending' : 'ascending') : 'none'
                    }
                  >
                    <button
                      type="button"
                      onClick={() => toggleSort(c.key)}
                      className="inline-flex items-center gap-1 uppercase hover:text-slate-900 dark:hover:text-slate-100 focus-visible:outline-2 focus-visible:outline-blue-700 dark:focus-visible:outline-blue-400"
                    >
                      {c.label}
                      <span aria-hidden>
                        {sort.key === c.key ? (sort.descending ? '▼' : '▲') : ''}
                      </span>
                    </button>
                  </div>
                ))}
              </div>
            </div>
            <div
              ref={scroller}
              role="rowgroup"
              className="max-h-[65vh] overflow-y-auto"
              tabIndex={0}
              aria-label="Container rows"
            >
              <div style={{ height: virtualizer.getTotalSize(), position: 'relative' }}>
                {virtualizer.getVirtualItems().map((item) => {
                  const c = rows[item.index]!;
                  return (
                    <div
                      key={c.id}
                      role="row"
                      aria-rowindex={item.index + 2}
                      data-testid="container-row"
                      className={`${grid} absolute left-0 top-0 w-full items-center border-b border-slate-100 dark:border-slate-800 text-sm`}
                      style={{ height: ROW_HEIGHT, transform: `translateY(${item.start}px)` }}
                    >
                      {canAct && (
                        <div role="cell" className="flex items-center">
                          <input
                            type="checkbox"
                            className={CHECKBOX}
                            aria-label={`Select ${c.name}`}
                            checked={picked.has(c.id)}
                            onChange={(e) => toggle([c.id], e.target.checked)}
                          />
                        </div>
                      )}
                      <div role="cell" className="truncate">
                        <Link
                          href={`/t/${tenantSlug}/containers/${c.id}`}
                          className="font-medium text-blue-800 dark:text-blue-300 underline-offset-2 hover:underline focus-visible:outline-2 focus-visible:outline-blue-700 dark:focus-visible:outline-blue-400"
                        >
                          {c.name}
                        </Link>
                      </div>
                      <div role="cell" className="truncate font-mono text-xs">
                        {c.image}
                      </div>
                      <div role="cell" className="flex items-center gap-2 truncate">
                        <StateBadge state={c.state} />
                        <span className="truncate text-xs text-slate-600 dark:text-slate-400">
                          {c.status}
                        </span>
                      </div>
                      <div role="cell">{c.spec.cpus}</div>
                      <div role="cell">{formatAmount(c.spec.memoryMb, 'MB')}</div>
                      <div role="cell" className="truncate text-xs">
                        {c.task?.hostname ?? '—'}
                      </div>
                      <div role="cell" className="text-xs text-slate-700 dark:text-slate-300">
                        <When date={c.createdAt} />
                      </div>
                    </div>
                  );
                })}
              </div>
            </div>
          </div>
        </div>
      )}
    </div>
  );
}
