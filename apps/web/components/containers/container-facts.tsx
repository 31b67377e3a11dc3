import type { ReactNode } from 'react';
import { When } from '@/components/ui/when';
import { formatAmount } from '@/lib/format';

interface Facts {
  id: string;
  image: string;
  status: string;
  exitCode: number | null;
  error: string | null;
  restartCount: number;
  createdAt: Date;
  startedAt: Date | null;
  finishedAt: Date | null;
  spec: {
    cmd?: string[] | undefined;
    env: string[];
    labels: Record<string, string>;
    cpus: number;
    memoryMb: number;
    restartPolicy: { name: string; maximumRetryCount?: number | undefined };
    bestEffort: boolean;
  };
  task: {
    mesosTaskId: string;
    agentId?: string | undefined;
    hostname?: string | undefined;
    state: string;
    ports: { containerPort: number; hostPort: number; protocol: string }[];
  } | null;
}

function Fact({ label, children }: { label: string; children: ReactNode }) {
  return (
    <>
      <dt className="text-slate-600 dark:text-slate-400">{label}</dt>
      <dd className="break-all text-slate-900 dark:text-slate-100">{children}</dd>
    </>
  );
}

export function ContainerFacts({ c }: { c: Facts }) {
  const ports = c.task?.ports
    .map((p) => `${p.hostPort}→${p.containerPort}/${p.protocol}`)
    .join(', ');
  return (
    <dl className="grid grid-cols-[7rem_minmax(0,1fr)] gap-x-4 gap-y-2 text-sm sm:grid-cols-[9rem_minmax(0,1fr)]">
      <Fact label="Status">
        {c.status}
        {c.error ? ` — ${c.error}` : ''}
      </Fact>
      <Fact label="Image">
        <code className="font-mono">{c.image}</code>
      </Fact>
      <Fact label="Id">
        <code className="font-mono text-xs">{c.id}</code>
      </Fact>
      <Fact label="Command">
        <code className="font-mono text-xs">{c.spec.cmd?.join(' ') ?? 'image default'}</code>
      </Fact>
      <Fact label="Resources">
        {formatAmount(c.spec.cpus, 'cpus')} · {formatAmount(c.spec.memoryMb, 'MB')}
        {c.spec.bestEffort ? ' · best effort' : ''}
      </Fact>
      <Fact label="Restart policy">
        {c.spec.restartPolicy.name}
        {c.restartCount ? ` (restarted ${c.restartCount}×)` : ''}
      </Fact>
      <Fact label="Mesos task">
        <code className="font-mono text-xs">
          {c.task ? `${c.task.mesosTaskId} · ${c.task.state}` : '—'}
        </code>
      </Fact>
      <Fact label="Agent">
        {c.task?.hostname ? `${c.task.hostname} (${c.task.agentId ?? '?'})` : '—'}
      </Fact>
      <Fact label="Ports">{ports || '—'}</Fact>
      <Fact label="Environment">
        {c.spec.env.length ? (
          <code className="font-mono text-xs">{c.spec.env.join(' ')}</code>
        ) : (
          '—'
        )}
      </Fact>
      <Fact label="Labels">
        {Object.entries(c.spec.labels)
          .map(([k, v]) => `${k}=${v}`)
          .join(', ') || '—'}
      </Fact>
      <Fact label="Created">
        <When date={c.createdAt} />
      </Fact>
      <Fact label="Started">
        <When date={c.startedAt} />
      </Fact>
      <Fact label="Finished">
        {c.finishedAt ? (
          <>
            <When date={c.finishedAt} /> · exit {c.exitCode ?? '?'}
          </>
        ) : (
          '—'
        )}
      </Fact>
    </dl>
  );
}
